#!/usr/bin/env node
// Runs a command with DATABASE_URL set: the given one, or else the embedded PostgreSQL of
// `npm start` (started for the command and stopped after, or reused if the gateway runs).
// Used by the migration and user scripts so they need no setup on a fresh machine.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../src/app/embedded-postgres.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-database.mjs <command> [args…]');
  process.exit(2);
}

let pg = null;
if (!process.env.DATABASE_URL) {
  pg = await startEmbeddedPostgres({ dataDir: process.env.EMBEDDED_PG_DIR || path.join(root, '.data', 'postgres') });
  process.env.DATABASE_URL = pg.url;
}
const child = spawn(command, args, { stdio: 'inherit', env: process.env });
const code = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await pg?.stop();
process.exit(code);
