import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Order } from './order.entity';
import { bigintTransformer, Currency, Money } from '../../common/money';
import { ItemStatus } from './order-state';

@ObjectType({ description: 'One product line of an order.' })
@Entity('order_item')
@Index('order_item_order_idx', ['orderId', 'position'])
@Check('order_item_quantity_check', `"quantity" BETWEEN 1 AND 999`)
@Check('order_item_prices_check', `"unit_price_cny" >= 0 AND "china_shipping_cny" >= 0`)
@Check('order_item_price_fall_check', `"price_fall_refunded" >= 0`)
@Check('order_item_purchased_check', `"purchased_quantity" BETWEEN 1 AND "quantity"`)
@Check('order_item_received_check', `"received_quantity" >= 0`)
export class OrderItem {
  @Field(() => ID, { description: 'The item’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_item_order_fk' })
  order?: Order;

  /** Order of the lines as the customer entered them. */
  @Column({ type: 'int' })
  position: number;

  @Field({ description: 'The product page on the Chinese marketplace.' })
  @Column({ name: 'product_url', type: 'varchar', length: 2000 })
  productUrl: string;

  @Field({ description: 'The product name, as the customer wrote it.' })
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Field(() => String, { nullable: true, description: 'Colour, size and other choices, as the customer wrote them.' })
  @Column({ type: 'varchar', length: 300, nullable: true })
  options: string | null;

  @Field(() => Int, { description: 'How many the customer ordered (1–999).' })
  @Column({ type: 'int' })
  quantity: number;

  @Field(() => String, { nullable: true, description: 'The customer’s note to staff about buying it; null if none.' })
  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  @Field(() => ItemStatus, { description: 'Where the item stands.' })
  @Column({ type: 'enum', enum: ItemStatus, enumName: 'item_status', default: ItemStatus.BEFORE_PAYMENT })
  status: ItemStatus;

  /** CNY fen per unit, set by the quote. */
  @Column({ name: 'unit_price_cny', type: 'bigint', nullable: true, transformer: bigintTransformer })
  unitPriceCny: bigint | null;

  /** CNY fen for the seller's domestic shipping to our warehouse, set by the quote. */
  @Column({ name: 'china_shipping_cny', type: 'bigint', nullable: true, transformer: bigintTransformer })
  chinaShippingCny: bigint | null;

  /** Yen refunded from the first invoice because the seller lowered the price after payment (price changes). */
  @Column({ name: 'price_fall_refunded', type: 'bigint', default: 0, transformer: bigintTransformer })
  priceFallRefundedMinor: bigint;

  /** How many staff actually bought (≤ quantity; the rest was refunded). */
  @Field(() => Int, { nullable: true, description: 'How many staff actually bought.' })
  @Column({ name: 'purchased_quantity', type: 'int', nullable: true })
  purchasedQuantity: number | null;

  @Column({ name: 'received_quantity', type: 'int', nullable: true })
  receivedQuantity: number | null;

  @Column({ name: 'inspection_note', type: 'varchar', length: 2000, nullable: true })
  inspectionNote: string | null;

  @Column({ name: 'inspected_at', type: 'timestamptz', nullable: true })
  inspectedAt: Date | null;

  /** The exchange whose replacement the current inspection is of; null for the first arrival. */
  @Column({ name: 'inspection_request_id', type: 'uuid', nullable: true })
  inspectionRequestId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  // Getters rather than field resolvers: a page of orders reads hundreds (docs/benchmarks.md).
  @Field(() => Money, { nullable: true, description: 'Per unit, in CNY; set by the quote.' })
  get unitPrice(): Money | null {
    return this.unitPriceCny === null ? null : Money.of(this.unitPriceCny, Currency.CNY);
  }

  @Field(() => Money, { nullable: true, description: 'The seller’s shipping to our warehouse, in CNY; set by the quote.' })
  get chinaShipping(): Money | null {
    return this.chinaShippingCny === null ? null : Money.of(this.chinaShippingCny, Currency.CNY);
  }
}
