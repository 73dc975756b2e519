import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { CancelReason, OrderStatus, ShippingPriority } from './order-state';
import { DeliveryAddress } from './delivery-address';

export { DeliveryAddress };


@ObjectType({ description: 'An order application and everything that follows from it.' })
@Entity('customer_order')
// Each list's filter first, then its ORDER BY with the tie-breaking id (scanned backwards for newest first).
@Index('customer_order_customer_submitted_id_idx', ['customerId', 'submittedAt', 'id'])
@Index('customer_order_status_submitted_id_idx', ['status', 'submittedAt', 'id'])
@Index('customer_order_submitted_idx', ['submittedAt', 'id'])
// Staff search (order-query.service.ts): one index lookup per kind of search text.
@Index('customer_order_contact_email_idx', ['contactEmail'])
@Index('customer_order_contact_phone_idx', ['contactPhone'])
// cancellationCounts over a period; the auto-complete sweep's due orders.
@Index('customer_order_cancelled_idx', ['cancelledAt', 'cancelReason'], { where: `"status" = 'CANCELLED'` })
@Index('customer_order_shipped_idx', ['shippedAt'], { where: `"status" = 'SHIPPED'` })
// The auto-cancel sweep's applications never quoted: only SUBMITTED orders, oldest first.
@Index('customer_order_unquoted_idx', ['submittedAt', 'id'], { where: `"status" = 'SUBMITTED'` })
// The UNANSWERED_MESSAGE and SELLER_QUESTION queues: only the orders in them, longest waiting first.
@Index('customer_order_awaiting_reply_idx', ['awaitingReplySince', 'id'], { where: `"awaiting_reply_since" IS NOT NULL` })
@Index('customer_order_seller_question_idx', ['sellerQuestionSince', 'id'], { where: `"seller_question_since" IS NOT NULL` })
export class Order {
  @Field(() => ID, { description: 'The order’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Short, human-typable and unique, e.g. "K7Q4-M2XD".' })
  @Index('customer_order_number_key', { unique: true })
  @Column({ name: 'order_number', type: 'varchar', length: 9 })
  orderNumber: string;

  /** Null for a guest order until the guest claims it. */
  @Column({ name: 'customer_id', type: 'uuid', nullable: true })
  customerId: string | null;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'customer_order_customer_fk' })
  customer?: Account;

  @Field({ description: 'Where order notices go (the account e-mail, or the guest’s).' })
  @Column({ name: 'contact_email', type: 'varchar', length: 254 })
  contactEmail: string;

  /** Normalised digits; a guest proves ownership with it. Not exposed in the API. */
  @Column({ name: 'contact_phone', type: 'varchar', length: 20 })
  contactPhone: string;

  @Field(() => OrderStatus, { description: 'Where the order stands.' })
  @Column({ type: 'enum', enum: OrderStatus, enumName: 'order_status', default: OrderStatus.SUBMITTED })
  status: OrderStatus;

  @Field(() => ShippingPriority, { description: 'Speed or cost for the international shipping, as the customer chose.' })
  @Column({ name: 'shipping_priority', type: 'enum', enum: ShippingPriority, enumName: 'shipping_priority' })
  shippingPriority: ShippingPriority;

  @Field(() => DeliveryAddress, { description: 'Where the parcel goes in Japan.' })
  @Column(() => DeliveryAddress, { prefix: 'delivery_' })
  deliveryAddress: DeliveryAddress;

  @Field(() => CancelReason, { nullable: true, description: 'Why the order was cancelled; null unless CANCELLED.' })
  @Column({ name: 'cancel_reason', type: 'enum', enum: CancelReason, enumName: 'cancel_reason', nullable: true })
  cancelReason: CancelReason | null;

  @Field(() => String, { nullable: true, description: 'A note on the cancellation for the customer (staff’s, or the automatic cancellation’s); null if none.' })
  @Column({ name: 'cancel_note', type: 'varchar', length: 1000, nullable: true })
  cancelNote: string | null;

  @Field({ description: 'When the application was sent.' })
  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When staff quoted it (the first invoice was issued).' })
  @Column({ name: 'quoted_at', type: 'timestamptz', nullable: true })
  quotedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the first invoice was paid in full (PURCHASING began).' })
  @Column({ name: 'first_paid_at', type: 'timestamptz', nullable: true })
  firstPaidAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When every buyable item was bought.' })
  @Column({ name: 'purchased_at', type: 'timestamptz', nullable: true })
  purchasedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the goods arrived at the warehouse (INSPECTING began).' })
  @Column({ name: 'arrived_at', type: 'timestamptz', nullable: true })
  arrivedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the second invoice was issued (AWAITING_SECOND_PAYMENT began).' })
  @Column({ name: 'second_invoiced_at', type: 'timestamptz', nullable: true })
  secondInvoicedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the second invoice was paid in full (PREPARING_SHIPMENT began).' })
  @Column({ name: 'second_paid_at', type: 'timestamptz', nullable: true })
  secondPaidAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the parcel was handed to the carrier.' })
  @Column({ name: 'shipped_at', type: 'timestamptz', nullable: true })
  shippedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the order completed (receipt reported, or 30 days after shipping).' })
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the order was cancelled.' })
  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  /** The carrier (warehouse/carriers.ts `Carrier`) and tracking number once shipped. */
  @Column({ name: 'shipment_carrier', type: 'varchar', length: 20, nullable: true })
  shipmentCarrier: string | null;

  @Column({ name: 'tracking_number', type: 'varchar', length: 40, nullable: true })
  trackingNumber: string | null;

  /**
   * Queue facts kept by messaging (message.service.ts) in the transaction of each message and
   * of the order's closing, so a queue reads its own rows through a partial index instead of
   * probing every order's thread. Not in the API: the queues are.
   * When the oldest customer message staff have not answered yet was sent (UNANSWERED_MESSAGE).
   */
  @Column({ name: 'awaiting_reply_since', type: 'timestamptz', nullable: true })
  awaitingReplySince: Date | null;

  /** When the oldest seller question staff have not answered yet was asked (SELLER_QUESTION). */
  @Column({ name: 'seller_question_since', type: 'timestamptz', nullable: true })
  sellerQuestionSince: Date | null;

  @Field({ description: 'When the order was recorded; show `submittedAt` to people.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
