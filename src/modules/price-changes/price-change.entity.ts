import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, Currency, Money } from '../../common/money';
import { Invoice } from '../invoices/invoice.entity';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { PriceChangeStatus } from './price-change-state';

/**
 * The seller changed an item's price or China shipping after the first payment. A rise waits
 * for the customer (its ADDITIONAL invoice); a fall is refunded when recorded. Moved only by its
 * StateMachine (lifecycle.priceChange); at most one waits per item (the partial unique index).
 */
@ObjectType({ description: 'A seller’s price change on an item after the first payment: a rise to accept and pay (or decline), or a fall refunded.' })
@Entity('price_change')
@Index('price_change_order_idx', ['orderId', 'seq'])
@Index('price_change_pending_item_key', ['itemId'], { unique: true, where: `"status" IN ('AWAITING_RESPONSE', 'ACCEPTED')` })
@Index('price_change_pending_due_idx', ['dueAt'], { where: `"status" IN ('AWAITING_RESPONSE', 'ACCEPTED')` })
@Index('price_change_invoice_idx', ['invoiceId'], { where: `"invoice_id" IS NOT NULL` })
@Check('price_change_prices_check', `"unit_price_before" > 0 AND "unit_price_after" > 0 AND "china_shipping_before" >= 0 AND "china_shipping_after" >= 0`)
@Check('price_change_rise_check', `("difference" > 0) = ("invoice_id" IS NOT NULL) AND ("difference" > 0) = ("due_at" IS NOT NULL)`)
export class PriceChange {
  @Field(() => ID, { description: 'The price change’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Recording order: an order's changes are listed oldest first (the test clock can stand still). */
  @Column({ type: 'bigint', update: false })
  @Generated('increment')
  seq: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'price_change_order_fk' })
  order?: Order;

  @Field(() => ID, { description: 'The item whose price changed.' })
  @Column({ name: 'item_id', type: 'uuid' })
  itemId: string;

  @ManyToOne(() => OrderItem, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'item_id', foreignKeyConstraintName: 'price_change_item_fk' })
  item?: OrderItem;

  /** A rise's ADDITIONAL invoice; null for a fall (or no change in yen). */
  @Column({ name: 'invoice_id', type: 'uuid', nullable: true })
  invoiceId: string | null;

  @ManyToOne(() => Invoice, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'invoice_id', foreignKeyConstraintName: 'price_change_invoice_fk' })
  invoice?: Invoice;

  @Field(() => PriceChangeStatus, { description: 'Where the price change stands.' })
  @Column({ type: 'enum', enum: PriceChangeStatus, enumName: 'price_change_status' })
  status: PriceChangeStatus;

  @Field(() => Int, { description: 'The quantity the difference was computed for (the item’s quantity when recorded).' })
  @Column({ type: 'int' })
  quantity: number;

  @Column({ name: 'unit_price_before', type: 'bigint', transformer: bigintTransformer })
  unitPriceBeforeCny: bigint;

  @Column({ name: 'unit_price_after', type: 'bigint', transformer: bigintTransformer })
  unitPriceAfterCny: bigint;

  @Column({ name: 'china_shipping_before', type: 'bigint', transformer: bigintTransformer })
  chinaShippingBeforeCny: bigint;

  @Column({ name: 'china_shipping_after', type: 'bigint', transformer: bigintTransformer })
  chinaShippingAfterCny: bigint;

  /** In yen at the first invoice's rate, fee included: above zero a rise to pay, below a fall refunded. */
  @Column({ name: 'difference', type: 'bigint', transformer: bigintTransformer })
  differenceMinor: bigint;

  @Field({ description: 'Staff’s explanation of the seller’s change, shown to the customer.' })
  @Column({ type: 'varchar', length: 1000 })
  note: string;

  @Field(() => Date, { nullable: true, description: 'A rise: unanswered or unpaid by then, it is declined (the item cancelled and refunded). Null for a fall.' })
  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Field({ description: 'When staff recorded the change.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it was accepted, applied, declined or withdrawn.' })
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Field(() => Money, { description: 'The unit price before the change, in CNY.' })
  get unitPriceBefore(): Money {
    return Money.of(this.unitPriceBeforeCny, Currency.CNY);
  }

  @Field(() => Money, { description: 'The seller’s new unit price, in CNY.' })
  get unitPriceAfter(): Money {
    return Money.of(this.unitPriceAfterCny, Currency.CNY);
  }

  @Field(() => Money, { description: 'China shipping before the change, in CNY.' })
  get chinaShippingBefore(): Money {
    return Money.of(this.chinaShippingBeforeCny, Currency.CNY);
  }

  @Field(() => Money, { description: 'The seller’s new China shipping, in CNY.' })
  get chinaShippingAfter(): Money {
    return Money.of(this.chinaShippingAfterCny, Currency.CNY);
  }

  @Field(() => Money, { description: 'What the change costs the customer in JPY (goods, China shipping and service fee at the first invoice’s rate): positive for a rise (the additional invoice’s total), negative for a fall (refunded).' })
  get difference(): Money {
    return Money.jpy(this.differenceMinor);
  }
}
