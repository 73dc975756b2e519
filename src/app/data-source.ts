import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, MigrationExecutor, type Logger as TypeormLogger } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { setTransactionLimits, type TransactionLimits } from '../common/transaction';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/**
 * Counts SQL statements (for the request log and the N+1 tests); logs nothing itself —
 * failing queries surface as errors where they happen.
 */
export class SqlCounter implements TypeormLogger {
  count = 0;
  logQuery() {
    this.count++;
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

/** Statements run so far through this DataSource (0 if it was made without a counter). */
export function sqlStatementCount(ds: DataSource): number {
  return ds.logger instanceof SqlCounter ? ds.logger.count : 0;
}

export interface DataSourceOptions {
  poolSize?: number;
  logger?: TypeormLogger;
  /**
   * Statement and lock time limits per kind of transaction (common/transaction.ts). The
   * `request` limits are every connection's defaults, so they also bound each query run
   * outside a transaction. Without them (CLI, scripts) nothing is limited.
   */
  limits?: TransactionLimits;
}

/** The one DataSource definition, used by the gateway, the tests and `ormconfig.ts` (CLI). */
export function createDataSource(url: string, options: DataSourceOptions = {}): DataSource {
  const ds = new DataSource({
    type: 'postgres',
    url,
    // gen_random_uuid() is built into PostgreSQL ≥ 13: no extension to install (or to be allowed to).
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: options.logger ? ['query'] : false,
    logger: options.logger,
    extra: {
      Client: PooledClient,
      max: options.poolSize ?? 10,
      // Sent by pg when it connects (0 sends nothing: the server's default, no limit).
      statement_timeout: options.limits?.request.statementMs ?? 0,
      lock_timeout: options.limits?.request.lockMs ?? 0,
    },
  });
  if (options.limits) setTransactionLimits(ds, options.limits);
  return ds;
}

/**
 * pg's pool listens for the errors of idle connections only. A connection that is checked out
 * (a transaction between two statements) when the server ends it — a restart, a failover,
 * pg_terminate_backend — emits 'error' with no listener, and an unhandled 'error' event ends
 * the whole process with every request in flight. The error needs no handling here: it fails
 * that connection's next query (the request answers an internal error, its transaction is
 * gone), and the pool drops the connection when it is released, as it is no longer queryable.
 */
class PooledClient extends Client {
  constructor(config?: unknown) {
    super(config);
    this.on('error', () => undefined);
  }
}

// Any constant; all gateway processes agree on it so only one migrates at a time.
const MIGRATION_LOCK = 7_240_001;

/**
 * Applies pending migrations, one process at a time when several start together, on one
 * connection without time limits: an index built on a big table may take minutes, and so may
 * the wait for another process's migrations.
 */
export async function migrate(ds: DataSource): Promise<number> {
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SET statement_timeout = 0; SET lock_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const executor = new MigrationExecutor(ds, runner);
    executor.transaction = 'each'; // a migration with `transaction = false` runs outside one (CREATE INDEX CONCURRENTLY)
    const applied = await executor.executePendingMigrations();
    return applied.length;
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    // Back to the connection's own limits (those pg sent when it connected) before the pool reuses it.
    await runner.query('RESET statement_timeout; RESET lock_timeout').catch(() => undefined);
    await runner.release();
  }
}

const statementNames = new Map<string, string>();

/** What we use of pg's Pool (the package ships no types). */
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: any[] }>; // any: rows as the SQL shapes them
}

/**
 * A read through a named prepared statement: PostgreSQL parses and plans the text once per
 * connection, and each later run sends only the parameters. For the read models' long,
 * constant statements, run on every screen load.
 */
export async function preparedQuery<R = any>(ds: DataSource, sql: string, params: unknown[]): Promise<R[]> {
  ds.logger.logQuery(sql, params);
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `read_${createHash('sha1').update(sql).digest('hex')}`));
  const pool = (ds.driver as PostgresDriver).master as PgPool;
  return (await pool.query({ name, text: sql, values: params })).rows;
}
