import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BankAccountType, type BankAccount } from './bank-account-config';
import type { Payment } from './payment.entity';

registerEnumType(BankAccountType, {
  name: 'BankAccountType',
  description: 'The kind of a Japanese bank account.',
  valuesConfig: { ORDINARY: { description: '普通 (ordinary deposit).' }, CURRENT: { description: '当座 (current account).' } },
});

@ObjectType({ description: 'Where to send a bank transfer (振込先) and what to write on it; the transfer fee is the customer’s.' })
export class BankTransferInstructions {
  @Field({ description: 'Bank name, e.g. 三井住友銀行.' })
  bankName: string;

  @Field({ description: 'Branch name, e.g. 本店営業部.' })
  branchName: string;

  @Field(() => BankAccountType, { description: 'Account type: ORDINARY (普通) or CURRENT (当座).' })
  accountType: BankAccountType;

  @Field({ description: 'Account number, 7 digits.' })
  accountNumber: string;

  @Field({ description: 'The account holder’s name in katakana, as the bank shows it when the transfer is entered (口座名義カナ).' })
  accountHolderKana: string;

  @Field({
    description:
      'Write this before your name as the payer (振込依頼人名), e.g. "K7Q4-M2XD ヤマダハナコ": the order number for an invoice, ' +
      'or D + the payment number for a deposit top-up. Staff match the transfer by it.',
  })
  reference: string;
}

/**
 * The instructions for one BANK_TRANSFER payment: the operator's account (configuration) and the
 * reference naming what the money is for — the order number, or `D<payment number>` for a top-up.
 */
export function bankTransferInstructions(account: BankAccount, payment: Pick<Payment, 'seq'>, orderNumber: string | null): BankTransferInstructions {
  return { ...account, reference: orderNumber ?? `D${payment.seq}` };
}
