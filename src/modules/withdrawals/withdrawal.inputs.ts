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

@InputType()
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

@ObjectType()
export class DepositWithdrawalPayload {
  @Field(() => Withdrawal, { nullable: true })
  withdrawal?: Withdrawal;

  @Field(() => Money, { nullable: true, description: 'The deposit balance right after the amount was held (a replay returns the same value).' })
  balance?: Money;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class DepositWithdrawalCompleteInput {
  @Field(() => ID)
  withdrawalId: string;

  @Field({ description: `The bank transfer that paid it (e.g. the bank’s transaction number), 1 to ${REFERENCE_MAX} characters.` })
  transferReference: string;
}

@InputType()
export class DepositWithdrawalRejectInput {
  @Field(() => ID)
  withdrawalId: string;

  @Field({ description: `Why, shown to the customer (1 to ${NOTE_MAX} characters).` })
  note: string;
}

@InputType()
export class WithdrawalBankAccountSetInput {
  @Field(() => ID)
  withdrawalId: string;

  @Field(() => BankAccountInput)
  bankAccount: BankAccountInput;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest: the order number and phone of the order refunded.' })
  guest?: GuestAccessInput | null;
}

@ObjectType()
export class WithdrawalPayload {
  @Field(() => Withdrawal, { nullable: true })
  withdrawal?: Withdrawal;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class WithdrawalsFilter {
  @Field(() => WithdrawalStatus, { defaultValue: WithdrawalStatus.REQUESTED, description: 'Default REQUESTED: the WITHDRAWAL queue.' })
  status: WithdrawalStatus = WithdrawalStatus.REQUESTED;

  @Field(() => Boolean, { nullable: true, description: 'true: only those waiting for the customer’s bank account; false: only those staff can pay now.' })
  awaitingBankAccount?: boolean | null;

  @Field(() => WithdrawalSource, { nullable: true })
  source?: WithdrawalSource | null;

  @Field(() => ID, { nullable: true, description: 'One customer’s only.' })
  accountId?: string | null;
}
