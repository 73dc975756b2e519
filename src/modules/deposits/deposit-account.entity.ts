import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../common/money';
import { Account } from '../accounts/account.entity';

/**
 * A customer's deposit (デポジット) balance in JPY: the running total of their `deposit_entry`
 * rows, kept as a row so that posting locks it (one writer per customer at a time) and so the
 * database can refuse a negative balance. Triggers in the Deposits migration keep it equal to
 * the last entry's balance_after; nothing but DepositService.post changes it.
 */
@Entity('deposit_account')
@Check('deposit_account_balance_check', `"balance" >= 0`)
export class DepositAccount {
  @PrimaryColumn({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @ManyToOne(() => Account, { nullable: false, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;

  /** Yen. Never negative (CHECK deposit_account_balance_check). */
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer })
  balance: bigint;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
