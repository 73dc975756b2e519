import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, Money } from '../../common/money';
import { Invoice } from '../invoices/invoice.entity';
import { Order } from '../orders/order.entity';
import { Payment } from '../payments/payment.entity';
import { RefundFallback, RefundStatus } from './refund-state';

/**
 * Part of a card payment given back through PayPal's refund API. Created PENDING in the staff
 * action's transaction; a pg-boss job asks PayPal after the commit, outside any lock, with
 * PayPal-Request-Id `refund:<id>`, and settles it. A record of money: never deleted, moved only
 * by its StateMachine (lifecycle.refund). Payments are not changed by refunds.
 */
@ObjectType({ description: 'A refund to the card a payment was made with (through PayPal).' })
@Entity('refund')
@Index('refund_order_idx', ['orderId', 'seq'])
@Index('refund_payment_idx', ['paymentId'])
@Index('refund_pending_idx', ['seq'], { where: `"status" = 'PENDING'` })
@Index('refund_provider_refund_key', ['providerRefundId'], { unique: true })
@Check('refund_amount_check', `"amount" > 0 AND "attempts" >= 0`)
@Check('refund_succeeded_check', `"status" <> 'SUCCEEDED' OR ("provider_refund_id" IS NOT NULL AND "completed_at" IS NOT NULL)`)
@Check('refund_failed_check', `"status" <> 'FAILED' OR (btrim(coalesce("failure_reason", '')) <> '' AND "completed_at" IS NOT NULL)`)
export class Refund {
  @Field(() => ID, { description: 'The refund’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'bigint', update: false })
  @Generated('increment')
  seq: string;

  @Field(() => RefundStatus, { description: 'Where the card refund stands.' })
  @Column({ type: 'enum', enum: RefundStatus, enumName: 'refund_status' })
  status: RefundStatus;

  @Field(() => ID, { description: 'The order whose money is refunded.' })
  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'refund_order_fk' })
  order?: Order;

  @Field(() => ID, { description: 'The invoice whose paid money this returns.' })
  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @ManyToOne(() => Invoice, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'invoice_id', foreignKeyConstraintName: 'refund_invoice_fk' })
  invoice?: Invoice;

  @Field(() => ID, { description: 'The card payment refunded.' })
  @Column({ name: 'payment_id', type: 'uuid' })
  paymentId: string;

  @ManyToOne(() => Payment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'payment_id', foreignKeyConstraintName: 'refund_payment_fk' })
  payment?: Payment;

  /** The customer; null for a guest's order. */
  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId: string | null;

  @Column({ name: 'amount', type: 'bigint', transformer: bigintTransformer })
  amountMinor: bigint;

  /** 'paypal' or 'simulator': who holds the capture. */
  @Column({ type: 'varchar', length: 20 })
  provider: string;

  @Column({ name: 'capture_id', type: 'varchar', length: 64 })
  captureId: string;

  @Field(() => String, { nullable: true, description: 'PayPal’s refund id, once PayPal accepted it.' })
  @Column({ name: 'provider_refund_id', type: 'varchar', length: 64, nullable: true })
  providerRefundId: string | null;

  /** PayPal's refund status as answered (COMPLETED, PENDING). */
  @Column({ name: 'provider_status', type: 'varchar', length: 20, nullable: true })
  providerStatus: string | null;

  @Field(() => Int, { description: 'Calls made to PayPal so far (retries after PayPal was unreachable included).' })
  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Who is asking PayPal now (a lease): another executor leaves the refund alone until then. */
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil: Date | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Field(() => String, { nullable: true, description: 'FAILED: why PayPal refused it.' })
  @Column({ name: 'failure_reason', type: 'varchar', length: 500, nullable: true })
  failureReason: string | null;

  @Field(() => RefundFallback, { nullable: true, description: 'FAILED: where the money went instead.' })
  @Column({ type: 'enum', enum: RefundFallback, enumName: 'refund_fallback', nullable: true })
  fallback: RefundFallback | null;

  @Field(() => String, { nullable: true, description: 'Why the money is refunded (e.g. the cancellation).' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Field({ description: 'When the refund was decided (with the staff action that caused it).' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The staff member whose action refunded; null for the system (a sweep). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Field(() => Date, { nullable: true, description: 'When PayPal accepted or refused it.' })
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Field(() => Money, { description: 'Yen given back to the card (the card fee is not refunded, docs/payments.md).' })
  get amount(): Money {
    return Money.jpy(this.amountMinor);
  }
}
