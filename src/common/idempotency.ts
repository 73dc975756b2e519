import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError, UserErrorCode } from './errors';

/**
 * Idempotency keys for money mutations (Stripe's contract):
 * - the first request with a key runs and its result is stored with the key, in the caller's
 *   transaction — so the key is consumed exactly when the change commits;
 * - a retry with the same key and the same request replays the stored result and changes nothing;
 * - the same key with a different request is refused with IDEMPOTENCY_KEY_REUSED;
 * - a first request that failed (a userError, or a crash) rolled back, key included: a retry
 *   runs afresh.
 * Concurrent duplicates are safe under READ COMMITTED: the second INSERT waits on the primary
 * key until the first transaction ends, then sees its row (or claims the key if it rolled back).
 *
 * Results are stored as JSON and BOTH the first call and replays get the stored JSON back, so
 * they are identical by construction. Keep results small and JSON-only — ids, and values that
 * must not change on replay (a balance *after* this change) — and let the caller re-read the
 * objects by id: the type forbids bigint and Date, which JSON would not round-trip.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** What the request hash is computed over: JSON, plus bigint (hashed as its decimal string). */
export type Hashable = string | number | boolean | null | bigint | Hashable[] | { [key: string]: Hashable | undefined };

export const IDEMPOTENCY_KEY_MAX = 100;
/** Visible ASCII, no spaces: UUIDs, ULIDs, base64 and the like all fit. */
const KEY_PATTERN = new RegExp(`^[\\x21-\\x7E]{1,${IDEMPOTENCY_KEY_MAX}}$`);

export interface IdempotencyRequest {
  /** Whose keys these are: the caller's account id (or a client token string). */
  scope: string;
  key: string;
  /** The mutation's name; a key may be reused across different operations. */
  operation: string;
  /** The arguments that define the request, normalised (parsed amounts, trimmed text). */
  request: Hashable;
  /** When, by the business clock (kept for the retention sweep). */
  now: Date;
  /** Where a bad or reused key is reported; defaults to ["input", "idempotencyKey"]. */
  field?: string[];
}

const DEFAULT_FIELD = ['input', 'idempotencyKey'];

/** Refuses a key that is empty, too long, or contains spaces or non-ASCII characters. */
export function assertIdempotencyKey(key: string, field: string[] = DEFAULT_FIELD): void {
  if (!KEY_PATTERN.test(key)) {
    throw new DomainError(
      UserErrorCode.INVALID,
      `The idempotency key must be 1 to ${IDEMPOTENCY_KEY_MAX} visible ASCII characters (a UUID is ideal).`,
      field,
    );
  }
}

/** Runs `work` once per (scope, operation, key); see the contract at the top of this file. */
export async function idempotent<T extends JsonObject>(
  tx: EntityManager,
  req: IdempotencyRequest,
  work: () => Promise<T>,
): Promise<T> {
  const field = req.field ?? DEFAULT_FIELD;
  assertIdempotencyKey(req.key, field);
  const hash = requestHash(req.request);
  const ids = [req.scope, req.operation, req.key];

  const claimed: unknown[] = await tx.query(
    `INSERT INTO idempotency_key (scope, operation, key, request_hash, created_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (scope, operation, key) DO NOTHING
     RETURNING key`,
    [...ids, hash, req.now],
  );
  if (claimed.length === 1) {
    const stored = JSON.stringify(await work());
    await tx.query(`UPDATE idempotency_key SET response = $4::jsonb WHERE scope = $1 AND operation = $2 AND key = $3`, [
      ...ids,
      stored,
    ]);
    return JSON.parse(stored) as T;
  }

  const [existing]: { request_hash: string; response: T | null }[] = await tx.query(
    `SELECT request_hash, response FROM idempotency_key WHERE scope = $1 AND operation = $2 AND key = $3`,
    ids,
  );
  if (!existing) throw new Error('idempotency key vanished between claim and read');
  if (existing.request_hash !== hash) {
    throw new DomainError(
      UserErrorCode.IDEMPOTENCY_KEY_REUSED,
      'This idempotency key was already used for a different request. Use a new key for a new request.',
      field,
    );
  }
  // Only the claiming transaction itself can see a row without a response: the same key used
  // twice inside one transaction is a bug in the caller.
  if (existing.response === null) throw new Error(`idempotency key used twice in one transaction: ${req.operation}`);
  return existing.response;
}

/** sha256 of the canonical JSON of a request: object keys sorted, undefined left out. */
export function requestHash(request: Hashable): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

export function canonicalJson(value: Hashable): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Hashable)}`);
  return `{${entries.join(',')}}`;
}
