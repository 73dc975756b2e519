import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Column, Entity, Generated, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer, Money } from '../../common/money';
import { Account } from '../accounts/account.entity';
import { Order } from '../orders/order.entity';
import { BankAccountType } from '../payments/bank-account-config';
import { Payment } from '../payments/payment.entity';
import { BankAccountDetails, type PayoutBankAccount } from './bank-account';
import { WithdrawalSource, WithdrawalStatus } from './withdrawal-state';

/**
 * Money paid out to a Japanese bank account by staff: a customer's deposit withdrawal, or a
 * refund sent back to where it came from. A customer's is backed by the deposit ledger (held by
 * a WITHDRAWAL_HOLD entry when created, given back by WITHDRAWAL_RELEASE when rejected); a
 * guest's refund payout has no deposit. Moved only by its StateMachine (lifecycle.withdrawal).
 */
@ObjectType({ description: 'A payout to a Japanese bank account: a deposit withdrawal, or a refund to where the money came from.' })
@Entity('withdrawal')
@Index('withdrawal_status_queue_idx', ['status', 'seq'])
@Index('withdrawal_account_idx', ['accountId', 'seq'])
@Index('withdrawal_order_idx', ['orderId', 'seq'])
@Index('withdrawal_payment_idx', ['paymentId'])
@Check('withdrawal_amount_check', `"amount" > 0`)
@Check('withdrawal_owner_check', `"account_id" IS NOT NULL OR "order_id" IS NOT NULL`)
@Check(
  'withdrawal_bank_account_check',
  `("bank_name" IS NULL) = ("branch_name" IS NULL) AND ("bank_name" IS NULL) = ("account_type" IS NULL) AND ("bank_name" IS NULL) = ("account_number" IS NULL) AND ("bank_name" IS NULL) = ("account_holder_kana" IS NULL) AND ("account_number" IS NULL OR "account_number" ~ '^[0-9]{7}$')`,
)
@Check('withdrawal_completed_check', `"status" <> 'COMPLETED' OR ("bank_name" IS NOT NULL AND btrim(coalesce("transfer_reference", '')) <> '' AND "decided_at" IS NOT NULL)`)
@Check('withdrawal_rejected_check', `"status" <> 'REJECTED' OR (btrim(coalesce("decision_note", '')) <> '' AND "decided_at" IS NOT NULL)`)
export class Withdrawal {
  @Field(() => ID, { description: 'The payout’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Creation order: the staff queue is oldest first. */
  @Column({ type: 'bigint', update: false })
  @Generated('increment')
  seq: string;

  @Field(() => WithdrawalStatus, { description: 'Where the payout stands.' })
  @Column({ type: 'enum', enum: WithdrawalStatus, enumName: 'withdrawal_status' })
  status: WithdrawalStatus;

  @Field(() => WithdrawalSource, { description: 'A deposit withdrawal or a refund.' })
  @Column({ type: 'enum', enum: WithdrawalSource, enumName: 'withdrawal_source' })
  source: WithdrawalSource;

  /** The customer whose deposit holds the amount; null for a guest's refund payout. */
  @Field(() => ID, { nullable: true, description: 'The customer paid; null for a guest’s refund.' })
  @Column({ name: 'account_id', type: 'uuid', nullable: true })
  accountId: string | null;

  @ManyToOne(() => Account, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'withdrawal_account_fk' })
  account?: Account;

  @Field(() => ID, { nullable: true, description: 'The order whose refund this pays out; null for a deposit withdrawal.' })
  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId: string | null;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'withdrawal_order_fk' })
  order?: Order;

  @Field(() => ID, { nullable: true, description: 'The bank transfer payment whose money this returns.' })
  @Column({ name: 'payment_id', type: 'uuid', nullable: true })
  paymentId: string | null;

  @ManyToOne(() => Payment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'payment_id', foreignKeyConstraintName: 'withdrawal_payment_fk' })
  payment?: Payment;

  @Field(() => ID, { nullable: true, description: 'The card refund PayPal refused, paid out here instead.' })
  @Column({ name: 'refund_id', type: 'uuid', nullable: true })
  refundId: string | null;

  @Field(() => ID, { nullable: true, description: 'The rejected payout this one opens again (a guest’s refund).' })
  @Column({ name: 'replaces_id', type: 'uuid', nullable: true })
  replacesId: string | null;

  @Column({ name: 'amount', type: 'bigint', transformer: bigintTransformer })
  amountMinor: bigint;

  @Column({ name: 'bank_name', type: 'varchar', length: 60, nullable: true })
  bankName: string | null;

  @Column({ name: 'branch_name', type: 'varchar', length: 60, nullable: true })
  branchName: string | null;

  @Column({ name: 'account_type', type: 'enum', enum: BankAccountType, enumName: 'bank_account_type', nullable: true })
  accountType: BankAccountType | null;

  @Column({ name: 'account_number', type: 'varchar', length: 7, nullable: true })
  accountNumber: string | null;

  @Column({ name: 'account_holder_kana', type: 'varchar', length: 80, nullable: true })
  accountHolderKana: string | null;

  @Field({ description: 'When it was asked for (or, for a refund, when the refund was decided).' })
  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  /** Who asked: the customer, or the staff member whose action refunded; null for the system. */
  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy: string | null;

  @Field(() => Date, { nullable: true, description: 'When staff completed or rejected it.' })
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Field(() => String, { nullable: true, description: 'COMPLETED: the bank transfer’s reference, as staff recorded it.' })
  @Column({ name: 'transfer_reference', type: 'varchar', length: 100, nullable: true })
  transferReference: string | null;

  @Field(() => String, { nullable: true, description: 'REJECTED: why, shown to the customer.' })
  @Column({ name: 'decision_note', type: 'varchar', length: 500, nullable: true })
  decisionNote: string | null;

  @Field(() => Money, { description: 'Yen paid out (no transfer fee is deducted: the operator pays it).' })
  get amount(): Money {
    return Money.jpy(this.amountMinor);
  }

  @Field(() => BankAccountDetails, { nullable: true, description: 'Where the money goes; null while waiting for the customer’s account details.' })
  get bankAccount(): BankAccountDetails | null {
    if (!this.bankName || !this.branchName || !this.accountType || !this.accountNumber || !this.accountHolderKana) return null;
    return { bankName: this.bankName, branchName: this.branchName, accountType: this.accountType, accountNumber: this.accountNumber, accountHolderKana: this.accountHolderKana };
  }

  @Field({ description: 'REQUESTED without a bank account: the customer (or guest) must give one (`withdrawalBankAccountSet`) before staff can pay.' })
  get awaitingBankAccount(): boolean {
    return this.status === WithdrawalStatus.REQUESTED && this.bankName === null;
  }
}

/** The account columns of a withdrawal, from a parsed account (or all null). */
export function bankColumns(account: PayoutBankAccount | null) {
  return {
    bankName: account?.bankName ?? null,
    branchName: account?.branchName ?? null,
    accountType: account?.accountType ?? null,
    accountNumber: account?.accountNumber ?? null,
    accountHolderKana: account?.accountHolderKana ?? null,
  };
}
