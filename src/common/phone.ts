/**
 * A Japanese phone number reduced to its digits in domestic form, so "+81 90-1234-5678",
 * "090 1234 5678" and "09012345678" compare equal. Returns null when it cannot be a number.
 */
export function normalizePhone(raw: string): string | null {
  let digits = raw.replace(/[\s\-().]/g, '');
  if (digits.startsWith('+81')) digits = '0' + digits.slice(3);
  else if (digits.startsWith('+')) digits = digits.slice(1);
  if (!/^\d{9,15}$/.test(digits)) return null;
  return digits;
}
