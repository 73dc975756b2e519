import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, UserError } from './errors';

/** PostgreSQL codes after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

/**
 * How long one statement may run and wait for a lock, in milliseconds (0: no limit). A
 * statement past either is cancelled by PostgreSQL and its transaction rolled back; the
 * caller sees an error (a request: INTERNAL_SERVER_ERROR, nothing changed).
 */
export interface TimeLimits {
  statementMs: number;
  lockMs: number;
}

/**
 * `request`: everything a client's request runs (mutations' transactions and every query
 * outside a transaction): short, so a slow plan or a held lock fails fast instead of piling
 * up connections. `sweep`: the scheduled jobs, which work through batches and may wait longer.
 */
export type TransactionKind = 'request' | 'sweep';
export type TransactionLimits = Record<TransactionKind, TimeLimits>;

const limitsOf = new WeakMap<DataSource, TransactionLimits>();
const kindOfWork = new AsyncLocalStorage<TransactionKind>();

/**
 * The limits of a DataSource's transactions. The `request` limits must be its connections'
 * own defaults (createDataSource sets both), so only other kinds pay a `SET LOCAL`.
 */
export function setTransactionLimits(ds: DataSource, limits: TransactionLimits): void {
  limitsOf.set(ds, limits);
}

/** Runs `work` so that every transaction it starts, now or later (timers too), has the limits of `kind`. */
export function asTransactionKind<T>(kind: TransactionKind, work: () => T): T {
  return kindOfWork.run(kind, work);
}

/** The `SET LOCAL`s that give a transaction of this kind its limits, or null when the connection's defaults are them. */
function limitStatements(ds: DataSource): string | null {
  const kind = kindOfWork.getStore() ?? 'request';
  const all = limitsOf.get(ds);
  if (!all || kind === 'request') return null;
  const { statementMs, lockMs } = all[kind];
  return `SET LOCAL statement_timeout = ${Math.trunc(statementMs)}; SET LOCAL lock_timeout = ${Math.trunc(lockMs)}`;
}

/**
 * Runs `work` in one database transaction, again from the start (up to 5 times) when
 * PostgreSQL aborted it for a serialization failure or a deadlock. The transaction has the
 * time limits of its kind (`asTransactionKind`; a request's unless said otherwise); one that
 * ran out of time is not run again.
 */
export async function inTransaction<T>(ds: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  const limits = limitStatements(ds);
  const body = limits
    ? async (tx: EntityManager) => {
        await tx.query(limits);
        return work(tx);
      }
    : work;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction(body);
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
