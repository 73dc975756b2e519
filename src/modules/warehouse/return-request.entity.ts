import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, Currency, Money } from '../../common/money';
import { Invoice } from '../invoices/invoice.entity';
import { Message } from '../messaging/message.entity';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { ItemExchangeKind, ItemExchangeStatus, LocalShippingPayer } from './return-request-state';

/**
 * A customer's request to exchange or return one inspected item, and the seller's answer as
 * staff recorded it. The request's text and photos live in the order's thread (`messageId`).
 * Status changes only through `transitionExchange` (return-request.service.ts).
 */
@ObjectType({ description: 'An exchange or return of one inspected item: the customer’s request and the seller’s answer.' })
@Entity('item_return_request')
@Index('item_return_request_item_idx', ['itemId', 'requestedAt'])
@Index('item_return_request_order_idx', ['orderId', 'status'])
// One request in the works per item at a time.
@Index('item_return_request_open_key', ['itemId'], { unique: true, where: `"status" IN ('REQUESTED', 'SELLER_ACCEPTED')` })
@Check('item_return_request_amounts_check', `"local_shipping_jpy" >= 0 AND "refunded" >= 0 AND "withheld" >= 0 AND "second_invoice_charge" >= 0`)
export class ItemReturnRequest {
  @Field(() => ID, { description: 'The request’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'item_return_request_order_fk' })
  order?: Order;

  @Field(() => ID, { description: 'The item to exchange or return.' })
  @Column({ name: 'item_id', type: 'uuid' })
  itemId: string;

  @ManyToOne(() => OrderItem, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'item_id', foreignKeyConstraintName: 'item_return_request_item_fk' })
  item?: OrderItem;

  @Field(() => ItemExchangeKind, { description: 'Exchange or return.' })
  @Column({ type: 'enum', enum: ItemExchangeKind, enumName: 'item_exchange_kind' })
  kind: ItemExchangeKind;

  @Field(() => ItemExchangeStatus, { description: 'Where the request stands.' })
  @Column({ type: 'enum', enum: ItemExchangeStatus, enumName: 'item_exchange_status', default: ItemExchangeStatus.REQUESTED })
  status: ItemExchangeStatus;

  @Field({ description: 'Why, in the customer’s words (also sent to the thread with the photos).' })
  @Column({ type: 'varchar', length: 2000 })
  reason: string;

  @Field(() => ID, { description: 'The thread message that carries the request and its photos.' })
  @Column({ name: 'message_id', type: 'uuid' })
  messageId: string;

  @ManyToOne(() => Message, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'item_return_request_message_fk' })
  message?: Message;

  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy: string | null;

  @Field({ description: 'When the customer asked.' })
  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Field(() => Date, { nullable: true, description: 'When staff recorded the seller’s answer; null before.' })
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Staff’s note to the customer about the seller’s answer.' })
  @Column({ name: 'decision_note', type: 'varchar', length: 1000, nullable: true })
  decisionNote: string | null;

  /** The local shipping as staff entered it (fen or yen), with its currency. */
  @Column({ name: 'local_shipping', type: 'bigint', nullable: true, transformer: bigintTransformer })
  localShippingMinor: bigint | null;

  @Column({ name: 'local_shipping_currency', type: 'enum', enum: Currency, enumName: 'currency', nullable: true })
  localShippingCurrency: Currency | null;

  /** The same in yen (CNY converted once, at the first invoice's rate). */
  @Column({ name: 'local_shipping_jpy', type: 'bigint', default: 0, transformer: bigintTransformer })
  localShippingJpyMinor: bigint;

  @Field(() => LocalShippingPayer, { nullable: true, description: 'Who pays the local shipping; null when there is none.' })
  @Column({ name: 'charge_to', type: 'enum', enum: LocalShippingPayer, enumName: 'local_shipping_payer', nullable: true })
  chargeTo: LocalShippingPayer | null;

  @Column({ name: 'refunded', type: 'bigint', default: 0, transformer: bigintTransformer })
  refundedMinor: bigint;

  /** Local shipping the customer pays, kept back from a return's refund. */
  @Column({ name: 'withheld', type: 'bigint', default: 0, transformer: bigintTransformer })
  withheldMinor: bigint;

  /** Local shipping the customer pays on the second invoice (an OTHER line). */
  @Column({ name: 'second_invoice_charge', type: 'bigint', default: 0, transformer: bigintTransformer })
  secondInvoiceChargeMinor: bigint;

  /** The second invoice the charge is on; null while it waits for `issueSecondInvoice`. */
  @Column({ name: 'charged_invoice_id', type: 'uuid', nullable: true })
  chargedInvoiceId: string | null;

  @ManyToOne(() => Invoice, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'charged_invoice_id', foreignKeyConstraintName: 'item_return_request_invoice_fk' })
  chargedInvoice?: Invoice;

  @Column({ name: 'completed_by', type: 'uuid', nullable: true })
  completedBy: string | null;

  @Field(() => Date, { nullable: true, description: 'When it completed (return refunded, or replacement inspected); null before.' })
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Staff’s note on completion, e.g. how the replacement looked.' })
  @Column({ name: 'completion_note', type: 'varchar', length: 1000, nullable: true })
  completionNote: string | null;

  @Field(() => Int, { nullable: true, description: 'EXCHANGE: how many units of the replacement the warehouse counted at its inspection (also the item’s `inspection` now).' })
  @Column({ name: 'replacement_received_quantity', type: 'int', nullable: true })
  replacementReceivedQuantity: number | null;

  @Field(() => Money, { nullable: true, description: 'The local shipping (to the seller / of the replacement) as staff entered it, CNY or JPY.' })
  get localShippingCost(): Money | null {
    return this.localShippingMinor == null || this.localShippingCurrency == null ? null : Money.of(this.localShippingMinor, this.localShippingCurrency);
  }

  @Field(() => Money, { description: 'The local shipping in yen (CNY converted at the order’s first-invoice rate).' })
  get localShippingJpy(): Money {
    return Money.jpy(this.localShippingJpyMinor);
  }

  @Field(() => Money, { description: 'Refunded to the deposit (an accepted return).' })
  get refunded(): Money {
    return Money.jpy(this.refundedMinor);
  }

  @Field(() => Money, { description: 'Local shipping paid by the customer out of the return’s refund.' })
  get withheldFromRefund(): Money {
    return Money.jpy(this.withheldMinor);
  }

  @Field(() => Money, { description: 'Local shipping billed on the second invoice (now, or when it is issued).' })
  get secondInvoiceCharge(): Money {
    return Money.jpy(this.secondInvoiceChargeMinor);
  }
}
