import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/app/config';
import { wantsDemoAccounts } from '../src/cli/demo-accounts';
import { alive } from './support/gateway-process';

// The gateway as operators run it: `npm start` (npm → sh → node) on the embedded PostgreSQL,
// in a data folder of its own. Issue 14, items 4 and 6. The first test builds (prestart).
const ROOT = path.resolve(__dirname, '..');
const started: { child: ChildProcess; dataDir: string }[] = [];
const folders: string[] = [];

afterAll(async () => {
  // Whatever a failed test left running: the npm process, a gateway it left behind (found by
  // its own data folder), then that folder's PostgreSQL (by its pid file).
  for (const { child, dataDir } of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of processesUsing(dataDir, { environment: true })) if (pid !== postmasterPid(dataDir)) process.kill(pid, 'SIGKILL');
    const pid = postmasterPid(dataDir);
    if (pid && alive(pid)) process.kill(pid, 'SIGQUIT');
  }
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  port: number;
  dataDir: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start` (args: e.g. --ignore-scripts to skip the build) with a fresh data folder and port. */
async function npmStart(env: Record<string, string>, args: string[] = []): Promise<Running> {
  const parent = mkdtempSync(path.join(tmpdir(), 'gateway-process-'));
  chmodSync(parent, 0o755); // PostgreSQL runs as the postgres user, which must enter it
  folders.push(parent);
  const dataDir = path.join(parent, 'pg');
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'NODE_OPTIONS']) delete childEnv[name];
  const child = spawn('npm', ['start', ...args], {
    cwd: ROOT,
    env: { ...childEnv, HOST: '127.0.0.1', PORT: String(port), EMBEDDED_PG_DIR: dataDir, STORAGE_DIR: path.join(parent, 'files'), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push({ child, dataDir });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = await Promise.race([
    waitFor(() => output.includes('GraphQL gateway ready at'), 150_000).then(() => true),
    exited.then(() => false),
  ]);
  if (!ready) throw new Error(`npm start exited before it was ready:\n${output}`);
  return { child, port, dataDir, output: () => output, exited };
}

describe('npm start', () => {
  it('stops everything on SIGTERM to the npm process: node exits, PostgreSQL stops, the port closes', async () => {
    // given a gateway started the way the README says (development: demo accounts made)
    const gw = await npmStart({ NODE_ENV: 'development' });
    expect((await fetch(`http://127.0.0.1:${gw.port}/healthz`)).status).toBe(200);
    expect(gw.output()).toContain('created demo staff account: staff@demo.local');
    const postgres = postmasterPid(gw.dataDir);
    expect(postgres && alive(postgres)).toBeTruthy();

    // when the supervisor sends SIGTERM to the process it started (npm)
    gw.child.kill('SIGTERM');

    // then npm exits once node has drained and stopped PostgreSQL, and nothing is left behind
    const exit = await withTimeout(gw.exited, 30_000, `npm start did not exit within 30 s of SIGTERM:\n${gw.output()}`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(gw.output()).toMatch(/"msg":"stopped"/);
    await waitFor(() => !alive(postgres!), 5_000);
    expect(processesUsing(gw.dataDir)).toEqual([]);
    expect(await portOpen(gw.port)).toBe(false);
  }, 240_000);

  it('makes no demo accounts in production, even on the embedded database', async () => {
    // given production mode with its required settings, on the embedded database
    const gw = await npmStart(
      {
        NODE_ENV: 'production',
        JWT_SECRET: 'production-secret-that-is-long-enough-for-hs256',
        PAYPAL_CLIENT_ID: 'id',
        PAYPAL_CLIENT_SECRET: 'secret',
        PAYPAL_WEBHOOK_ID: 'webhook',
        BANK_TRANSFER_BANK_NAME: 'テスト銀行',
        BANK_TRANSFER_BRANCH_NAME: '本店',
        BANK_TRANSFER_ACCOUNT_NUMBER: '0000001',
        BANK_TRANSFER_ACCOUNT_HOLDER_KANA: 'ダイコウサービス',
      },
      ['--ignore-scripts'], // built by the test above (or by any earlier npm start)
    );
    let db: InstanceType<typeof Client> | undefined;
    try {
      // then no demo account exists, and none was announced
      expect(gw.output()).not.toMatch(/demo/i);
      const login = await fetch(`http://127.0.0.1:${gw.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `mutation { accountLogin(input: { email: "staff@demo.local", password: "demo-staff-pass" }) { token userErrors { code } } }` }),
      });
      expect(((await login.json()) as any).data.accountLogin).toEqual({ token: null, userErrors: [{ code: 'INVALID_CREDENTIALS' }] });
      const { port } = logLines(gw.output()).find((l) => l.msg === 'embedded PostgreSQL ready');
      db = new Client({ connectionString: `postgres://postgres:gateway-local@127.0.0.1:${port}/postgres` });
      await db.connect();
      expect((await db.query(`SELECT count(*)::int AS n FROM account`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await db?.end();
      gw.child.kill('SIGTERM');
      await withTimeout(gw.exited, 30_000, 'npm start did not stop').catch(() => {});
    }
  }, 120_000);
});

/** The pino JSON lines of the output. */
function logLines(output: string): any[] {
  return output.split('\n').flatMap((line) => {
    try {
      return line.startsWith('{') ? [JSON.parse(line)] : [];
    } catch {
      return [];
    }
  });
}

function postmasterPid(dataDir: string): number | null {
  const file = path.join(dataDir, 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) || null : null;
}

/**
 * Processes whose command line names `dir` (PostgreSQL's are started with `-D <dir>`), or with
 * `environment`, also those whose environment does (the gateway's EMBEDDED_PG_DIR).
 */
function processesUsing(dir: string, options: { environment?: boolean } = {}): number[] {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return ''; // gone meanwhile, or not ours to read
    }
  };
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => read(`/proc/${p}/cmdline`).includes(dir) || (options.environment && read(`/proc/${p}/environ`).includes(`=${dir}\0`)))
    .map(Number);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('demo accounts rule', () => {
  it('is development on the embedded database only, and production refuses DEMO_ACCOUNTS=true', () => {
    expect(wantsDemoAccounts({ NODE_ENV: 'development', DEMO_ACCOUNTS: undefined }, true)).toBe(true);
    expect(wantsDemoAccounts({ NODE_ENV: 'development', DEMO_ACCOUNTS: false }, true)).toBe(false);
    expect(wantsDemoAccounts({ NODE_ENV: 'development', DEMO_ACCOUNTS: true }, false)).toBe(false);
    expect(wantsDemoAccounts({ NODE_ENV: 'production', DEMO_ACCOUNTS: undefined }, true)).toBe(false);
    expect(wantsDemoAccounts({ NODE_ENV: 'test', DEMO_ACCOUNTS: undefined }, true)).toBe(false);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DEMO_ACCOUNTS: 'true', PAYPAL_CLIENT_ID: 'a', PAYPAL_CLIENT_SECRET: 'b', PAYPAL_WEBHOOK_ID: 'c' })).toThrow(
      /DEMO_ACCOUNTS: demo accounts \(published passwords\) are made only when NODE_ENV=development/,
    );
  });
});
