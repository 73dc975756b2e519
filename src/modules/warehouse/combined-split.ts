import type { DeliveryAddress, Order } from '../orders/order.entity';

/**
 * Splits `total` yen in proportion to `weights` so the parts add up to `total` exactly
 * (largest-remainder method, integers only): each part is first floor(total × w ÷ Σw); the yen
 * left over go one each to the parts with the largest remainders — ties to the larger weight,
 * then to the earlier part, so the split is deterministic.
 */
export function splitLargestRemainder(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) throw new Error('cannot split a negative amount');
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (!weights.length || sum <= 0n || weights.some((w) => w < 0n)) throw new Error('weights must be non-negative with a positive sum');
  const parts = weights.map((w) => (total * w) / sum);
  const remainders = weights.map((w, i) => ({ i, w, r: (total * w) % sum }));
  let left = total - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r !== b.r ? (a.r > b.r ? -1 : 1) : a.w !== b.w ? (a.w > b.w ? -1 : 1) : a.i - b.i));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i] += 1n;
    left -= 1n;
  }
  return parts;
}

// Dashes people type in Japanese addresses (hyphen, minus, dashes, full-width forms).
const DASHES = /[\u2010-\u2015\u2212\uFE63\uFF0D]/g;
// The long-vowel mark doubles as a dash between numbers ("1ー2ー3"); elsewhere it is a letter.
const LONG_VOWEL_BETWEEN_DIGITS = /(?<=\d)[\u30FC\uFF70](?=\d)/g;

function normalizeText(value: string | null): string {
  return (value ?? '').normalize('NFKC').replace(DASHES, '-').replace(LONG_VOWEL_BETWEEN_DIGITS, '-').replace(/\s+/g, '').toLowerCase();
}

/**
 * The address as compared for combining: full-width and half-width forms, spaces and dash
 * variants do not count ("神宮前１－２－３ ハイツ101" = "神宮前1-2-3ハイツ101"); postal code and
 * phone by their digits. Everything else must match.
 */
export function addressKey(address: DeliveryAddress): string {
  const digits = (s: string) => s.normalize('NFKC').replace(/\D/g, '');
  return JSON.stringify([
    normalizeText(address.recipient),
    digits(address.postalCode),
    normalizeText(address.prefecture),
    normalizeText(address.city),
    normalizeText(address.line1),
    normalizeText(address.line2),
    digits(address.phone),
  ]);
}

/** Who an order belongs to: the account, or for a guest order its contact phone and e-mail. */
export function customerKey(order: Order): string {
  return order.customerId ? `account:${order.customerId}` : `guest:${order.contactPhone}:${order.contactEmail.toLowerCase()}`;
}
