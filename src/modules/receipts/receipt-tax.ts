/**
 * The consumption-tax treatment of what an invoice bills (docs/receipts.md):
 * - goods bought abroad for the customer and China-domestic shipping are paid to sellers in
 *   China on the customer's behalf (立替金): outside Japanese consumption tax (不課税); the
 *   import consumption tax is levied at customs when the parcel enters Japan;
 * - international shipping from China to Japan is international transport: exempt (免税, 0%);
 * - the service fee, other charges of the operator and the card payment fee are the operator's
 *   own services in Japan: standard rate 10%, prices including tax.
 * The tax is computed once per rate per receipt: floor(amount × 10 / 110) (the invoice rules
 * allow one rounding per rate per document).
 */

export enum TaxClass {
  STANDARD_10 = 'STANDARD_10',
  EXEMPT = 'EXEMPT',
  OUT_OF_SCOPE = 'OUT_OF_SCOPE',
}

const BY_LINE_KIND: Record<string, TaxClass> = {
  GOODS: TaxClass.OUT_OF_SCOPE,
  CHINA_SHIPPING: TaxClass.OUT_OF_SCOPE,
  INTERNATIONAL_SHIPPING: TaxClass.EXEMPT,
  SERVICE_FEE: TaxClass.STANDARD_10,
};

/** A line kind not listed is the operator's own charge: 10%. */
export function taxClassOf(lineKind: string): TaxClass {
  return BY_LINE_KIND[lineKind] ?? TaxClass.STANDARD_10;
}

export interface ReceiptLine {
  label: string;
  taxClass: TaxClass;
  /** Yen, tax included. */
  amount: string;
}

/** What a receipt says: fixed at its first issue (stored as jsonb), rendered the same way every time. */
export interface ReceiptContent {
  issuerName: string;
  registrationNumber: string;
  issuerAddress: string | null;
  orderNumber: string;
  /** 但し書き: what the money was for. */
  purpose: string;
  paidAt: string;
  paymentMethods: string[];
  lines: ReceiptLine[];
  total: string;
  standard10: string;
  standard10Tax: string;
  exempt: string;
  outOfScope: string;
  /** Refunded on this invoice before the first issue (shown as a note; refunds are not on a receipt). */
  refunded: string;
}

/** Sums per tax class and the 10% tax (included), from the lines. */
export function taxSummary(lines: ReceiptLine[]) {
  const sum = (c: TaxClass) => lines.filter((l) => l.taxClass === c).reduce((acc, l) => acc + BigInt(l.amount), 0n);
  const standard10 = sum(TaxClass.STANDARD_10);
  return {
    total: lines.reduce((acc, l) => acc + BigInt(l.amount), 0n),
    standard10,
    standard10Tax: (standard10 * 10n) / 110n,
    exempt: sum(TaxClass.EXEMPT),
    outOfScope: sum(TaxClass.OUT_OF_SCOPE),
  };
}
