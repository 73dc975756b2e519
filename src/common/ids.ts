import { DomainError, UserErrorCode } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** An id that cannot exist is simply not found (never a database error). */
export function requireUuid(value: string, field: string[], what = 'record'): string {
  if (!isUuid(value)) throw new DomainError(UserErrorCode.NOT_FOUND, `No such ${what}.`, field);
  return value.toLowerCase();
}
