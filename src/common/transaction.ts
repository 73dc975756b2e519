import { DataSource, EntityManager } from 'typeorm';
import { DomainError, UserError } from './errors';

/** PostgreSQL codes after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

/**
 * Runs `work` in one database transaction, again from the start (up to 5 times) when
 * PostgreSQL aborted it for a serialization failure or a deadlock.
 */
export async function inTransaction<T>(ds: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction(work);
    } catch (error) {
      if (attempt >= 5 || !RETRYABLE.has(pgCode(error) ?? '')) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

export type Payload<T> = Partial<T> & { userErrors: UserError[] };

/**
 * A mutation's body: one transaction; a `DomainError` rolls everything back and comes back
 * as `userErrors` on the payload; anything else is a bug and becomes a top-level error.
 */
export async function mutation<T extends object>(
  ds: DataSource,
  work: (tx: EntityManager) => Promise<T>,
): Promise<Payload<T>> {
  try {
    const result = await inTransaction(ds, work);
    return { ...result, userErrors: [] };
  } catch (error) {
    if (error instanceof DomainError) return { userErrors: error.errors } as Payload<T>;
    throw error;
  }
}

export function pgCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}
