import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import { AccountService } from '../modules/accounts/account.service';
import { TokenService } from '../modules/accounts/auth';
import type { CardPaymentProvider } from '../modules/payments/providers/card-provider';
import { createCardProvider } from '../modules/payments/providers/create-card-provider';
import { DepositService } from '../modules/deposits/deposit.service';
import { AttachmentLinks } from '../modules/attachments/attachment-access';
import { MessageService } from '../modules/messaging/message.service';
import { InvoiceService } from '../modules/invoices/invoice.service';
import { GuestAccessGuard } from '../modules/orders/guest-access';
import { OrderQueryService } from '../modules/orders/order-query.service';
import { OrderService } from '../modules/orders/order.service';
import { createStorage } from '../storage/create-storage';
import type { AttachmentStorage } from '../storage/storage';
import type { Config } from './config';

/**
 * The services of one gateway process, built once at start. Services get this and reach each
 * other through it; the per-request part lives in `Context`.
 */
export class App {
  readonly tokens: TokenService;
  readonly accounts: AccountService;
  /** PayPal, or the no-money simulator when PayPal is not configured (docs/payments-paypal.md). */
  readonly cardProvider: CardPaymentProvider;
  /** Customers' prepaid balances: an append-only ledger (see docs/deposits.md). */
  readonly deposits: DepositService;
  /** Attachment bytes (message files, inspection photos); metadata lives in the database. */
  readonly storage: AttachmentStorage;
  readonly orders: OrderService;
  readonly orderQueries: OrderQueryService;
  readonly invoices: InvoiceService;
  readonly messages: MessageService;
  /** Signed, short-lived attachment download links and the download endpoint. */
  readonly attachmentLinks: AttachmentLinks;
  /** Guest order access by number + phone, with failure limits (in-process). */
  readonly guestAccess = new GuestAccessGuard();

  constructor(
    readonly config: Config,
    readonly ds: DataSource,
    readonly clock: Clock,
    readonly log: Logger,
  ) {
    this.tokens = new TokenService({
      secret: config.jwtSecret,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.JWT_TTL_SECONDS,
    });
    this.accounts = new AccountService(this);
    this.cardProvider = createCardProvider(config, log);
    this.deposits = new DepositService(this);
    this.storage = createStorage(config);
    this.orders = new OrderService(this);
    this.orderQueries = new OrderQueryService(this);
    this.invoices = new InvoiceService(this);
    this.messages = new MessageService(this);
    this.attachmentLinks = new AttachmentLinks(this, config.jwtSecret, config.ATTACHMENT_URL_TTL_SECONDS);
  }
}
