import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/app/config';
import { startGateway, type Gateway } from '../../src/app/gateway';
import type { Clock } from '../../src/common/clock';

// Read once at load: some tests redirect os.tmpdir() to watch upload spool files.
const TMP = tmpdir();

/** A clock the test moves by hand; the gateway under test reads time only from it. */
export class TestClock implements Clock {
  private t: number;
  constructor(start = new Date('2026-04-01T03:00:00Z')) {
    this.t = start.getTime();
  }
  now() {
    return new Date(this.t);
  }
  set(date: Date) {
    this.t = date.getTime();
  }
  advanceDays(days: number) {
    this.t += days * 24 * 60 * 60 * 1000;
  }
}

/** A file in a multipart request, placed at `path` in the variables (e.g. 'input.files.0'). */
export interface OutgoingFile {
  path: string;
  name: string;
  type: string;
  bytes: Buffer;
}

export interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown }; path?: string[] }[];
  body: any;
}

export interface TestGateway extends Gateway {
  clock: TestClock;
  databaseUrl: string;
  /** POSTs one GraphQL operation as a client would. */
  /** Attachment storage folder of this gateway (a fresh temporary one). */
  storageDir: string;
  /** POSTs one operation as a GraphQL multipart request (files at variable paths), as browsers do. */
  upload(query: string, variables: Record<string, unknown>, files: OutgoingFile[], options?: { token?: string; headers?: Record<string, string> }): Promise<GqlResult>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: { token?: string; headers?: Record<string, string> }): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

/**
 * The real gateway on a fresh database of its own (all migrations applied), listening on a
 * free port. One per test file: files stay independent and run in parallel.
 */
export async function startTestGateway(env: Record<string, string> = {}, options: { log?: Logger } = {}): Promise<TestGateway> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set: run the tests through `npm test`.');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  const databaseUrl = withDatabase(base, name);
  const clock = new TestClock();
  const storageDir = mkdtempSync(path.join(TMP, 'gateway-files-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256',
    DATABASE_POOL_SIZE: '20',
    STORAGE_DIR: storageDir,
    ...env,
  });
  const gateway = await startGateway({ config, databaseUrl, clock, log: options.log });
  return {
    ...gateway,
    clock,
    databaseUrl,
    storageDir,
    async upload(query, variables, files, options = {}) {
      const form = new FormData();
      form.append('operations', JSON.stringify({ query, variables }));
      form.append('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [`variables.${f.path}`]]))));
      files.forEach((f, i) => form.append(String(i), new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name));
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'apollo-require-preflight': 'true', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
        body: form,
      });
      const body = (await res.json()) as any;
      return { status: res.status, data: body.data, errors: body.errors, body };
    },
    async gql(query, variables, options = {}) {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as any;
      return { status: res.status, data: body.data, errors: body.errors, body };
    },
    async close() {
      await gateway.stop();
      await adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
