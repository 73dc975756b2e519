import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Order } from './order.entity';

export enum ActorRole {
  CUSTOMER = 'CUSTOMER',
  GUEST = 'GUEST',
  STAFF = 'STAFF',
  SYSTEM = 'SYSTEM', // scheduled sweeps, payment provider callbacks
}
registerEnumType(ActorRole, {
  name: 'ActorRole',
  description: 'Who did something on an order.',
  valuesConfig: {
    CUSTOMER: { description: 'The signed-in customer who owns the order.' },
    GUEST: { description: 'A guest, proving access with the order number and phone.' },
    STAFF: { description: 'A staff member (shown by display name as the operator).' },
    SYSTEM: { description: 'The service itself: scheduled sweeps (auto-cancel, auto-complete) and payment provider callbacks.' },
  },
});

@ObjectType({ description: 'One entry of an order’s timeline: who did what, when, and what changed.' })
@Entity('order_event')
@Index('order_event_order_idx', ['orderId', 'id'])
export class OrderEvent {
  @Field(() => ID, { description: 'The entry’s id; entries are numbered in the order they happened.' })
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_event_order_fk' })
  order?: Order;

  @Field(() => ID, { nullable: true, description: 'The item concerned, if the event is about one.' })
  @Column({ name: 'item_id', type: 'uuid', nullable: true })
  itemId: string | null;

  @Field({ description: 'What happened, e.g. ORDER_STATUS_CHANGED, ITEM_QUANTITY_CHANGED, QUOTED.' })
  @Column({ type: 'varchar', length: 50 })
  type: string;

  @Field(() => ActorRole, { description: 'Who did it.' })
  @Column({ name: 'actor_role', type: 'enum', enum: ActorRole, enumName: 'actor_role' })
  actorRole: ActorRole;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Field(() => String, { nullable: true, description: 'Display name at the time (staff names are shown as the operator).' })
  @Column({ name: 'actor_name', type: 'varchar', length: 100, nullable: true })
  actorName: string | null;

  @Field(() => String, { nullable: true, description: 'The status before, for a status change (of the order or of what the event is about); else null.' })
  @Column({ name: 'from_state', type: 'varchar', length: 40, nullable: true })
  fromState: string | null;

  @Field(() => String, { nullable: true, description: 'The status after, for a status change; else null.' })
  @Column({ name: 'to_state', type: 'varchar', length: 40, nullable: true })
  toState: string | null;

  @Field(() => GraphQLJSONObject, { description: 'Details: before/after values, reasons, amounts (as decimal strings).' })
  @Column({ type: 'jsonb' })
  data: Record<string, any>; // any: TypeORM cannot type-check jsonb updates of `unknown`

  @Field({ description: 'When it happened.' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
