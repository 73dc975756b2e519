import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { IDEMPOTENCY_KEY_MAX } from '../../common/idempotency';
import { Money, MoneyInput } from '../../common/money';
import { Connection } from '../../common/pagination';
import { DepositEntry } from './deposit-entry.entity';

export const NOTE_MAX = 500;

@ObjectType({ description: 'A customer’s prepaid balance (デポジット) in JPY; invoices are paid from it first.' })
export class Deposit {
  /** Whose deposit; read by the `entries` field resolver. */
  accountId: string;

  @Field(() => Money, { description: 'Never negative.' })
  balance: Money;
}

export const DepositEntryConnection = Connection(DepositEntry);

@InputType({ description: 'Staff: a correction of a customer’s deposit.' })
export class DepositAdjustInput {
  @Field(() => ID, { description: 'The customer whose deposit is corrected.' })
  accountId: string;

  @Field(() => MoneyInput, { description: 'JPY, signed and non-zero: "5000" adds, "-5000" takes away.' })
  amount: MoneyInput;

  @Field({ description: `Why: shown to the customer on the entry. Required, at most ${NOTE_MAX} characters.` })
  note: string;

  @Field({
    description:
      `1 to ${IDEMPOTENCY_KEY_MAX} visible ASCII characters, new for each intended adjustment (a UUID). ` +
      'Retrying with the same key and input returns the first result and moves no money; ' +
      'the same key with a different input is refused with IDEMPOTENCY_KEY_REUSED.',
  })
  idempotencyKey: string;
}

@ObjectType({ description: 'The posted entry and the balance after it, or userErrors.' })
export class DepositAdjustPayload {
  @Field(() => DepositEntry, { nullable: true, description: 'The ADJUSTMENT entry posted; null when refused.' })
  entry?: DepositEntry;

  @Field(() => Money, { nullable: true, description: 'The balance right after this adjustment (a replay returns the same value).' })
  balance?: Money;

  @Field(() => [UserError], { description: 'Why the correction was refused (e.g. INSUFFICIENT_DEPOSIT); empty on success.' })
  userErrors: UserError[];
}
