import { Account } from '../modules/accounts/account.entity';
import { IdempotencyKey } from '../common/idempotency-key.entity';
import { DepositAccount } from '../modules/deposits/deposit-account.entity';
import { DepositEntry } from '../modules/deposits/deposit-entry.entity';

import { Invoice } from '../modules/invoices/invoice.entity';
import { OrderEvent } from '../modules/orders/order-event.entity';
import { PasswordResetToken } from '../modules/accounts/password-reset.entity';
import { Notification, OutboxEntry, OutgoingMail } from '../modules/notifications/notification.entity';
import { OrderItem } from '../modules/orders/order-item.entity';
import { Order } from '../modules/orders/order.entity';

import { Attachment } from '../modules/attachments/attachment.entity';
import { Message } from '../modules/messaging/message.entity';
import { Payment } from '../modules/payments/payment.entity';

import { ArrivalReport } from '../modules/warehouse/arrival-report.entity';
import { ItemReturnRequest } from '../modules/warehouse/return-request.entity';
import { ShipmentGroup, ShipmentGroupOrder } from '../modules/warehouse/shipment-group.entity';

import { CancellationRequest } from '../modules/cancellations/cancellation-request.entity';
import { DeliveryProblem } from '../modules/delivery-problems/delivery-problem.entity';
import { Withdrawal } from '../modules/withdrawals/withdrawal.entity';
import { PriceChange } from '../modules/price-changes/price-change.entity';
import { Refund } from '../modules/refunds/refund.entity';
import { Receipt } from '../modules/receipts/receipt.entity';

/** Every TypeORM entity. Migrations are generated against this list. */
export const ENTITIES = [
  Account, IdempotencyKey, DepositAccount, DepositEntry, Order, OrderItem, OrderEvent, Invoice, Message, Attachment, ArrivalReport, CancellationRequest, Payment,
  ItemReturnRequest, ShipmentGroup, ShipmentGroupOrder, DeliveryProblem, Notification, OutboxEntry, OutgoingMail, PasswordResetToken,
  Withdrawal, Refund, Receipt, PriceChange,
];
