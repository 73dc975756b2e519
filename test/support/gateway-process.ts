import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestGateway } from './gateway';

/** Another gateway, in a process of its own, on the database of a test's gateway. */
export interface GatewayProcess {
  url: string;
  pid: number;
  /** What it printed (stdout and stderr), for failures. */
  output(): string;
  /** POSTs one GraphQL operation to it. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: { token?: string }): Promise<{ data: T; errors?: any[] }>;
  /** SIGTERM, and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const SUPPORT = __dirname;

/**
 * Starts `node test/support/gateway-child.ts` (TypeScript through swc, as Jest runs it) with the
 * settings of `first` plus `env`: same database, same JWT secret (a token works on both), its
 * clock where `first`'s stands. Two processes, one database: what production runs.
 */
export async function startGatewayProcess(first: TestGateway, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['-r', path.join(SUPPORT, 'swc-register.js'), path.join(SUPPORT, 'gateway-child.ts')], {
    cwd: path.join(SUPPORT, '..', '..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256',
      DATABASE_URL: first.databaseUrl,
      DATABASE_POOL_SIZE: '5',
      STORAGE_DIR: first.storageDir,
      SWEEP_INTERVAL_SECONDS: '0',
      TEST_CLOCK_AT: String(first.clock.now().getTime()),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the second gateway did not start within 60 s:\n${output}`)), 60_000);
    const look = () => {
      const match = /gateway ready at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        resolve(match[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the second gateway exited (${code}) before it was ready:\n${output}`));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async gql(query, variables, options = {}) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as any;
    },
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

/** Is the process still there (signal 0 checks without signalling)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
