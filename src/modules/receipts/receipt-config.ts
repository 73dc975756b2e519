import { z } from 'zod';

/**
 * Who issues receipts (領収書): the operator's name and its qualified-invoice issuer registration
 * number (適格請求書発行事業者登録番号, "T" + 13 digits), from the environment, checked at start.
 * Outside production an obviously fake demo issuer fills what is not set; in production receipts
 * are issued only when both are set (the start warns otherwise, and `receiptUrl` refuses).
 */

export interface ReceiptIssuer {
  name: string;
  /** "T" + 13 digits whose first digit is the check digit (the 法人番号 rule). */
  registrationNumber: string;
  address: string | null;
  /** True for the built-in demo issuer (never in production). */
  demo: boolean;
}

export const DEMO_ISSUER: ReceiptIssuer = { name: '代行サービス（デモ）', registrationNumber: 'T9000000000000', address: null, demo: true };

/**
 * The NTA's check digit: the 13 digits are a check digit then 12 digits; counting the 12 from the
 * right (n = 1..12), weights are 1 for odd n and 2 for even n; check = 9 − (Σ digit × weight mod 9).
 * Registration numbers of corporations are their 法人番号; others are numbered the same way.
 */
export function isRegistrationNumber(value: string): boolean {
  const m = /^T(\d)(\d{12})$/.exec(value);
  if (!m) return false;
  const digits = m[2].split('').reverse().map(Number);
  const sum = digits.reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 1 : 2), 0);
  return 9 - (sum % 9) === Number(m[1]);
}

export const RECEIPT_SETTINGS = {
  OPERATOR_NAME: z.string().trim().min(1).max(100).optional(),
  OPERATOR_ADDRESS: z.string().trim().min(1).max(200).optional(),
  INVOICE_REGISTRATION_NUMBER: z
    .string()
    .trim()
    .refine(isRegistrationNumber, 'must be the qualified-invoice registration number: T followed by 13 digits, with a valid check digit (e.g. T7000012050002)')
    .optional(),
};

type Settings = z.infer<z.ZodObject<typeof RECEIPT_SETTINGS>> & { NODE_ENV: string };

/** The configured issuer; the demo one outside production; null when production has none (no receipts). */
export function receiptIssuerOf(c: Settings): ReceiptIssuer | null {
  if (c.OPERATOR_NAME && c.INVOICE_REGISTRATION_NUMBER) {
    return { name: c.OPERATOR_NAME, registrationNumber: c.INVOICE_REGISTRATION_NUMBER, address: c.OPERATOR_ADDRESS ?? null, demo: false };
  }
  if (c.NODE_ENV === 'production') return null;
  return { ...DEMO_ISSUER, name: c.OPERATOR_NAME ?? DEMO_ISSUER.name, registrationNumber: c.INVOICE_REGISTRATION_NUMBER ?? DEMO_ISSUER.registrationNumber, address: c.OPERATOR_ADDRESS ?? null };
}
