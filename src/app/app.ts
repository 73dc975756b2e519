import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import { AccountService } from '../modules/accounts/account.service';
import { AccountCare } from '../modules/accounts/account-care';
import { TokenService } from '../modules/accounts/auth';
import type { CardPaymentProvider } from '../modules/payments/providers/card-provider';
import { createCardProvider } from '../modules/payments/providers/create-card-provider';
import { DepositService } from '../modules/deposits/deposit.service';
import { CalendarService } from '../modules/calendar/calendar.service';
import { ShippingService } from '../modules/shipping/shipping.service';
import { AttachmentLinks } from '../modules/attachments/attachment-access';
import { CancellationService } from '../modules/cancellations/cancellation.service';
import { DeliveryProblemService } from '../modules/delivery-problems/delivery-problem.service';
import { WarehouseService } from '../modules/warehouse/warehouse.service';
import { ReturnRequestService } from '../modules/warehouse/return-request.service';
import { CombinedShippingService } from '../modules/warehouse/combined-shipping.service';
import { MessageService } from '../modules/messaging/message.service';
import { InvoiceService } from '../modules/invoices/invoice.service';
import { Lifecycle } from '../modules/lifecycle/lifecycle';
import { GuestAccessGuard } from '../modules/orders/guest-access';
import { OrderReadModel } from '../modules/orders/order-read-model';
import { OrderQueryService } from '../modules/orders/order-query.service';
import { STAFF_QUEUES } from './staff-queues';
import { OrderService } from '../modules/orders/order.service';
import { PaymentService } from '../modules/payments/payment.service';
import { LiveUpdates } from '../modules/subscriptions/live-updates';
import { WithdrawalService } from '../modules/withdrawals/withdrawal.service';
import { RefundService } from '../modules/refunds/refund.service';
import { PriceChangeService } from '../modules/price-changes/price-change.service';
import { ReceiptService } from '../modules/receipts/receipt.service';
import { createStorage } from '../storage/create-storage';
import type { AttachmentStorage } from '../storage/storage';
import type { Config } from './config';
import { RateLimits } from './rate-limits';

/**
 * The services of one gateway process, built once at start. Services get this and reach each
 * other through it; the per-request part lives in `Context`.
 */
export class App {
  readonly tokens: TokenService;
  readonly accounts: AccountService;
  /** Password resets and profile changes (`accountUpdate`). */
  readonly accountCare: AccountCare;
  /** PayPal, or the no-money simulator when PayPal is not configured (docs/payments-paypal.md). */
  readonly cardProvider: CardPaymentProvider;
  /** Customers' prepaid balances: an append-only ledger (see docs/deposits.md). */
  readonly deposits: DepositService;
  /** Attachment bytes (message files, inspection photos); metadata lives in the database. */
  readonly storage: AttachmentStorage;
  /** The state machines of orders, items, invoices and requests, with what entering each state does. */
  readonly lifecycle: Lifecycle;
  readonly orders: OrderService;
  readonly orderQueries: OrderQueryService;
  readonly orderReads: OrderReadModel;
  readonly invoices: InvoiceService;
  /** Open days and hours (JST) for bank-transfer confirmation (docs/shipping-and-calendar.md). */
  readonly calendar: CalendarService;
  /** International shipping rates by weight and size (src/modules/shipping/rates.ts). */
  readonly shipping: ShippingService;
  readonly messages: MessageService;
  readonly warehouse: WarehouseService;
  /** Exchanges and returns of inspected items (docs/warehouse.md). */
  readonly itemReturns: ReturnRequestService;
  /** Several orders of one customer shipped as one parcel (docs/warehouse.md). */
  readonly combinedShipping: CombinedShippingService;
  readonly cancellations: CancellationService;
  /** Lost, returned, refused, damaged or wrong parcels after shipment, and their resolution (docs/warehouse.md). */
  readonly deliveryProblems: DeliveryProblemService;
  /** Signed, short-lived attachment download links and the download endpoint. */
  readonly attachmentLinks: AttachmentLinks;
  /** Paying invoices (deposit, bank transfer, card) and deposit top-ups (docs/payments.md). */
  readonly payments: PaymentService;
  /** Payouts to bank accounts: deposit withdrawals and refunds to a bank transfer (docs/deposits.md). */
  readonly withdrawals: WithdrawalService;
  /** Refunds to where the money came from: card refunds through PayPal, bank payouts (docs/payments.md). */
  readonly refunds: RefundService;
  /** A seller's price changes after the first payment: additional invoices and falls refunded (docs/payments.md). */
  readonly priceChanges: PriceChangeService;
  /** Receipts (領収書) of paid invoices as PDFs, by signed link (docs/receipts.md). */
  readonly receipts: ReceiptService;
  /** Rate-limit counters (in this process, or in Redis with REDIS_URL); docs/hardening.md. */
  readonly rateLimits: RateLimits;
  /** Guest order access by number + phone, with failure limits (in `rateLimits`). */
  readonly guestAccess: GuestAccessGuard;
  /** Live subscriptions: committed changes fanned out to WebSocket subscribers (docs/subscriptions.md). */
  readonly live: LiveUpdates;

  /** The job workers of this process, when it runs them (`WORKERS`); set by `startWorkers`. */
  workers?: import('../jobs/workers').Workers;

  constructor(
    readonly config: Config,
    readonly ds: DataSource,
    readonly clock: Clock,
    readonly log: Logger,
  ) {
    this.rateLimits = RateLimits.fromConfig(config, log);
    this.guestAccess = new GuestAccessGuard(this.rateLimits);
    this.tokens = new TokenService({
      secret: config.jwtSecret,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.JWT_TTL_SECONDS,
    });
    this.accounts = new AccountService(this);
    this.accountCare = new AccountCare(this);
    this.cardProvider = createCardProvider(config, log);
    this.deposits = new DepositService(this);
    this.withdrawals = new WithdrawalService(this);
    this.refunds = new RefundService(this);
    this.receipts = new ReceiptService(this);
    this.storage = createStorage(config);
    this.lifecycle = new Lifecycle(this);
    this.orders = new OrderService(this);
    this.orderReads = new OrderReadModel(this.ds);
    this.orderQueries = new OrderQueryService(this, STAFF_QUEUES);
    this.priceChanges = new PriceChangeService(this);
    this.invoices = new InvoiceService(this);
    this.calendar = new CalendarService(this);
    this.shipping = new ShippingService();
    this.messages = new MessageService(this);
    this.warehouse = new WarehouseService(this);
    this.itemReturns = new ReturnRequestService(this);
    this.combinedShipping = new CombinedShippingService(this);
    this.cancellations = new CancellationService(this);
    this.deliveryProblems = new DeliveryProblemService(this);
    this.attachmentLinks = new AttachmentLinks(this, config.jwtSecret, config.ATTACHMENT_URL_TTL_SECONDS);
    this.payments = new PaymentService(this);
    this.live = new LiveUpdates(this);
  }
}
