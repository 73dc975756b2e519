import { createHash } from 'node:crypto';
import { DataSource, type Logger as TypeormLogger } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
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
}

/** The one DataSource definition, used by the gateway, the tests and `ormconfig.ts` (CLI). */
export function createDataSource(url: string, options: DataSourceOptions = {}): DataSource {
  return new DataSource({
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
    extra: { max: options.poolSize ?? 10 },
  });
}

// Any constant; all gateway processes agree on it so only one migrates at a time.
const MIGRATION_LOCK = 7_240_001;

/** Applies pending migrations, one process at a time when several start together. */
export async function migrate(ds: DataSource): Promise<number> {
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.length;
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
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
