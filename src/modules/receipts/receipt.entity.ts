import { Column, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Invoice } from '../invoices/invoice.entity';
import type { ReceiptContent } from './receipt-tax';

/**
 * The receipt (領収書) of one paid invoice, fixed when first issued: its number, recipient, date
 * and content are kept, so every later copy is the same document, marked 再発行. One per invoice.
 */
@Entity('receipt')
@Index('receipt_invoice_key', ['invoiceId'], { unique: true })
export class Receipt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The receipt number is `R` + this, 8 digits: unique, in order of first issue. */
  @Column({ type: 'bigint', update: false })
  @Generated('increment')
  seq: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId: string;

  @ManyToOne(() => Invoice, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'invoice_id', foreignKeyConstraintName: 'receipt_invoice_fk' })
  invoice?: Invoice;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  /** 宛名: the name asked for, or the account's name (a guest's: the delivery recipient). */
  @Column({ name: 'recipient_name', type: 'varchar', length: 100 })
  recipientName: string;

  /** The first issue (business time): the receipt's date. */
  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;

  /** Copies handed out so far; every copy after the first is marked 再発行. */
  @Column({ name: 'copies', type: 'int', default: 0 })
  copies: number;

  /** What the receipt says, as computed at the first issue (amounts as decimal strings). */
  @Column({ type: 'jsonb' })
  content: ReceiptContent;
}

export function receiptNumber(receipt: Pick<Receipt, 'seq'>): string {
  return `R${receipt.seq.padStart(8, '0')}`;
}
