import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Column, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer, Currency, Money } from '../../common/money';
import { Account } from '../accounts/account.entity';
import { Invoice } from '../invoices/invoice.entity';
import { Order } from '../orders/order.entity';
import { PaymentMethod, PaymentPurpose, PaymentStatus } from './payment-state';

@ObjectType({ description: 'What the customer reported about a bank transfer (入金完了報告).' })
export class BankTransferReport {
  @Field({ description: 'The payer name as written on the transfer (katakana or latin).' })
  payerName: string;

  @Field(() => Money, { description: 'The amount the customer says they transferred.' })
  amount: Money;

  @Field({ description: 'The day of the transfer, YYYY-MM-DD (Japan).' })
  transferDate: string;

  @Field({ description: 'When the customer sent the report.' })
  reportedAt: Date;
}

/**
 * Money paid towards one invoice (deposit, bank transfer or card), or a deposit top-up. A
 * record of money: never deleted, moved only by `transitionPayment`. A later refund references
 * the payment it returns.
 */
@ObjectType({ description: 'A payment of an invoice (deposit, bank transfer or card), or a deposit top-up. Amounts in JPY.' })
@Entity('payment')
@Index('payment_order_idx', ['orderId', 'seq'])
@Index('payment_invoice_idx', ['invoiceId'])
@Index('payment_account_idx', ['accountId', 'seq'])
@Index('payment_reported_queue_idx', ['reportedAt', 'id'], { where: `"status" = 'REPORTED'` })
// At most one payment from outside (transfer or card) is under way per invoice.
@Index('payment_one_live_per_invoice_key', ['invoiceId'], {
  unique: true,
  where: `"status" IN ('PENDING', 'CAPTURING', 'REPORTED') AND "method" <> 'DEPOSIT'`,
})
// The recovery sweep's queue: captures claimed and never finished (a crash between the steps).
@Index('payment_capturing_queue_idx', ['captureStartedAt', 'id'], { where: `"status" = 'CAPTURING'` })
@Index('payment_provider_order_key', ['providerOrderId'], { unique: true })
@Index('payment_capture_key', ['captureId'], { unique: true })
@Check('payment_amounts_check', `"amount" > 0 AND "fee" >= 0 AND "applied_amount" >= 0 AND "excess_amount" >= 0 AND "confirmed_amount" > 0 AND "reported_amount" > 0`)
@Check(
  'payment_purpose_check',
  `("purpose" = 'INVOICE' AND "invoice_id" IS NOT NULL AND "order_id" IS NOT NULL) OR ("purpose" = 'DEPOSIT_TOP_UP' AND "invoice_id" IS NULL AND "order_id" IS NULL AND "account_id" IS NOT NULL AND "method" <> 'DEPOSIT')`,
)
@Check('payment_deposit_account_check', `"method" <> 'DEPOSIT' OR "account_id" IS NOT NULL`)
@Check('payment_card_fields_check', `"method" = 'CARD' OR ("provider_order_id" IS NULL AND "capture_id" IS NULL AND "fee" = 0)`)
@Check(
  'payment_capturing_check',
  `"status" <> 'CAPTURING' OR ("method" = 'CARD' AND "provider_order_id" IS NOT NULL AND "capture_request_id" IS NOT NULL AND "capture_started_at" IS NOT NULL)`,
)
@Check('payment_transfer_fields_check', `"method" = 'BANK_TRANSFER' OR ("payer_name" IS NULL AND "confirmed_amount" IS NULL AND "reported_at" IS NULL)`)
@Check('payment_settled_check', `"status" <> 'SETTLED' OR ("applied_amount" IS NOT NULL AND "settled_at" IS NOT NULL)`)
@Check('payment_reported_check', `"status" NOT IN ('REPORTED', 'REJECTED') OR "reported_at" IS NOT NULL`)
@Check('payment_rejected_check', `"status" <> 'REJECTED' OR btrim(coalesce("rejection_reason", '')) <> ''`)
export class Payment {
  @Field(() => ID, { description: 'The payment’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Creation order (business timestamps can tie within one request). */
  @Column({ type: 'bigint', update: false })
  @Generated('increment')
  seq: string;

  @Field(() => PaymentPurpose, { description: 'An invoice payment or a deposit top-up.' })
  @Column({ type: 'enum', enum: PaymentPurpose, enumName: 'payment_purpose' })
  purpose: PaymentPurpose;

  /** Whose money: the customer (always for deposit payments and top-ups); null for a guest. */
  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId: string | null;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'payment_account_fk' })
  account?: Account;

  @Field(() => ID, { nullable: true, description: 'The order paid for; null for a deposit top-up.' })
  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId: string | null;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'payment_order_fk' })
  order?: Order;

  @Field(() => ID, { nullable: true, description: 'The invoice paid; null for a deposit top-up.' })
  @Column({ name: 'invoice_id', type: 'uuid', nullable: true })
  invoiceId: string | null;

  @ManyToOne(() => Invoice, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'invoice_id', foreignKeyConstraintName: 'payment_invoice_fk' })
  invoice?: Invoice;

  @Field(() => PaymentMethod, { description: 'Deposit, bank transfer or card.' })
  @Column({ type: 'enum', enum: PaymentMethod, enumName: 'payment_method' })
  method: PaymentMethod;

  @Field(() => PaymentStatus, { description: 'Where the payment stands.' })
  @Column({ type: 'enum', enum: PaymentStatus, enumName: 'payment_status' })
  status: PaymentStatus;

  @Column({ type: 'enum', enum: Currency, enumName: 'currency', default: Currency.JPY })
  currency: Currency;

  /** Yen asked for: what this payment is to apply to the invoice (or add to the deposit). */
  @Column({ name: 'amount', type: 'bigint', transformer: bigintTransformer })
  amountMinor: bigint;

  /** Card fee in yen, paid on top of `amount`; 0 for other methods. */
  @Column({ name: 'fee', type: 'bigint', default: 0, transformer: bigintTransformer })
  feeMinor: bigint;

  /** Set when settled: yen actually applied (a short transfer applies less than `amount`). */
  @Column({ name: 'applied_amount', type: 'bigint', nullable: true, transformer: bigintTransformer })
  appliedAmountMinor: bigint | null;

  /** Set when settled: yen received above what was due, credited to the deposit (TRANSFER_EXCESS). */
  @Column({ name: 'excess_amount', type: 'bigint', nullable: true, transformer: bigintTransformer })
  excessAmountMinor: bigint | null;

  // --- bank transfer ---
  @Column({ name: 'payer_name', type: 'varchar', length: 100, nullable: true })
  payerName: string | null;

  @Column({ name: 'reported_amount', type: 'bigint', nullable: true, transformer: bigintTransformer })
  reportedAmountMinor: bigint | null;

  @Column({ name: 'transfer_date', type: 'date', nullable: true })
  transferDate: string | null;

  @Field(() => Date, { nullable: true, description: 'Bank transfer: when the customer reported it; null before.' })
  @Column({ name: 'reported_at', type: 'timestamptz', nullable: true })
  reportedAt: Date | null;

  /** What staff found on the bank statement. */
  @Column({ name: 'confirmed_amount', type: 'bigint', nullable: true, transformer: bigintTransformer })
  confirmedAmountMinor: bigint | null;

  @Field(() => String, { nullable: true, description: 'Why staff rejected the reported transfer.' })
  @Column({ name: 'rejection_reason', type: 'varchar', length: 500, nullable: true })
  rejectionReason: string | null;

  /** The staff member who confirmed or rejected the transfer. */
  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedById: string | null;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'decided_by', foreignKeyConstraintName: 'payment_decided_by_fk' })
  decidedBy?: Account;

  @Field(() => Date, { nullable: true, description: 'When staff confirmed or rejected the transfer.' })
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  // --- card ---
  /** 'paypal' or 'simulator': which provider holds providerOrderId. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  provider: string | null;

  @Field(() => String, { nullable: true, description: 'The PayPal order id.' })
  @Column({ name: 'provider_order_id', type: 'varchar', length: 64, nullable: true })
  providerOrderId: string | null;

  @Field(() => String, { nullable: true, description: 'The PayPal capture id, once captured.' })
  @Column({ name: 'capture_id', type: 'varchar', length: 64, nullable: true })
  captureId: string | null;

  /**
   * The PayPal-Request-Id of this payment's capture: `capture:<paymentId>` first, so a retry
   * (ours, the webhook's, the recovery sweep's) replays the same capture; renewed (`…:2`) only
   * after PayPal refused definitively (declined, not approved), when the buyer may try again.
   */
  @Column({ name: 'capture_request_id', type: 'varchar', length: 80, nullable: true })
  captureRequestId: string | null;

  /** When the current (or last) capture was claimed: CAPTURING for over a minute is recovered by a sweep. */
  @Column({ name: 'capture_started_at', type: 'timestamptz', nullable: true })
  captureStartedAt: Date | null;

  /** Who claimed it: the actor (role and account id) and the gateway process (host:pid). */
  @Column({ name: 'capture_started_by', type: 'varchar', length: 200, nullable: true })
  captureStartedBy: string | null;

  @Column({ name: 'approval_url', type: 'varchar', length: 2000, nullable: true })
  storedApprovalUrl: string | null;

  @Field(() => String, { nullable: true, description: 'Why a card payment failed or was cancelled.' })
  @Column({ name: 'failure_reason', type: 'varchar', length: 500, nullable: true })
  failureReason: string | null;

  @Field({ description: 'When the payment was started.' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the money was applied; null until SETTLED.' })
  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true })
  settledAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Field(() => Money, { description: 'Applied to the invoice (or added to the deposit), without the fee.' })
  get amount(): Money {
    return Money.jpy(this.amountMinor);
  }

  @Field(() => Money, { description: 'Card fee (0 for other methods).' })
  get fee(): Money {
    return Money.jpy(this.feeMinor);
  }

  @Field(() => Money, { description: 'What the customer pays: amount + fee (the card total shown before PayPal).' })
  get total(): Money {
    return Money.jpy(this.amountMinor + this.feeMinor);
  }

  @Field(() => Money, { nullable: true, description: 'Once settled: what was applied (less than `amount` after a short transfer).' })
  get appliedAmount(): Money | null {
    return this.appliedAmountMinor === null ? null : Money.jpy(this.appliedAmountMinor);
  }

  @Field(() => Money, { nullable: true, description: 'Once settled: money received above what was due, credited to the deposit.' })
  get excessToDeposit(): Money | null {
    return this.excessAmountMinor ? Money.jpy(this.excessAmountMinor) : null;
  }

  @Field(() => Money, { nullable: true, description: 'Bank transfer: the amount staff found received.' })
  get confirmedAmount(): Money | null {
    return this.confirmedAmountMinor === null ? null : Money.jpy(this.confirmedAmountMinor);
  }

  @Field(() => BankTransferReport, { nullable: true, description: 'Bank transfer: the customer’s report, once sent.' })
  get report(): BankTransferReport | null {
    if (!this.reportedAt || this.payerName === null || this.reportedAmountMinor === null || !this.transferDate) return null;
    return { payerName: this.payerName, amount: Money.jpy(this.reportedAmountMinor), transferDate: this.transferDate, reportedAt: this.reportedAt };
  }

  @Field(() => String, { nullable: true, description: 'Card: where the customer approves the payment (PayPal), while it is PENDING.' })
  get approvalUrl(): string | null {
    return this.status === PaymentStatus.PENDING && !this.captureId ? this.storedApprovalUrl : null;
  }
}
