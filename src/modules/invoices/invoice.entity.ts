import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Order } from '../orders/order.entity';
import { bigintTransformer, Currency, Money } from '../../common/money';
import { amountDue } from './invoice-money';
import { InvoiceKind, InvoiceLineKind, InvoiceStatus } from './invoice-state';

/** One line as stored (jsonb): amounts as decimal-free strings of minor units. */
export interface StoredInvoiceLine {
  kind: InvoiceLineKind;
  description: string;
  itemId: string | null;
  quantity: number | null;
  /** JPY, in yen. */
  amount: string;
  /** The CNY source of a converted line, in fen. */
  sourceAmountCny?: string;
}

@ObjectType({ description: 'What one amount on an invoice is for.' })
export class InvoiceLine {
  @Field(() => InvoiceLineKind, { description: 'What the line charges for.' })
  kind: InvoiceLineKind;

  @Field({ description: 'The line as shown to the customer, e.g. "Service fee (5% of goods, at least ¥500)".' })
  description: string;

  @Field(() => ID, { nullable: true, description: 'The order item the line is for; null for order-wide lines (fee, international shipping).' })
  itemId: string | null;

  @Field(() => Int, { nullable: true, description: 'How many units a GOODS line charges; null for other lines.' })
  quantity: number | null;

  @Field(() => Money, { description: 'The line’s amount, in JPY.' })
  amount: Money;

  @Field(() => Money, { nullable: true, description: 'The yuan amount this line was converted from.' })
  sourceAmount: Money | null;

  static from(stored: StoredInvoiceLine): InvoiceLine {
    const line = new InvoiceLine();
    line.kind = stored.kind;
    line.description = stored.description;
    line.itemId = stored.itemId;
    line.quantity = stored.quantity;
    line.amount = Money.jpy(BigInt(stored.amount));
    line.sourceAmount = stored.sourceAmountCny !== undefined ? Money.of(BigInt(stored.sourceAmountCny), Currency.CNY) : null;
    return line;
  }
}

@ObjectType({ description: 'A bill to the customer, in JPY: the first (goods), the second (international shipping), or an additional one for a price rise.' })
@Entity('invoice')
@Index('invoice_order_kind_key', ['orderId', 'kind'], { unique: true, where: `"kind" IN ('FIRST', 'SECOND')` })
@Index('invoice_order_idx', ['orderId', 'kind'])
@Index('invoice_open_due_idx', ['status', 'dueAt'])
@Check('invoice_amounts_check', `"total" >= 0 AND "amount_paid" >= 0`)
@Check('invoice_refund_check', `"amount_refunded" BETWEEN 0 AND "amount_paid"`)
export class Invoice {
  @Field(() => ID, { description: 'The invoice’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'invoice_order_fk' })
  order?: Order;

  @Field(() => InvoiceKind, { description: 'FIRST (goods) or SECOND (international shipping).' })
  @Column({ type: 'enum', enum: InvoiceKind, enumName: 'invoice_kind' })
  kind: InvoiceKind;

  @Field(() => InvoiceStatus, { description: 'Where the invoice stands.' })
  @Column({ type: 'enum', enum: InvoiceStatus, enumName: 'invoice_status', default: InvoiceStatus.OPEN })
  status: InvoiceStatus;

  @Column({ type: 'enum', enum: Currency, enumName: 'currency', default: Currency.JPY })
  currency: Currency;

  /** What each amount is for (the `lines` field, invoice-fields.resolver.ts). */
  @Column({ name: 'lines', type: 'jsonb' })
  storedLines: StoredInvoiceLine[];

  @Column({ name: 'total', type: 'bigint', transformer: bigintTransformer })
  totalMinor: bigint;

  /** Settled payments only; maintained by the payments module in the same transaction. */
  @Column({ name: 'amount_paid', type: 'bigint', default: 0, transformer: bigintTransformer })
  amountPaidMinor: bigint;

  /** Paid money given back (to the deposit); never more than was paid — the database checks it. */
  @Column({ name: 'amount_refunded', type: 'bigint', default: 0, transformer: bigintTransformer })
  amountRefundedMinor: bigint;

  @Field(() => String, { nullable: true, description: 'JPY per 1 CNY used for this invoice, e.g. "21.3700".' })
  @Column({ name: 'exchange_rate', type: 'numeric', precision: 12, scale: 4, nullable: true })
  exchangeRate: string | null;

  /** The fee rule in force when issued, so a later config change does not alter it. */
  @Column({ name: 'pricing', type: 'jsonb' })
  pricing: Record<string, any>; // any: TypeORM cannot type-check jsonb updates of `unknown`

  @Field(() => Int, { description: 'Starts at 1; grows each time the invoice is recomputed.' })
  @Column({ type: 'int', default: 1 })
  revision: number;

  @Field({ description: 'When the invoice was issued.' })
  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;

  @Field(() => Date, { nullable: true, description: 'Unpaid past this, a first invoice’s order is cancelled, an additional invoice’s price change declined.' })
  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was paid in full; null until PAID.' })
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Field(() => Money, { description: 'The sum of `lines`, in JPY.' })
  get total(): Money {
    return Money.jpy(this.totalMinor);
  }

  @Field(() => Money, { description: 'Settled payments so far.' })
  get amountPaid(): Money {
    return Money.jpy(this.amountPaidMinor);
  }

  @Field(() => Money, { description: 'Paid money given back, e.g. for items that could not be bought.' })
  get amountRefunded(): Money {
    return Money.jpy(this.amountRefundedMinor);
  }

  @Field(() => Money, { description: 'What is still to pay (never below zero).' })
  get amountDue(): Money {
    return Money.jpy(amountDue(this));
  }
}
