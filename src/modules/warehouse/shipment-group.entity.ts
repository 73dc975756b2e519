import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from '../../common/money';
import { Order } from '../orders/order.entity';

/**
 * Several orders of one customer to one address, packed as one parcel (Amazon seller seed:
 * orders may ship together, each keeping its own records). The parcel is priced once; each
 * order's second invoice carries its share (`ShipmentGroupOrder.share`). Shipped together.
 */
@Entity('shipment_group')
@Check('shipment_group_parcel_check', `"weight_grams" > 0 AND "length_mm" > 0 AND "width_mm" > 0 AND "height_mm" > 0 AND "price" > 0`)
export class ShipmentGroup {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** shipping/shipping-method.ts `ShippingMethod`. */
  @Column({ type: 'varchar', length: 10 })
  method: string;

  @Column({ name: 'weight_grams', type: 'int' })
  weightGrams: number;

  @Column({ name: 'length_mm', type: 'int' })
  lengthMm: number;

  @Column({ name: 'width_mm', type: 'int' })
  widthMm: number;

  @Column({ name: 'height_mm', type: 'int' })
  heightMm: number;

  @Column({ name: 'chargeable_grams', type: 'int' })
  chargeableGrams: number;

  /** The one parcel's price by the rate tables, in yen; the members' shares add up to it. */
  @Column({ name: 'price', type: 'bigint', transformer: bigintTransformer })
  priceMinor: bigint;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** warehouse/carriers.ts `Carrier`, set when the parcel ships (same on every member order). */
  @Column({ name: 'carrier', type: 'varchar', length: 20, nullable: true })
  carrier: string | null;

  @Column({ name: 'tracking_number', type: 'varchar', length: 40, nullable: true })
  trackingNumber: string | null;

  @Column({ name: 'shipped_at', type: 'timestamptz', nullable: true })
  shippedAt: Date | null;
}

/** One order of a shipment group, with what it pays of the parcel. An order is in at most one group. */
@Entity('shipment_group_order')
@Index('shipment_group_order_order_key', ['orderId'], { unique: true })
@Check('shipment_group_order_share_check', `"share" >= 0 AND "units" > 0`)
export class ShipmentGroupOrder {
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId: string;

  @ManyToOne(() => ShipmentGroup, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'shipment_group_order_group_fk' })
  group?: ShipmentGroup;

  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'shipment_group_order_order_fk' })
  order?: Order;

  /** The split key: units received at the warehouse (live items). */
  @Column({ type: 'int' })
  units: number;

  /** This order's part of the parcel price, in yen (largest-remainder split). */
  @Column({ name: 'share', type: 'bigint', transformer: bigintTransformer })
  shareMinor: bigint;
}
