import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Something that happened on one of the viewer's orders, as the app shows it (in-app
 * notifications). Written by the outbox dispatcher from a timeline event, at most once per
 * event and account however often the dispatch is retried.
 */
@ObjectType({ description: 'Something that happened on one of your orders, shown in the app (and sent by e-mail unless turned off).' })
@Entity('notification')
@Index('notification_account_idx', ['accountId', 'id'])
@Index('notification_unread_idx', ['accountId'], { where: '"read_at" IS NULL' })
@Index('notification_event_account_key', ['eventId', 'accountId'], { unique: true })
export class Notification {
  @Field(() => ID, { description: 'The notification’s id.' })
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Field(() => ID, { description: 'The order it is about.' })
  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @Column({ name: 'event_id', type: 'bigint' })
  eventId: string;

  @Field({ description: 'What kind of news: QUOTE_ISSUED, PAYMENT_CONFIRMED, SHIPPED, … (NotificationKind values).' })
  @Column({ type: 'varchar', length: 40 })
  kind: string;

  @Field({ description: 'One line, in Japanese, e.g. 「お見積もりが届きました」.' })
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Field({ description: 'The details, in Japanese plain text.' })
  @Column({ type: 'text' })
  body: string;

  @Field({ description: 'When it happened.' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the viewer marked it read; null while unread.' })
  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;
}

/**
 * Timeline events not yet dispatched: a row is written by a trigger in the transaction that
 * records the event, so an event is announced if and only if its transaction commits, and a
 * crash after the commit leaves the row for the next dispatch.
 */
@Entity('outbox')
export class OutboxEntry {
  @PrimaryColumn({ name: 'event_id', type: 'bigint' })
  eventId: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

/**
 * An e-mail to send, one per event, recipient and kind (unique): retries of the dispatch or of
 * the delivery job never make a second mail. `sentAt` is set once the SMTP server took it.
 */
@Entity('outgoing_mail')
@Index('outgoing_mail_event_key', ['eventId', 'recipient', 'kind'], { unique: true })
@Index('outgoing_mail_unsent_idx', ['createdAt'], { where: '"sent_at" IS NULL' })
export class OutgoingMail {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'event_id', type: 'bigint', nullable: true })
  eventId: string | null;

  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId: string | null;

  @Column({ type: 'varchar', length: 320 })
  recipient: string;

  @Column({ type: 'varchar', length: 40 })
  kind: string;

  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ type: 'text' })
  text: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ name: 'message_id', type: 'varchar', length: 200, nullable: true })
  messageId: string | null;
}
