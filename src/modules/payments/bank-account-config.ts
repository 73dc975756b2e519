import { z } from 'zod';

/**
 * Where customers send bank transfers (振込先, seed 003: 「お支払いページに記載されている振込先」),
 * from the environment, checked at start with the rest of the config (src/app/config.ts).
 * Outside production a clearly fake demo account is used when they are not set; production
 * refuses to start without the real one, so no customer is ever shown the demo account.
 */

export enum BankAccountType {
  ORDINARY = 'ORDINARY', // 普通
  CURRENT = 'CURRENT', // 当座
}

export interface BankAccount {
  bankName: string;
  branchName: string;
  accountType: BankAccountType;
  /** 7 digits. */
  accountNumber: string;
  /** The holder's name as the bank prints it, in katakana (口座名義カナ). */
  accountHolderKana: string;
}

/** The demo account (README, configuration table): obviously not a real bank. */
export const DEMO_BANK_ACCOUNT: BankAccount = {
  bankName: 'デモ銀行',
  branchName: '本店営業部',
  accountType: BankAccountType.ORDINARY,
  accountNumber: '1234567',
  accountHolderKana: 'カ）ダイコウデモ',
};

// Full- or half-width katakana, the long-vowel mark, spaces, brackets and the few symbols banks print (カ）… , ．, ・, -), latin capitals and digits.
const KANA = /^[\u30A0-\u30FF\uFF61-\uFF9F\u3000 ()（）.．\-－・A-Z0-9]+$/;

export const BANK_ACCOUNT_SETTINGS = {
  BANK_TRANSFER_BANK_NAME: z.string().trim().min(1).max(50).optional(),
  BANK_TRANSFER_BRANCH_NAME: z.string().trim().min(1).max(50).optional(),
  BANK_TRANSFER_ACCOUNT_TYPE: z.enum(BankAccountType).default(BankAccountType.ORDINARY),
  BANK_TRANSFER_ACCOUNT_NUMBER: z.string().regex(/^\d{7}$/, 'must be the 7-digit account number, e.g. 1234567').optional(),
  BANK_TRANSFER_ACCOUNT_HOLDER_KANA: z.string().trim().max(50).regex(KANA, 'must be the account holder’s name in katakana as the bank prints it, e.g. カ）ダイコウサービス').optional(),
};

type Settings = z.infer<z.ZodObject<typeof BANK_ACCOUNT_SETTINGS>> & { NODE_ENV: string };

const REQUIRED_IN_PRODUCTION = ['BANK_TRANSFER_BANK_NAME', 'BANK_TRANSFER_BRANCH_NAME', 'BANK_TRANSFER_ACCOUNT_NUMBER', 'BANK_TRANSFER_ACCOUNT_HOLDER_KANA'] as const;

/** Production names the real account in full; elsewhere the demo account fills what is not set. */
export function bankAccountProblems(c: Settings): string[] {
  if (c.NODE_ENV !== 'production') return [];
  return REQUIRED_IN_PRODUCTION.filter((name) => !c[name]).map((name) => `  ${name}: required when NODE_ENV=production (customers are shown this account to transfer to)`);
}

export function bankAccountOf(c: Settings): BankAccount {
  return {
    bankName: c.BANK_TRANSFER_BANK_NAME ?? DEMO_BANK_ACCOUNT.bankName,
    branchName: c.BANK_TRANSFER_BRANCH_NAME ?? DEMO_BANK_ACCOUNT.branchName,
    accountType: c.BANK_TRANSFER_ACCOUNT_TYPE,
    accountNumber: c.BANK_TRANSFER_ACCOUNT_NUMBER ?? DEMO_BANK_ACCOUNT.accountNumber,
    accountHolderKana: c.BANK_TRANSFER_ACCOUNT_HOLDER_KANA ?? DEMO_BANK_ACCOUNT.accountHolderKana,
  };
}
