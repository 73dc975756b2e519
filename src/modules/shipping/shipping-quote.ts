import { DomainError, UserErrorCode } from '../../common/errors';
import { Money } from '../../common/money';
import { ShippingPriority } from '../orders/order-state';
import { formatCm, formatKg, type Parcel } from './parcel';
import { SHIPPING_RATES } from './rates';
import type { MethodRates, ShippingMethod } from './shipping-method';

export enum WeightRule {
  ACTUAL = 'ACTUAL', // charged on the scale weight
  VOLUMETRIC = 'VOLUMETRIC', // the box is light for its size: charged on L × W × H ÷ divisor
}

export enum UnavailableCode {
  OVER_LENGTH = 'OVER_LENGTH', // the longest side is over the method's limit
  OVER_SIZE = 'OVER_SIZE', // length + width + height is over the limit
  OVER_WEIGHT = 'OVER_WEIGHT', // the chargeable weight is over the method's maximum
}

/** One method's answer for one parcel. Weights in grams, the price in yen. */
export interface MethodQuote {
  rates: MethodRates;
  actualGrams: number;
  /** Rounded up to the gram; null when the method ignores volume. */
  volumetricGrams: number | null;
  /** The larger of actual and volumetric, rounded up to the method's step. */
  chargeableGrams: number;
  appliedRule: WeightRule;
  ruleDescription: string;
  price: Money | null;
  unavailable: { code: UnavailableCode; reason: string } | null;
}

/**
 * Quotes one method. Chargeable weight = max(actual, L × W × H ÷ divisor) rounded up to the
 * method's step; the price is that of the first table row at or above it. Integer arithmetic
 * throughout: mm³ ÷ divisor is the volumetric weight in grams (cm³ ÷ divisor is kg).
 */
export function quoteMethod(rates: MethodRates, parcel: Parcel): MethodQuote {
  const { weightGrams, lengthMm, widthMm, heightMm } = parcel;
  const volumeMm3 = BigInt(lengthMm) * BigInt(widthMm) * BigInt(heightMm);
  const divisor = rates.volumetricDivisor;
  const volumetricGrams = divisor === null ? null : Number(ceilDiv(volumeMm3, BigInt(divisor)));
  const volumetricExact = divisor === null || volumeMm3 % BigInt(divisor) === 0n;
  const appliedRule = volumetricGrams !== null && volumetricGrams > weightGrams ? WeightRule.VOLUMETRIC : WeightRule.ACTUAL;
  const heavier = appliedRule === WeightRule.VOLUMETRIC ? volumetricGrams! : weightGrams;
  const chargeableGrams = Number(ceilDiv(BigInt(heavier), BigInt(rates.stepGrams))) * rates.stepGrams;

  const sides = `${formatCm(lengthMm)} × ${formatCm(widthMm)} × ${formatCm(heightMm)} cm`;
  const actual = `actual ${formatKg(weightGrams)} kg`;
  const rounding = `charged on ${formatKg(chargeableGrams)} kg (rounded up to ${formatKg(rates.stepGrams)} kg steps)`;
  const ruleDescription =
    volumetricGrams === null
      ? `${rates.nameEn} is charged on actual weight only (size does not count): ${actual}; ${rounding}.`
      : `Volumetric ${sides} ÷ ${divisor} ${volumetricExact ? '=' : '≈'} ${formatKg(volumetricGrams)} kg ` +
        `${appliedRule === WeightRule.VOLUMETRIC ? 'is more than' : 'is not more than'} ${actual}; ${rounding}.`;

  const unavailable = availability(rates, parcel, chargeableGrams);
  const row = unavailable ? undefined : rates.rates.find(([upTo]) => upTo >= chargeableGrams);
  return {
    rates,
    actualGrams: weightGrams,
    volumetricGrams,
    chargeableGrams,
    appliedRule,
    ruleDescription,
    price: row ? Money.jpy(BigInt(row[1])) : null,
    unavailable,
  };
}

function availability(rates: MethodRates, parcel: Parcel, chargeableGrams: number): MethodQuote['unavailable'] {
  const sidesMm = [parcel.lengthMm, parcel.widthMm, parcel.heightMm];
  const longest = Math.max(...sidesMm);
  const sum = sidesMm.reduce((a, b) => a + b, 0);
  const name = `${rates.nameJa} (${rates.nameEn})`;
  if (longest > rates.longestSideMaxMm) {
    return {
      code: UnavailableCode.OVER_LENGTH,
      reason: `The longest side, ${formatCm(longest)} cm, is over the ${formatCm(rates.longestSideMaxMm)} cm limit of ${name}.`,
    };
  }
  if (sum > rates.sumOfSidesMaxMm) {
    return {
      code: UnavailableCode.OVER_SIZE,
      reason: `Length + width + height, ${formatCm(sum)} cm, is over the ${formatCm(rates.sumOfSidesMaxMm)} cm limit of ${name}.`,
    };
  }
  if (chargeableGrams > rates.maxWeightGrams) {
    return {
      code: UnavailableCode.OVER_WEIGHT,
      reason: `The chargeable weight, ${formatKg(chargeableGrams)} kg, is over the ${formatKg(rates.maxWeightGrams)} kg limit of ${name}.`,
    };
  }
  return null;
}

/** Every method, in the order of SHIPPING_RATES (fastest first). */
export function quoteAll(parcel: Parcel, table: readonly MethodRates[] = SHIPPING_RATES): MethodQuote[] {
  return table.map((rates) => quoteMethod(rates, parcel));
}

/**
 * The international shipping price of `parcel` by `method`, for the second invoice. A method
 * that cannot take the parcel is a business refusal (SHIPPING_METHOD_UNAVAILABLE) on `field`.
 */
export function priceFor(method: ShippingMethod, parcel: Parcel, field: string[] = ['method']): Money {
  const quote = quoteMethod(methodRates(method), parcel);
  if (!quote.price) throw new DomainError(UserErrorCode.SHIPPING_METHOD_UNAVAILABLE, quote.unavailable!.reason, field);
  return quote.price;
}

export function methodRates(method: ShippingMethod, table: readonly MethodRates[] = SHIPPING_RATES): MethodRates {
  const rates = table.find((r) => r.method === method);
  if (!rates) throw new Error(`no rates for shipping method ${method}`);
  return rates;
}

/** The method configured as the default for a shipping priority (EMS for SPEED, SEA for ECONOMY). */
export function defaultMethodFor(priority: ShippingPriority, table: readonly MethodRates[] = SHIPPING_RATES): ShippingMethod {
  const rates = table.find((r) => r.defaultFor === priority);
  if (!rates) throw new Error(`no shipping method is the default for ${priority}`);
  return rates.method;
}

/**
 * The option a parcel gets for a priority: the default method when it can take the parcel;
 * otherwise, for SPEED the available method with the shortest delivery, for ECONOMY the
 * cheapest (ties: the other criterion). Undefined when no method can take it.
 */
export function chooseFor(priority: ShippingPriority, quotes: MethodQuote[], table: readonly MethodRates[] = SHIPPING_RATES): MethodQuote | undefined {
  const preferred = defaultMethodFor(priority, table);
  const available = quotes.filter((q) => q.price);
  const first = available.find((q) => q.rates.method === preferred);
  if (first) return first;
  const bySpeed = (a: MethodQuote, b: MethodQuote) => a.rates.deliveryDaysMax - b.rates.deliveryDaysMax;
  const byPrice = (a: MethodQuote, b: MethodQuote) => Number(a.price!.minor - b.price!.minor);
  return [...available].sort((a, b) => (priority === ShippingPriority.SPEED ? bySpeed(a, b) || byPrice(a, b) : byPrice(a, b) || bySpeed(a, b)))[0];
}

/** Refuses a rate table that would quote wrongly; run once when the gateway starts. */
export function assertRateTables(table: readonly MethodRates[] = SHIPPING_RATES): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of table) {
    const where = `shipping rates ${r.method}`;
    if (seen.has(r.method)) problems.push(`${where}: listed twice`);
    seen.add(r.method);
    const ints = [r.stepGrams, r.maxWeightGrams, r.longestSideMaxMm, r.sumOfSidesMaxMm, r.deliveryDaysMin, r.deliveryDaysMax, r.volumetricDivisor ?? 1];
    if (!ints.every((n) => Number.isSafeInteger(n) && n > 0)) problems.push(`${where}: limits must be positive integers`);
    if (r.deliveryDaysMin > r.deliveryDaysMax) problems.push(`${where}: deliveryDaysMin is after deliveryDaysMax`);
    r.rates.forEach(([upTo, price], i) => {
      const previous = r.rates[i - 1];
      if (!Number.isSafeInteger(upTo) || upTo % r.stepGrams !== 0) problems.push(`${where}: row ${upTo} g is not a whole step of ${r.stepGrams} g`);
      if (!Number.isSafeInteger(price) || price <= 0) problems.push(`${where}: row ${upTo} g has a bad price ${price}`);
      if (previous && (upTo <= previous[0] || price < previous[1])) problems.push(`${where}: row ${upTo} g is out of order`);
    });
    if (r.rates.at(-1)?.[0] !== r.maxWeightGrams) problems.push(`${where}: the last row must be the max weight ${r.maxWeightGrams} g`);
  }
  for (const priority of Object.values(ShippingPriority)) {
    const defaults = table.filter((r) => r.defaultFor === priority).length;
    if (defaults !== 1) problems.push(`shipping rates: ${defaults} methods are the default for ${priority}; exactly one must be`);
  }
  if (problems.length) throw new Error(`Invalid shipping rates (src/modules/shipping/rates.ts):\n  ${problems.join('\n  ')}`);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
