import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, PROJECT_ROOT, type Config } from './app/config';
import { startGateway, type Gateway } from './app/gateway';
import { createLogger } from './app/logger';
import { ensureDemoAccounts } from './cli/demo-accounts';
import { asTransactionKind } from './common/transaction';
import { startScheduler } from './jobs/scheduler';

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL);
  config.jwtSecret ||= localSecret();

  // Signals are ours from the start: stop taking requests, finish in-flight ones, stop the
  // sweeps, close the pool, and only then stop the embedded PostgreSQL (nothing left behind).
  let gateway: Gateway | undefined;
  let stopDatabase = async () => {};
  let stopScheduler = async () => {};
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      await stopScheduler();
      log.debug('sweeps stopped');
      await gateway?.stop();
      log.debug('gateway stopped');
    } finally {
      await stopDatabase();
      log.info('stopped');
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // No DATABASE_URL: a real PostgreSQL, embedded, with its data in .data/ (kept between starts).
  let databaseUrl = config.DATABASE_URL;
  const embedded = !databaseUrl;
  if (!databaseUrl) {
    const { leaveSignalsToCaller, startEmbeddedPostgres } = await import('./app/embedded-postgres.mjs');
    await leaveSignalsToCaller();
    const pg = await startEmbeddedPostgres({
      dataDir: config.EMBEDDED_PG_DIR,
      log: (line) => log.debug({ postgres: line }),
    });
    log.info({ port: pg.port, dataDir: config.EMBEDDED_PG_DIR, reused: !pg.started }, 'embedded PostgreSQL ready');
    databaseUrl = pg.url;
    stopDatabase = pg.stop;
  }

  try {
    gateway = await startGateway({ config, databaseUrl, log });
  } catch (error) {
    log.fatal({ err: error }, 'gateway failed to start');
    await stopDatabase();
    process.exit(1);
  }

  if (embedded && config.DEMO_ACCOUNTS !== false) {
    for (const line of await ensureDemoAccounts(gateway.app)) console.log(line);
  }
  // The sweeps' transactions get the sweep time limits (SWEEP_*_TIMEOUT_MS), not a request's.
  stopScheduler = asTransactionKind('sweep', () => startScheduler(gateway!.app, config.SWEEP_INTERVAL_SECONDS));
  console.log(`GraphQL gateway ready at ${gateway.url}`);
}

/** Without JWT_SECRET (never in production), tokens are signed with a secret kept in .data/. */
function localSecret(): string {
  const file = path.join(PROJECT_ROOT, '.data', 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

void main();
