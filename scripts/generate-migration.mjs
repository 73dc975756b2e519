// Called by `npm run migration:generate -- Name` (through with-database.mjs): makes a scratch
// database beside DATABASE_URL's, applies every committed migration there, generates the
// new migration against it, and drops the scratch database.
import { execFileSync } from 'node:child_process';
import pg from 'pg';

const name = process.argv[2];
if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
  console.error('usage: npm run migration:generate -- <Name>   (letters and digits)');
  process.exit(2);
}
const base = new URL(process.env.DATABASE_URL);
const scratch = `migration_scratch_${Date.now()}`;
const admin = new pg.Client({ connectionString: base.toString() });
await admin.connect();
await admin.query(`CREATE DATABASE ${scratch}`);
const url = new URL(base);
url.pathname = `/${scratch}`;
const env = { ...process.env, DATABASE_URL: url.toString() };
const cli = ['typeorm-ts-node-commonjs'];
let code = 0;
try {
  execFileSync('npx', [...cli, 'migration:run', '-d', 'ormconfig.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('npx', [...cli, 'migration:generate', '-p', '-d', 'ormconfig.ts', `migrations/${name}`], { env, stdio: 'inherit' });
} catch (error) {
  code = error.status ?? 1;
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
  await admin.end();
}
process.exit(code);
