import { DomainError, UserErrorCode, type UserError } from '../../common/errors';

/** A packed parcel, in integers: grams and millimetres. */
export interface Parcel {
  weightGrams: number;
  lengthMm: number;
  widthMm: number;
  heightMm: number;
}

/** What clients send: decimal strings, so "1.25" kg is exactly 1250 g (no float rounding). */
export interface ParcelText {
  weightKg: string;
  lengthCm: string;
  widthCm: string;
  heightCm: string;
}

const MAX_WEIGHT_KG = 1000;
const MAX_SIDE_CM = 1000;

/**
 * Parses a parcel description: weight in kg with up to 3 decimals (whole grams), sides in cm
 * with up to 1 decimal (whole millimetres); every value above zero. Every bad field is reported
 * at once, each with its path, e.g. ["input", "widthCm"].
 */
export function parseParcel(input: ParcelText, path: string[] = ['input']): Parcel {
  const errors: UserError[] = [];
  const read = (field: keyof ParcelText, decimals: number, unit: string, max: number): number => {
    const result = parseDecimal(input[field], decimals, unit, max);
    if (typeof result === 'string') {
      errors.push({ code: UserErrorCode.INVALID, field: [...path, field], message: `${field}: ${result}` });
      return 0;
    }
    return result;
  };
  const parcel: Parcel = {
    weightGrams: read('weightKg', 3, 'kg', MAX_WEIGHT_KG),
    lengthMm: read('lengthCm', 1, 'cm', MAX_SIDE_CM),
    widthMm: read('widthCm', 1, 'cm', MAX_SIDE_CM),
    heightMm: read('heightCm', 1, 'cm', MAX_SIDE_CM),
  };
  if (errors.length) throw new DomainError(errors);
  return parcel;
}

/** The value in units of 10^-decimals, or the reason it was refused. */
function parseDecimal(raw: string, decimals: number, unit: string, max: number): number | string {
  const text = raw.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  const example = decimals === 3 ? '"1.25"' : '"60" or "42.5"';
  if (!m) return `write a number of ${unit} such as ${example} (got "${raw}")`;
  if (m[1]) return `must be more than 0 (got ${text})`;
  const fraction = m[3] ?? '';
  if (fraction.length > decimals) {
    return `at most ${decimals} decimal${decimals > 1 ? 's' : ''} (${decimals === 3 ? 'whole grams' : 'whole millimetres'}); got ${text}`;
  }
  const whole = m[2].replace(/^0+(?=\d)/, '');
  if (whole.length > String(max).length || Number(whole) > max) return `must be at most ${max} ${unit} (got ${text})`;
  const units = Number(whole) * 10 ** decimals + Number(fraction.padEnd(decimals, '0'));
  if (units === 0) return `must be more than 0 (got ${text})`;
  if (units > max * 10 ** decimals) return `must be at most ${max} ${unit} (got ${text})`;
  return units;
}

/** 1250 → "1.25", 20000 → "20.0": kg with as many decimals as needed (at least one). */
export function formatKg(grams: number): string {
  return formatScaled(grams, 3);
}

/** 605 → "60.5", 600 → "60". */
export function formatCm(mm: number): string {
  const whole = Math.floor(mm / 10);
  const tenth = mm % 10;
  return tenth ? `${whole}.${tenth}` : `${whole}`;
}

function formatScaled(value: number, decimals: number): string {
  const scale = 10 ** decimals;
  const whole = Math.floor(value / scale);
  const fraction = String(value % scale).padStart(decimals, '0').replace(/0+$/, '');
  return `${whole}.${fraction || '0'}`;
}
