import { DomainError, UserErrorCode } from '../../common/errors';
import { divRoundHalfUp, formatMinor, Currency } from '../../common/money';
import { InvoiceLineKind } from './invoice-state';
import type { StoredInvoiceLine } from './invoice.entity';

/** JPY per 1 CNY with 4 decimals, held as an integer (21.37 → 213700n). */
export const RATE_SCALE = 10_000n;

export interface ServiceFeeRule {
  /** Percentage of the goods in basis points (500 = 5%). */
  percentBps: number;
  /** The least fee per order, in yen. */
  minimumJpy: bigint;
}

export interface QuotedItem {
  id: string;
  title: string;
  quantity: number;
  unitPriceCny: bigint; // fen
  chinaShippingCny: bigint; // fen
}

/** Parses "21.37" (JPY per CNY, up to 4 decimals, above zero) into the scaled integer. */
export function parseRate(rate: string, field: string[]): bigint {
  const m = /^(\d{1,6})(?:\.(\d{1,4}))?$/.exec(rate.trim());
  const scaled = m ? BigInt(m[1]) * RATE_SCALE + BigInt((m[2] ?? '').padEnd(4, '0')) : 0n;
  if (!m || scaled <= 0n) {
    throw new DomainError(UserErrorCode.INVALID, 'Give the rate as yen per yuan with at most 4 decimals, e.g. "21.37".', field);
  }
  return scaled;
}

export function formatRate(scaled: bigint): string {
  return `${scaled / RATE_SCALE}.${(scaled % RATE_SCALE).toString().padStart(4, '0')}`;
}

/**
 * THE conversion rule: a yuan amount (in fen) becomes yen once, at the recorded rate,
 * rounded half up to the whole yen (x.5 yen → x+1). Applied per invoice line, so the lines
 * a customer reads add up exactly to the total.
 */
export function cnyToJpy(fen: bigint, rateScaled: bigint): bigint {
  return divRoundHalfUp(fen * rateScaled, 100n * RATE_SCALE);
}

/** The service fee: a percentage of the goods in yen (rounded half up), at least the minimum. */
export function serviceFee(goodsJpy: bigint, rule: ServiceFeeRule): bigint {
  const pct = divRoundHalfUp(goodsJpy * BigInt(rule.percentBps), 10_000n);
  return pct > rule.minimumJpy ? pct : rule.minimumJpy;
}

/**
 * The first invoice of live items: per item a goods line (unit × quantity) and a China
 * shipping line (when not zero), then one service fee line. Pure, so quoting and every
 * recomputation after a quantity change give the same answer for the same items.
 */
export function computeFirstInvoice(items: QuotedItem[], rateScaled: bigint, rule: ServiceFeeRule): { lines: StoredInvoiceLine[]; total: bigint } {
  const lines: StoredInvoiceLine[] = [];
  let goods = 0n;
  for (const item of items) {
    const goodsCny = item.unitPriceCny * BigInt(item.quantity);
    const goodsJpy = cnyToJpy(goodsCny, rateScaled);
    goods += goodsJpy;
    lines.push({
      kind: InvoiceLineKind.GOODS,
      description: `${item.title} × ${item.quantity} (CNY ${formatMinor(item.unitPriceCny, Currency.CNY)} each)`,
      itemId: item.id,
      quantity: item.quantity,
      amount: goodsJpy.toString(),
      sourceAmountCny: goodsCny.toString(),
    });
    if (item.chinaShippingCny > 0n) {
      lines.push({
        kind: InvoiceLineKind.CHINA_SHIPPING,
        description: `Shipping in China: ${item.title}`,
        itemId: item.id,
        quantity: null,
        amount: cnyToJpy(item.chinaShippingCny, rateScaled).toString(),
        sourceAmountCny: item.chinaShippingCny.toString(),
      });
    }
  }
  if (items.length > 0) {
    const fee = serviceFee(goods, rule);
    const pct = `${rule.percentBps / 100}%`;
    lines.push({
      kind: InvoiceLineKind.SERVICE_FEE,
      description: `Service fee (${pct} of goods, at least ¥${rule.minimumJpy})`,
      itemId: null,
      quantity: null,
      amount: fee.toString(),
    });
  }
  return { lines, total: lines.reduce((sum, l) => sum + BigInt(l.amount), 0n) };
}

export interface PriceDifferenceInput {
  title: string;
  quantity: number;
  before: { unitPriceCny: bigint; chinaShippingCny: bigint };
  after: { unitPriceCny: bigint; chinaShippingCny: bigint };
}

/**
 * What a seller's price change after the first payment costs, in yen at the first invoice's
 * rate: the goods and China shipping lines each as the difference of the two converted amounts
 * (so an item's lines always add up to what it would have cost at the new price), and the
 * service fee's percentage of the goods difference (half up; the minimum is per order and was
 * charged with the first invoice). Lines may be negative (a cheaper shipping beside a dearer
 * unit); `total` above zero is an additional invoice, below zero a refund.
 */
export function computePriceDifference(itemId: string, change: PriceDifferenceInput, rateScaled: bigint, rule: ServiceFeeRule): { lines: StoredInvoiceLine[]; total: bigint } {
  const goodsCny = (p: { unitPriceCny: bigint }) => p.unitPriceCny * BigInt(change.quantity);
  const goods = cnyToJpy(goodsCny(change.after), rateScaled) - cnyToJpy(goodsCny(change.before), rateScaled);
  const shipping = cnyToJpy(change.after.chinaShippingCny, rateScaled) - cnyToJpy(change.before.chinaShippingCny, rateScaled);
  const fee = divRoundHalfUp(goods * BigInt(rule.percentBps), 10_000n); // symmetric: a fall gives back the fee's share
  const cny = (fen: bigint) => formatMinor(fen, Currency.CNY);
  const lines: StoredInvoiceLine[] = [];
  if (goods !== 0n) {
    lines.push({
      kind: InvoiceLineKind.GOODS,
      description: `${change.title} × ${change.quantity}: price changed (CNY ${cny(change.before.unitPriceCny)} → ${cny(change.after.unitPriceCny)} each)`,
      itemId, quantity: change.quantity, amount: goods.toString(),
      sourceAmountCny: (goodsCny(change.after) - goodsCny(change.before)).toString(),
    });
  }
  if (shipping !== 0n) {
    lines.push({
      kind: InvoiceLineKind.CHINA_SHIPPING,
      description: `Shipping in China: ${change.title} (CNY ${cny(change.before.chinaShippingCny)} → ${cny(change.after.chinaShippingCny)})`,
      itemId, quantity: null, amount: shipping.toString(),
      sourceAmountCny: (change.after.chinaShippingCny - change.before.chinaShippingCny).toString(),
    });
  }
  if (fee !== 0n) {
    lines.push({ kind: InvoiceLineKind.SERVICE_FEE, description: `Service fee on the difference (${rule.percentBps / 100}%)`, itemId, quantity: null, amount: fee.toString() });
  }
  return { lines, total: goods + shipping + fee };
}
