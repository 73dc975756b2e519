import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { ValueTransformer } from 'typeorm';
import { DomainError, UserErrorCode } from './errors';

/** Currencies we handle: customers pay in yen; marketplace prices are in yuan. */
export enum Currency {
  JPY = 'JPY',
  CNY = 'CNY',
}
registerEnumType(Currency, {
  name: 'Currency',
  description: 'A currency the service handles: customers pay in yen; marketplace prices are in yuan.',
  valuesConfig: {
    JPY: { description: 'Japanese yen, no decimals. Every invoice, payment and deposit amount.' },
    CNY: { description: 'Chinese yuan, 2 decimals (fen). Marketplace prices of items and China-domestic shipping.' },
  },
});

/** Digits after the decimal point: yen has none, yuan has fen (1/100). */
export const MINOR_DIGITS: Record<Currency, number> = { JPY: 0, CNY: 2 };

@ObjectType({ description: 'An exact amount. `amount` is a decimal string ("1280" JPY, "12.50" CNY), never a float.' })
export class Money {
  @Field({ description: 'Decimal string with the currency’s own number of decimals.' })
  amount: string;

  @Field(() => Currency, { description: 'The currency of `amount`.' })
  currency: Currency;

  /** The amount in minor units (yen, fen); what the database stores. */
  minor: bigint;

  static of(minor: bigint, currency: Currency): Money {
    const m = new Money();
    m.minor = minor;
    m.currency = currency;
    m.amount = formatMinor(minor, currency);
    return m;
  }

  static jpy(minor: bigint | number): Money {
    return Money.of(BigInt(minor), Currency.JPY);
  }
}

@InputType({ description: 'An exact amount as a decimal string, e.g. {amount: "12.50", currency: CNY}.' })
export class MoneyInput {
  @Field({ description: 'Decimal string with at most the currency’s number of decimals ("1280" JPY, "12.50" CNY).' })
  amount: string;

  @Field(() => Currency, { description: 'The currency of `amount`; must be the one the field expects (stated on it).' })
  currency: Currency;
}

export function formatMinor(minor: bigint, currency: Currency): string {
  const digits = MINOR_DIGITS[currency];
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  if (digits === 0) return `${negative ? '-' : ''}${abs}`;
  const s = abs.toString().padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/**
 * Parses a decimal string into minor units of `currency`, refusing floats in disguise:
 * more decimals than the currency has, exponents, or anything not a plain number.
 */
export function parseMinor(amount: string, currency: Currency, field: string[], opts: { allowNegative?: boolean } = {}): bigint {
  const digits = MINOR_DIGITS[currency];
  const re = digits === 0 ? /^(-?)(\d{1,15})$/ : new RegExp(`^(-?)(\\d{1,13})(?:\\.(\\d{1,${digits}}))?$`);
  const m = re.exec(amount.trim());
  if (!m || (m[1] && !opts.allowNegative)) {
    const example = digits === 0 ? '"1280"' : '"12.50"';
    throw new DomainError(UserErrorCode.INVALID, `Write the ${currency} amount as a decimal such as ${example}.`, field);
  }
  const whole = BigInt(m[2]);
  const frac = digits === 0 ? 0n : BigInt((m[3] ?? '').padEnd(digits, '0') || '0');
  const minor = whole * 10n ** BigInt(digits) + frac;
  return m[1] ? -minor : minor;
}

export function parseMoneyInput(input: MoneyInput, expected: Currency, field: string[], opts?: { allowNegative?: boolean }): bigint {
  if (input.currency !== expected) {
    throw new DomainError(UserErrorCode.INVALID, `This amount must be in ${expected}.`, [...field, 'currency']);
  }
  return parseMinor(input.amount, expected, [...field, 'amount'], opts);
}

/** TypeORM column transformer: PostgreSQL bigint ⇄ JS bigint (the driver gives strings). */
export const bigintTransformer: ValueTransformer = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};

/**
 * Integer division rounding half up (away from zero for positive amounts) — the one rounding
 * rule for money in this codebase. Used for currency conversion and percentage fees.
 */
export function divRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new Error('denominator must be positive');
  if (numerator < 0n) return -divRoundHalfUp(-numerator, denominator);
  return (numerator * 2n + denominator) / (denominator * 2n);
}
