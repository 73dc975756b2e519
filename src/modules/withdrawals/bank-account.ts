import { Field, InputType, ObjectType } from 'type-graphql';
import { DomainError, type UserError, UserErrorCode } from '../../common/errors';
import { BankAccountType } from '../payments/bank-account-config';
import '../payments/bank-transfer-instructions'; // registers BankAccountType with the schema

/** A Japanese bank account money is paid out to (振込先口座), as stored after normalisation. */
export interface PayoutBankAccount {
  bankName: string;
  branchName: string;
  accountType: BankAccountType;
  /** Exactly 7 ASCII digits. */
  accountNumber: string;
  /** Full-width katakana as banks print it (口座名義カナ), e.g. ヤマダ ハナコ or カ)ダイコウ. */
  accountHolderKana: string;
}

export const NAME_MAX = 30;
export const HOLDER_MAX = 40;

@InputType({ description: 'A Japanese bank account to pay money out to.' })
export class BankAccountInput {
  @Field({ description: `Bank name, e.g. 三井住友銀行 (1 to ${NAME_MAX} characters).` })
  bankName: string;

  @Field({ description: `Branch name, e.g. 渋谷支店 (1 to ${NAME_MAX} characters).` })
  branchName: string;

  @Field(() => BankAccountType, { description: 'ORDINARY (普通) or CURRENT (当座).' })
  accountType: BankAccountType;

  @Field({ description: 'The 7-digit account number (full-width digits are accepted).' })
  accountNumber: string;

  @Field({
    description:
      'The holder’s name in kana as the bank prints it (口座名義カナ): full-width or half-width katakana (hiragana is converted), ' +
      `spaces, latin capitals, digits and ( ) . , - /; at most ${HOLDER_MAX} characters. Stored as full-width katakana.`,
  })
  accountHolderKana: string;
}

@ObjectType({ description: 'A Japanese bank account money is paid out to (振込先口座).' })
export class BankAccountDetails {
  @Field({ description: 'The bank’s name, e.g. 三井住友銀行.' })
  bankName: string;

  @Field({ description: 'The branch’s name, e.g. 渋谷支店.' })
  branchName: string;

  @Field(() => BankAccountType, { description: 'ORDINARY (普通) or CURRENT (当座).' })
  accountType: BankAccountType;

  @Field({ description: '7 digits.' })
  accountNumber: string;

  @Field({ description: 'The holder’s name in full-width katakana (口座名義カナ).' })
  accountHolderKana: string;
}

// After NFKC (half-width kana → full-width, full-width latin/digits/symbols → ASCII): katakana ァ..ヴ, ー, space, A-Z, 0-9 and ( ) . , - /.
const HOLDER = /^[\u30A1-\u30F4\u30FC A-Z0-9().,\-/]+$/;
const HAS_KANA = /[\u30A1-\u30F4]/;

/** Normalises and checks a bank account; every problem at once, as userErrors under `field`. */
export function parseBankAccount(input: BankAccountInput, field: string[]): PayoutBankAccount {
  const errors: UserError[] = [];
  const at = (name: string) => [...field, name];
  const bankName = input.bankName.normalize('NFKC').trim();
  const branchName = input.branchName.normalize('NFKC').trim();
  if (!bankName || [...bankName].length > NAME_MAX) errors.push({ code: UserErrorCode.INVALID, field: at('bankName'), message: `Give the bank’s name (at most ${NAME_MAX} characters).` });
  if (!branchName || [...branchName].length > NAME_MAX) errors.push({ code: UserErrorCode.INVALID, field: at('branchName'), message: `Give the branch’s name (at most ${NAME_MAX} characters).` });
  const accountNumber = input.accountNumber.normalize('NFKC').trim();
  if (!/^\d{7}$/.test(accountNumber)) errors.push({ code: UserErrorCode.INVALID, field: at('accountNumber'), message: 'The account number has exactly 7 digits, e.g. 1234567.' });
  const accountHolderKana = holderKana(input.accountHolderKana);
  if (!accountHolderKana || !HOLDER.test(accountHolderKana) || !HAS_KANA.test(accountHolderKana) || [...accountHolderKana].length > HOLDER_MAX) {
    errors.push({ code: UserErrorCode.INVALID, field: at('accountHolderKana'), message: `Write the holder’s name in katakana as the bank prints it, e.g. ヤマダ ハナコ (at most ${HOLDER_MAX} characters).` });
  }
  if (!Object.values(BankAccountType).includes(input.accountType)) errors.push({ code: UserErrorCode.INVALID, field: at('accountType'), message: 'ORDINARY or CURRENT.' });
  if (errors.length) throw new DomainError(errors);
  return { bankName, branchName, accountType: input.accountType, accountNumber, accountHolderKana };
}

/** Half-width and hiragana become full-width katakana; spaces collapse; latin letters are capitals. */
export function holderKana(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(/[\s\u3000]+/g, ' ')
    .trim()
    .toUpperCase();
}
