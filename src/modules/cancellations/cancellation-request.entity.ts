import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, Money } from '../../common/money';
import type { TransitionTable } from '../../common/state-machine';
import { Order } from '../orders/order.entity';

export enum CancellationRequestStatus {
  PENDING = 'PENDING', // sent by the customer; staff have not decided
  APPROVED = 'APPROVED', // staff cancelled the order or the named items and refunded them
  REJECTED = 'REJECTED', // staff refused, with a note (e.g. the goods are already on their way)
}
registerEnumType(CancellationRequestStatus, {
  name: 'CancellationRequestStatus',
  description: 'Where a cancellation request stands, in lifecycle order; APPROVED and REJECTED are final.',
  valuesConfig: {
    PENDING: { description: 'Sent by the customer; staff have not decided.' },
    APPROVED: { description: 'Final: staff cancelled the order or the named items and refunded them.' },
    REJECTED: { description: 'Final: staff refused, with a note (e.g. the goods are already on their way).' },
  },
});

export const CANCELLATION_REQUEST_TRANSITIONS: TransitionTable<CancellationRequestStatus> = {
  PENDING: [CancellationRequestStatus.APPROVED, CancellationRequestStatus.REJECTED],
  APPROVED: [],
  REJECTED: [],
};

/** After the first payment the customer can no longer cancel alone: they ask, staff decide. */
@ObjectType({ description: 'A customer’s request to cancel a paid order, or some of its items.' })
@Entity('cancellation_request')
// At most one open request per order.
// An order's requests, oldest first (Order.cancellationRequests).
@Index('cancellation_request_order_idx', ['orderId', 'requestedAt'])
@Index('cancellation_request_pending_key', ['orderId'], { unique: true, where: `"status" = 'PENDING'` })
export class CancellationRequest {
  @Field(() => ID, { description: 'The request’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { description: 'The order.' })
  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'cancellation_request_order_fk' })
  order?: Order;

  @Field(() => [ID], { nullable: true, description: 'The items to cancel; null means the whole order.' })
  @Column({ name: 'item_ids', type: 'uuid', array: true, nullable: true })
  itemIds: string[] | null;

  @Field({ description: 'Why the customer wants to cancel, in their words.' })
  @Column({ type: 'varchar', length: 1000 })
  reason: string;

  @Field(() => CancellationRequestStatus, { description: 'Where the request stands.' })
  @Column({ type: 'enum', enum: CancellationRequestStatus, enumName: 'cancellation_request_status', default: CancellationRequestStatus.PENDING })
  status: CancellationRequestStatus;

  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy: string | null;

  @Field({ description: 'When the customer sent it.' })
  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Field(() => Date, { nullable: true, description: 'When staff decided; null while PENDING.' })
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Staff’s note to the customer.' })
  @Column({ name: 'decision_note', type: 'varchar', length: 1000, nullable: true })
  decisionNote: string | null;

  @Column({ name: 'refunded', type: 'bigint', default: 0, transformer: bigintTransformer })
  refundedMinor: bigint;

  @Field(() => Money, { description: 'Refunded to the deposit when approved.' })
  get refunded(): Money {
    return Money.jpy(this.refundedMinor);
  }
}
