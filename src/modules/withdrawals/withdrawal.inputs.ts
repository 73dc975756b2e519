import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { IDEMPOTENCY_KEY_MAX } from '../../common/idempotency';
import { Money, MoneyInput } from '../../common/money';
import { Connection } from '../../common/pagination';
import { GuestAccessInput } from '../orders/order.inputs';
import { BankAccountInput } from './bank-account';
import { Withdrawal } from './withdrawal.entity';
import { WithdrawalSource, WithdrawalStatus } from './withdrawal-state';

export const WithdrawalConnection = Connection(Withdrawal);
export const NOTE_MAX = 500;
export const REFERENCE_MAX = 100;

@InputType({ description: 'How much of your deposit to pay out, and where.' })
export class DepositWithdrawalRequestInput {
  @Field(() => MoneyInput, { description: 'JPY, whole yen, at least 1 and at most the deposit balance. Held from the deposit at once.' })
  amount: MoneyInput;

  @Field(() => BankAccountInput, { description: 'Where to transfer it: a Japanese bank account in the customer’s name.' })
  bankAccount: BankAccountInput;

  @Field({
    description:
      `1 to ${IDEMPOTENCY_KEY_MAX} visible ASCII characters, new for each withdrawal the customer means (a UUID). ` +
      'Retrying with the same key and input returns the first withdrawal and holds nothing more; the same key with another input is IDEMPOTENCY_KEY_REUSED.',
  })
  idempotencyKey: string;
}

@ObjectType({ description: 'The requested payout and the deposit balance after the hold, or userErrors.' })
export class DepositWithdrawalPayload {
  @Field(() => Withdrawal, { nullable: true, description: 'The payout, REQUESTED; null when refused.' })
  withdrawal?: Withdrawal;

  @Field(() => Money, { nullable: true, description: 'The deposit balance right after the amount was held (a replay returns the same value).' })
  balance?: Money;

  @Field(() => [UserError], { description: 'Why the request was refused (e.g. INSUFFICIENT_DEPOSIT); empty on success.' })
  userErrors: UserError[];
}

@InputType({ description: 'Staff: a payout that was transferred.' })
export class DepositWithdrawalCompleteInput {
  @Field(() => ID, { description: 'The REQUESTED payout.' })
  withdrawalId: string;

  @Field({ description: `The bank transfer that paid it (e.g. the bank’s transaction number), 1 to ${REFERENCE_MAX} characters.` })
  transferReference: string;
}

@InputType({ description: 'Staff: a payout that will not be transferred.' })
export class DepositWithdrawalRejectInput {
  @Field(() => ID, { description: 'The REQUESTED payout.' })
  withdrawalId: string;

  @Field({ description: `Why, shown to the customer (1 to ${NOTE_MAX} characters).` })
  note: string;
}

@InputType({ description: 'The bank account for a payout that has none yet.' })
export class WithdrawalBankAccountSetInput {
  @Field(() => ID, { description: 'The REQUESTED payout waiting for a bank account.' })
  withdrawalId: string;

  @Field(() => BankAccountInput, { description: 'Where to pay the money; in the name of the customer (or guest).' })
  bankAccount: BankAccountInput;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest: the order number and phone of the order refunded.' })
  guest?: GuestAccessInput | null;
}

@ObjectType({ description: 'The payout after the change, or userErrors.' })
export class WithdrawalPayload {
  @Field(() => Withdrawal, { nullable: true, description: 'The payout after the change; null when refused.' })
  withdrawal?: Withdrawal;

  @Field(() => [UserError], { description: 'Why the change was refused; empty on success.' })
  userErrors: UserError[];
}

@InputType({ description: 'Staff: which payouts to list.' })
export class WithdrawalsFilter {
  @Field(() => WithdrawalStatus, { defaultValue: WithdrawalStatus.REQUESTED, description: 'Default REQUESTED: the WITHDRAWAL queue.' })
  status: WithdrawalStatus = WithdrawalStatus.REQUESTED;

  @Field(() => Boolean, { nullable: true, description: 'true: only those waiting for the customer’s bank account; false: only those staff can pay now.' })
  awaitingBankAccount?: boolean | null;

  @Field(() => WithdrawalSource, { nullable: true, description: 'Only deposit withdrawals, or only refunds; null for both.' })
  source?: WithdrawalSource | null;

  @Field(() => ID, { nullable: true, description: 'One customer’s only.' })
  accountId?: string | null;
}
