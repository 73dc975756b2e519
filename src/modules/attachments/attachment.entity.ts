import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';

export enum AttachmentPurpose {
  MESSAGE = 'MESSAGE', // a file sent in an order's message thread
  INSPECTION = 'INSPECTION', // a warehouse inspection photo of an item
}
registerEnumType(AttachmentPurpose, {
  name: 'AttachmentPurpose',
  description: 'Where a file belongs.',
  valuesConfig: {
    MESSAGE: { description: 'A file sent in an order’s message thread.' },
    INSPECTION: { description: 'A warehouse inspection photo of an item.' },
  },
});

/**
 * A stored file's record. Its bytes live in attachment storage under `storageKey`; the row is
 * written in the same transaction as what it belongs to, so a file without a row is an orphan
 * to delete, never a lost attachment. Access follows the order.
 */
@ObjectType({ description: 'A file: a JPG, PNG, GIF, WEBP or PDF of at most 10 MB.' })
@Entity('attachment')
@Index('attachment_message_idx', ['messageId', 'position'])
@Index('attachment_order_item_idx', ['orderId', 'itemId'])
@Check('attachment_size_check', `"byte_size" BETWEEN 1 AND 10485760`)
export class Attachment {
  @Field(() => ID, { description: 'The file’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'attachment_order_fk' })
  order?: Order;

  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId: string | null;

  // Message and ItemReturnRequest are named, not imported: messaging and warehouse import
  // attachments, so an import back would tie the modules both ways. Nothing loads these two
  // relations; they declare the foreign keys.
  @ManyToOne('Message', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'attachment_message_fk' })
  message?: unknown;

  @Column({ name: 'item_id', type: 'uuid', nullable: true })
  itemId: string | null;

  @ManyToOne(() => OrderItem, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'item_id', foreignKeyConstraintName: 'attachment_item_fk' })
  item?: OrderItem;

  /** An inspection photo of an exchange's replacement: that exchange (null for the first arrival's photos). */
  @Column({ name: 'return_request_id', type: 'uuid', nullable: true })
  returnRequestId: string | null;

  @ManyToOne('ItemReturnRequest', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'return_request_id', foreignKeyConstraintName: 'attachment_return_request_fk' })
  returnRequest?: unknown;

  @Field(() => AttachmentPurpose, { description: 'A message file or an inspection photo.' })
  @Column({ type: 'enum', enum: AttachmentPurpose, enumName: 'attachment_purpose' })
  purpose: AttachmentPurpose;

  @Column({ type: 'int', default: 0 })
  position: number;

  @Index('attachment_storage_key_key', { unique: true })
  @Column({ name: 'storage_key', type: 'varchar', length: 100 })
  storageKey: string;

  @Field({ description: 'The type detected from the file’s bytes; the type it is served with.' })
  @Column({ name: 'content_type', type: 'varchar', length: 50 })
  contentType: string;

  @Field(() => Int, { description: 'The file’s size in bytes.' })
  @Column({ name: 'byte_size', type: 'int' })
  byteSize: number;

  @Field({ description: 'Hex SHA-256 of the bytes.' })
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Field({ description: 'The uploaded file name, cleaned; for display only.', name: 'filename' })
  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName: string;

  @Field({ description: 'When it was uploaded.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
