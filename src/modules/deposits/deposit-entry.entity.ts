import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, Money } from '../../common/money';
import { Account } from '../accounts/account.entity';
import { DepositAccount } from './deposit-account.entity';

export enum DepositEntryKind {
  TOP_UP = 'TOP_UP', // + the customer added money (bank transfer or card)
  INVOICE_PAYMENT = 'INVOICE_PAYMENT', // − deposit used to pay an invoice
  REFUND = 'REFUND', // + money returned for cancelled or unavailable items
  ADJUSTMENT = 'ADJUSTMENT', // ± a staff correction; always carries a note
  TRANSFER_EXCESS = 'TRANSFER_EXCESS', // + the part of a bank transfer above the amount due
  PAYMENT_REVERSAL = 'PAYMENT_REVERSAL', // + an INVOICE_PAYMENT undone because its payment was voided
  WITHDRAWAL_HOLD = 'WITHDRAWAL_HOLD', // − held for a withdrawal to the customer's bank account, once per withdrawal
  WITHDRAWAL_RELEASE = 'WITHDRAWAL_RELEASE', // + a rejected withdrawal's hold given back, once per withdrawal
}
registerEnumType(DepositEntryKind, {
  name: 'DepositEntryKind',
  description: 'Why the deposit changed. Each kind has a fixed sign except ADJUSTMENT.',
  valuesConfig: {
    TOP_UP: { description: 'Money the customer added (credit).' },
    INVOICE_PAYMENT: { description: 'Deposit used to pay an invoice (debit).' },
    REFUND: { description: 'Money returned for cancelled or unavailable items (credit).' },
    ADJUSTMENT: { description: 'A correction by staff, either sign, with a note.' },
    TRANSFER_EXCESS: { description: 'The part of a bank transfer above the amount due (credit).' },
    PAYMENT_REVERSAL: { description: 'An invoice payment from the deposit undone because the payment was voided (credit).' },
    WITHDRAWAL_HOLD: { description: 'Held at once for a withdrawal to the customer’s bank account (debit); stays taken when staff complete the transfer.' },
    WITHDRAWAL_RELEASE: { description: 'A rejected withdrawal’s held amount given back (credit).' },
  },
});

/** The sign each kind must have; the database checks the same rule (deposit_entry_sign_check). */
export const ENTRY_SIGN: Record<DepositEntryKind, 1 | -1 | 0> = {
  TOP_UP: 1,
  INVOICE_PAYMENT: -1,
  REFUND: 1,
  ADJUSTMENT: 0,
  TRANSFER_EXCESS: 1,
  PAYMENT_REVERSAL: 1,
  WITHDRAWAL_HOLD: -1,
  WITHDRAWAL_RELEASE: 1,
};

/** What an entry is about. Every kind but ADJUSTMENT must name one. */
export enum DepositReferenceKind {
  ORDER = 'ORDER',
  ORDER_ITEM = 'ORDER_ITEM',
  INVOICE = 'INVOICE',
  PAYMENT = 'PAYMENT',
  CANCELLATION_REQUEST = 'CANCELLATION_REQUEST',
  DELIVERY_PROBLEM = 'DELIVERY_PROBLEM',
  WITHDRAWAL = 'WITHDRAWAL',
  REFUND = 'REFUND',
  PRICE_CHANGE = 'PRICE_CHANGE',
}
registerEnumType(DepositReferenceKind, {
  name: 'DepositReferenceKind',
  description: 'What kind of record a deposit entry is about.',
  valuesConfig: {
    ORDER: { description: 'A cancelled order whose received money was refunded.' },
    ORDER_ITEM: { description: 'An item refunded because it was cancelled, could not be bought, or bought in a smaller quantity.' },
    INVOICE: { description: 'An invoice. Reserved: entries of invoice payments reference the PAYMENT.' },
    PAYMENT: { description: 'A payment: the deposit part of an invoice payment, a top-up, or a transfer’s excess.' },
    CANCELLATION_REQUEST: { description: 'A cancellation request staff approved, refunding the cancelled items.' },
    DELIVERY_PROBLEM: { description: 'A refund for a delivery problem (lost, returned, damaged …).' },
    PRICE_CHANGE: { description: 'A seller lowered an item’s price after payment: the difference refunded.' },
    WITHDRAWAL: { description: 'A withdrawal to the customer’s bank account (its hold, or its release when rejected).' },
    REFUND: { description: 'A card refund PayPal refused for good, credited to the deposit instead.' },
  },
});

@ObjectType({ description: 'The record an entry is about, e.g. {kind: PAYMENT, id: "…"}.' })
export class DepositReference {
  @Field(() => DepositReferenceKind, { description: 'What kind of record it is.' })
  kind: DepositReferenceKind;

  @Field(() => ID, { description: 'The record’s id (e.g. the payment’s or the order’s).' })
  id: string;
}

/**
 * One movement of a customer's deposit. Append-only: the database refuses UPDATE, DELETE and
 * TRUNCATE, and checks that each entry continues its account's chain
 * (previous balance_after + amount = balance_after = the account's balance).
 */
@ObjectType({ description: 'One movement of the deposit. Entries are never changed or deleted.' })
@Entity('deposit_entry')
@Index('deposit_entry_account_idx', ['accountId', 'id'])
// A payment moves the deposit at most once of each kind: a retried webhook or a double click
// cannot credit a top-up or debit an invoice payment twice.
@Index('deposit_entry_once_per_reference_key', ['kind', 'referenceKind', 'referenceId'], {
  unique: true,
  where: `"kind" IN ('TOP_UP', 'INVOICE_PAYMENT', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL', 'WITHDRAWAL_HOLD', 'WITHDRAWAL_RELEASE')`,
})
@Check('deposit_entry_amount_check', `"amount" <> 0`)
@Check('deposit_entry_balance_after_check', `"balance_after" >= 0`)
@Check(
  'deposit_entry_sign_check',
  `"kind" = 'ADJUSTMENT' OR ("kind" IN ('INVOICE_PAYMENT', 'WITHDRAWAL_HOLD') AND "amount" < 0) OR ("kind" IN ('TOP_UP', 'REFUND', 'TRANSFER_EXCESS', 'PAYMENT_REVERSAL', 'WITHDRAWAL_RELEASE') AND "amount" > 0)`,
)
@Check(
  'deposit_entry_reference_check',
  `("reference_kind" IS NULL) = ("reference_id" IS NULL) AND ("kind" = 'ADJUSTMENT' OR "reference_id" IS NOT NULL)`,
)
@Check('deposit_entry_note_check', `"kind" <> 'ADJUSTMENT' OR btrim(coalesce("note", '')) <> ''`)
export class DepositEntry {
  @Field(() => ID, { description: 'The entry’s id; entries are numbered in the order they were posted.' })
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne(() => DepositAccount, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id', referencedColumnName: 'accountId' })
  depositAccount?: DepositAccount;

  @Field(() => DepositEntryKind, { description: 'Why the deposit changed.' })
  @Column({ type: 'enum', enum: DepositEntryKind, enumName: 'deposit_entry_kind' })
  kind: DepositEntryKind;

  /** Signed yen: positive credits, negative debits, never zero. */
  @Column({ name: 'amount', type: 'bigint', transformer: bigintTransformer })
  amountMinor: bigint;

  @Column({ name: 'balance_after', type: 'bigint', transformer: bigintTransformer })
  balanceAfterMinor: bigint;

  @Column({ name: 'reference_kind', type: 'enum', enum: DepositReferenceKind, enumName: 'deposit_reference_kind', nullable: true })
  referenceKind: DepositReferenceKind | null;

  @Column({ name: 'reference_id', type: 'uuid', nullable: true })
  referenceId: string | null;

  /** Who posted it; null when the system did (e.g. an automatic refund). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @ManyToOne(() => Account, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'actor_id' })
  actor?: Account | null;

  @Field(() => String, { nullable: true, description: 'What the customer reads about the entry (e.g. which order or item was refunded); null if none.' })
  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Field({ description: 'When the entry was posted.' })
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Money, { description: 'Signed: positive adds to the deposit, negative takes from it.' })
  get amount(): Money {
    return Money.jpy(this.amountMinor);
  }

  @Field(() => Money, { description: 'The deposit balance right after this entry.' })
  get balanceAfter(): Money {
    return Money.jpy(this.balanceAfterMinor);
  }

  @Field(() => DepositReference, { nullable: true, description: 'The record the entry is about; null for a staff adjustment.' })
  get reference(): DepositReference | null {
    if (!this.referenceKind || !this.referenceId) return null;
    return { kind: this.referenceKind, id: this.referenceId };
  }

  @Field(() => String, {
    nullable: true,
    description: 'Display name of whoever posted the entry; null when the system did.',
  })
  get actorName(): string | null {
    return this.actor?.name ?? null;
  }
}
