import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';

/** The two sides of an order's thread: the customer (signed in or guest) and the operator. */
export enum MessageSide {
  CUSTOMER = 'CUSTOMER',
  STAFF = 'STAFF',
}
registerEnumType(MessageSide, {
  name: 'MessageSide',
  description: 'Which side of an order’s thread wrote a message.',
  valuesConfig: {
    CUSTOMER: { description: 'The customer (or guest) who placed the order.' },
    STAFF: { description: 'The operator’s staff.' },
  },
});

@ObjectType({ description: 'Who wrote a message: display name only.' })
export class MessageAuthor {
  @Field(() => MessageSide, { description: 'Customer or staff.' })
  side: MessageSide;

  @Field({ description: 'The name to show: the customer’s (a guest’s recipient name), or the staff member’s followed by “(staff)”.' })
  name: string;
}

@ObjectType({ description: 'A message in an order’s thread between the customer and staff.' })
@Entity('message')
@Index('message_order_seq_idx', ['orderId', 'seq'])
// The REPLY_OVERDUE staff queue: reply deadlines still counting, by when they pass.
@Index('message_open_reply_deadline_idx', ['replyDeadline', 'orderId'], {
  where: `"author_side" = 'STAFF' AND "reply_deadline" IS NOT NULL AND "reply_deadline_closed_at" IS NULL`,
})
// An item's seller questions (message-loaders.ts `sellerQuestionsOf`); most messages are about no item.
@Index('message_item_idx', ['itemId'], { where: `"item_id" IS NOT NULL` })
// Unread counts (order-read-model.ts) and markRead: only the order's unread messages, not its thread.
@Index('message_unread_idx', ['orderId', 'authorSide'], { where: `"read_at" IS NULL` })
// Order.replyDeadline: the order's reply deadlines, newest first, not its whole thread.
@Index('message_reply_deadline_idx', ['orderId', 'seq'], { where: `"reply_deadline" IS NOT NULL` })
export class Message {
  @Field(() => ID, { description: 'The message’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Thread order; also the pagination key. */
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  seq: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'message_order_fk' })
  order?: Order;

  @Field(() => ID, { nullable: true, description: 'The item the message is about, if any.' })
  @Column({ name: 'item_id', type: 'uuid', nullable: true })
  itemId: string | null;

  @ManyToOne(() => OrderItem, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'item_id', foreignKeyConstraintName: 'message_item_fk' })
  item?: OrderItem;

  @Column({ name: 'author_side', type: 'enum', enum: MessageSide, enumName: 'message_side' })
  authorSide: MessageSide;

  @Column({ name: 'author_id', type: 'uuid', nullable: true })
  authorId: string | null;

  @Column({ name: 'author_name', type: 'varchar', length: 100 })
  authorName: string;

  @Field({ description: 'The message’s subject.' })
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Field({ description: 'The message text, as written (plain text).' })
  @Column({ type: 'varchar', length: 5000 })
  body: string;

  @Field({ description: 'A question for the seller that staff must answer before buying the item.' })
  @Column({ name: 'ask_seller_before_purchase', type: 'boolean', default: false })
  askSellerBeforePurchase: boolean;

  @Field(() => Date, { nullable: true, description: 'For a seller question: when staff answered it.' })
  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'answer_message_id', type: 'uuid', nullable: true })
  answerMessageId: string | null;

  @Field(() => Date, { nullable: true, description: 'Staff only: "if there is no reply by then, the order will be cancelled".' })
  @Column({ name: 'reply_deadline', type: 'timestamptz', nullable: true })
  replyDeadline: Date | null;

  /**
   * When a reply deadline stopped counting: the customer replied, staff set a newer deadline,
   * or the order was completed or cancelled. Null while it counts (REPLY_OVERDUE once passed).
   */
  @Column({ name: 'reply_deadline_closed_at', type: 'timestamptz', nullable: true })
  replyDeadlineClosedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the other side read it.' })
  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;

  @Field({ description: 'When it was sent.' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Field(() => MessageAuthor, { description: 'Who wrote it (display name only).' })
  get author(): MessageAuthor {
    return { side: this.authorSide, name: this.authorName };
  }
}
