import { isStaff } from '../../app/auth-checker';
import type { Account } from '../accounts/account.entity';
import type { Invoice } from '../invoices/invoice.entity';
import { InvoiceStatus } from '../invoices/invoice-state';
import type { OrderItem } from './order-item.entity';
import type { Order } from './order.entity';
import { OrderStatus } from './order-state';
import {
  refuseAddressChange, refuseCancellationRequest, refuseCustomerCancel, refuseItemChange, refuseQuote, refuseStaffCancel, type FirstPaymentState,
} from './order-rules';
import { ItemAction, OrderAction } from './order.types';
import { refuseMessage, refuseSellerQuestion } from '../messaging/messaging-rules';
import { refuseExchangeRequest } from '../warehouse/return-request-rules';

/** What the payments module knows that the actions depend on (built by payments/payment-actions.ts). */
export interface OrderPaymentState {
  /** A bank transfer of this order was chosen and awaits the customer's report. */
  transferToReport: boolean;
  secondInvoice: Invoice | null;
  /** Money for the second invoice is on its way (a reported transfer, a held card capture). */
  secondPending: boolean;
}

/**
 * What the viewer may do now, from the very rules the mutations enforce (order-rules.ts).
 * `viewer` is null for a guest, who may do what the customer may.
 */
export function orderActions(viewer: Account | null, order: Order, items: OrderItem[], pay: FirstPaymentState, now: Date, payments?: OrderPaymentState): OrderAction[] {
  const actions: OrderAction[] = [];
  const staff = isStaff(viewer);
  if (staff) {
    if (!refuseQuote(order)) actions.push(OrderAction.QUOTE);
    if (!refuseStaffCancel(order, pay)) actions.push(OrderAction.CANCEL_BY_STAFF);
  } else {
    const invoice = pay.invoice;
    if (order.status === OrderStatus.AWAITING_FIRST_PAYMENT && invoice?.status === InvoiceStatus.OPEN && !pay.pending && invoice.totalMinor > invoice.amountPaidMinor) {
      actions.push(OrderAction.PAY_FIRST_INVOICE);
    }
    if (!refuseCustomerCancel(order, pay)) actions.push(OrderAction.CANCEL_ORDER);
    if (!refuseCancellationRequest(order)) actions.push(OrderAction.REQUEST_CANCELLATION);
    if (payments?.transferToReport) actions.push(OrderAction.REPORT_BANK_TRANSFER);
    const second = payments?.secondInvoice;
    if (order.status === OrderStatus.AWAITING_SECOND_PAYMENT && second?.status === InvoiceStatus.OPEN && !payments!.secondPending && second.totalMinor > second.amountPaidMinor) {
      actions.push(OrderAction.PAY_SECOND_INVOICE);
    }
  }
  if (items.some((item) => !refuseItemChange(order, item, pay))) actions.push(OrderAction.CHANGE_ITEMS);
  if (!refuseAddressChange(order)) actions.push(OrderAction.CHANGE_DELIVERY_ADDRESS);
  if (!refuseMessage(order, now)) {
    actions.push(OrderAction.SEND_MESSAGE);
    if (!staff && items.some((item) => !refuseSellerQuestion(item))) actions.push(OrderAction.ASK_SELLER);
  }
  return actions;
}

/** `openReturnRequest`: the item has an exchange/return in progress (unknown when left out). */
export function itemActions(viewer: Account | null, order: Order, item: OrderItem, pay: FirstPaymentState, now: Date, openReturnRequest?: boolean): ItemAction[] {
  const actions = refuseItemChange(order, item, pay) ? [] : [ItemAction.CHANGE_QUANTITY, ItemAction.CANCEL_ITEM];
  if (!isStaff(viewer) && !refuseMessage(order, now) && !refuseSellerQuestion(item)) actions.push(ItemAction.ASK_SELLER);
  if (!isStaff(viewer) && !refuseExchangeRequest(order, item, openReturnRequest)) actions.push(ItemAction.REQUEST_EXCHANGE, ItemAction.REQUEST_RETURN);
  return actions;
}
