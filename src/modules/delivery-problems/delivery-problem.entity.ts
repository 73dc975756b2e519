import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, Money } from '../../common/money';
import type { TransitionTable } from '../../common/state-machine';
import { ActorRole } from '../orders/order-event.entity';
import { Order } from '../orders/order.entity';
import { Carrier } from '../warehouse/carriers';

/** What went wrong after the parcel left (seeds 001, 002, 004). */
export enum DeliveryProblemKind {
  LOST = 'LOST', // never arrived; traced with the carrier
  RETURNED_TO_SENDER = 'RETURNED_TO_SENDER', // undeliverable or unknown address: came back to us
  REFUSED = 'REFUSED', // the buyer refused delivery
  DAMAGED = 'DAMAGED', // arrived broken
  WRONG_ITEM = 'WRONG_ITEM', // arrived, but not what was ordered
}
registerEnumType(DeliveryProblemKind, {
  name: 'DeliveryProblemKind',
  description: 'What went wrong with a shipped parcel.',
  valuesConfig: {
    LOST: { description: 'The parcel never arrived; staff trace it with the carrier.' },
    RETURNED_TO_SENDER: { description: 'Undeliverable (unknown address, not collected): the parcel came back.' },
    REFUSED: { description: 'The buyer refused the delivery.' },
    DAMAGED: { description: 'The parcel or its goods arrived damaged.' },
    WRONG_ITEM: { description: 'The parcel arrived with goods other than those ordered.' },
  },
});

export enum DeliveryProblemStatus {
  OPEN = 'OPEN', // reported; staff are on it, and the order is not auto-completed
  RESOLVED = 'RESOLVED', // staff reshipped, refunded or closed it, with a note
}
registerEnumType(DeliveryProblemStatus, {
  name: 'DeliveryProblemStatus',
  description: 'Where a delivery problem stands.',
  valuesConfig: {
    OPEN: { description: 'Reported; staff are on it. The order is not auto-completed meanwhile.' },
    RESOLVED: { description: 'Staff reshipped, refunded or closed it (see `resolution`).' },
  },
});

export const DELIVERY_PROBLEM_TRANSITIONS: TransitionTable<DeliveryProblemStatus> = {
  OPEN: [DeliveryProblemStatus.RESOLVED],
  RESOLVED: [],
};

export enum DeliveryProblemResolution {
  RESHIP = 'RESHIP', // a new parcel left with a new tracking number
  REFUND = 'REFUND', // money back to the deposit (a guest's is owed by hand)
  CLOSE = 'CLOSE', // nothing to do (found, delivered after all, customer withdrew)
}
registerEnumType(DeliveryProblemResolution, {
  name: 'DeliveryProblemResolution',
  description: 'How staff resolved a delivery problem.',
  valuesConfig: {
    RESHIP: { description: 'Sent again: a new carrier and tracking number on the order; the 30-day auto-completion counts from the reship.' },
    REFUND: { description: 'An amount refunded to the deposit (a guest’s is recorded as owed, for staff to pay by hand).' },
    CLOSE: { description: 'Nothing to do: the parcel turned up, or the customer withdrew the report.' },
  },
});

/**
 * A problem with a shipped parcel, reported by staff or by the customer (then with a message
 * in the thread). At most one is open per order; while it is, the order is not auto-completed.
 * Moves only through `Lifecycle.deliveryProblem`, whose RESOLVED hook does what the resolution says.
 */
@ObjectType({ description: 'A problem with a shipped parcel: lost, returned, refused, damaged or the wrong goods; and how staff resolved it.' })
@Entity('delivery_problem')
// At most one open problem per order; also the DELIVERY_PROBLEM staff queue.
@Index('delivery_problem_open_key', ['orderId'], { unique: true, where: `"status" = 'OPEN'` })
@Index('delivery_problem_order_idx', ['orderId', 'openedAt'])
@Check(
  'delivery_problem_resolution_check',
  `("status" = 'OPEN' AND "resolution" IS NULL AND "resolved_at" IS NULL) OR ("status" = 'RESOLVED' AND "resolution" IS NOT NULL AND "resolved_at" IS NOT NULL)`,
)
@Check('delivery_problem_refund_check', `("resolution" = 'REFUND') = ("refund_amount" IS NOT NULL) AND coalesce("refund_amount", 1) > 0`)
@Check('delivery_problem_reship_check', `("resolution" = 'RESHIP') = ("reship_tracking_number" IS NOT NULL AND "reship_carrier" IS NOT NULL)`)
export class DeliveryProblem {
  @Field(() => ID, { description: 'The problem’s id (for orderDeliveryProblemResolve).' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { description: 'The order whose parcel it is about.' })
  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'delivery_problem_order_fk' })
  order?: Order;

  @Field(() => DeliveryProblemKind, { description: 'What went wrong.' })
  @Column({ type: 'enum', enum: DeliveryProblemKind, enumName: 'delivery_problem_kind' })
  kind: DeliveryProblemKind;

  @Field(() => DeliveryProblemStatus, { description: 'OPEN until staff resolve it.' })
  @Column({ type: 'enum', enum: DeliveryProblemStatus, enumName: 'delivery_problem_status', default: DeliveryProblemStatus.OPEN })
  status: DeliveryProblemStatus;

  @Field({ description: 'What was reported: the customer’s words, or staff’s note.' })
  @Column({ type: 'varchar', length: 2000 })
  note: string;

  @Field(() => ID, { nullable: true, description: 'The thread message the customer reported it with (with their photos); null when staff recorded it.' })
  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId: string | null;

  @Field({ description: 'The tracking number of the parcel the problem is about (the order’s when it was reported).' })
  @Column({ name: 'tracking_number', type: 'varchar', length: 40 })
  trackingNumber: string;

  @Field(() => ActorRole, { description: 'Who reported it: CUSTOMER, GUEST or STAFF.' })
  @Column({ name: 'opened_by_role', type: 'enum', enum: ActorRole, enumName: 'actor_role' })
  openedByRole: ActorRole;

  /** The account that reported it (null for a guest). */
  @Column({ name: 'opened_by', type: 'uuid', nullable: true })
  openedBy: string | null;

  @Field({ description: 'When it was reported.' })
  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Field(() => DeliveryProblemResolution, { nullable: true, description: 'Once resolved: how.' })
  @Column({ type: 'enum', enum: DeliveryProblemResolution, enumName: 'delivery_problem_resolution', nullable: true })
  resolution: DeliveryProblemResolution | null;

  @Field(() => String, { nullable: true, description: 'Staff’s note to the customer on the resolution.' })
  @Column({ name: 'resolution_note', type: 'varchar', length: 2000, nullable: true })
  resolutionNote: string | null;

  /** The staff member who resolved it. */
  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @Field(() => Date, { nullable: true, description: 'When staff resolved it.' })
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  /** REFUND: yen refunded. */
  @Column({ name: 'refund_amount', type: 'bigint', nullable: true, transformer: bigintTransformer })
  refundAmountMinor: bigint | null;

  @Field(() => Carrier, { nullable: true, description: 'RESHIP: the carrier of the new parcel.' })
  @Column({ name: 'reship_carrier', type: 'varchar', length: 20, nullable: true })
  reshipCarrier: Carrier | null;

  @Field(() => String, { nullable: true, description: 'RESHIP: the new parcel’s tracking number (also on `Order.shipment`).' })
  @Column({ name: 'reship_tracking_number', type: 'varchar', length: 40, nullable: true })
  reshipTrackingNumber: string | null;

  @Field(() => Money, { nullable: true, description: 'REFUND: what was refunded (JPY).' })
  get refundAmount(): Money | null {
    return this.refundAmountMinor === null ? null : Money.jpy(this.refundAmountMinor);
  }
}
