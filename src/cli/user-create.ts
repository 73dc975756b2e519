// npm run user:create -- --email E --password P --role STAFF [--name N] [--phone T]
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createDataSource } from '../app/data-source';
import { App } from '../app/app';
import { loadConfig } from '../app/config';
import { createLogger } from '../app/logger';
import { systemClock } from '../common/clock';
import { DomainError } from '../common/errors';
import { inTransaction } from '../common/transaction';
import { Role } from '../modules/accounts/account.entity';
import { registerInput } from './demo-accounts';
import { migrate } from '../app/data-source';

async function main() {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string', default: 'STAFF' },
      name: { type: 'string' },
      phone: { type: 'string', default: '000-0000-0000' },
    },
  });
  const role = values.role?.toUpperCase() as Role;
  if (!values.email || !values.password || !Object.values(Role).includes(role)) {
    console.error('usage: npm run user:create -- --email E --password P --role STAFF|ADMIN|CUSTOMER [--name N] [--phone T]');
    process.exit(2);
  }
  const config = loadConfig();
  const ds = createDataSource(process.env.DATABASE_URL!);
  await ds.initialize();
  try {
    await migrate(ds);
    const app = new App({ ...config, jwtSecret: 'unused-by-this-command' }, ds, systemClock, createLogger('warn'));
    const input = registerInput(values.email, values.password, values.name ?? values.email.split('@')[0], values.phone!);
    const account = await inTransaction(ds, (tx) => app.accounts.register(tx, input, role));
    console.log(`created ${account.role} account ${account.email} (${account.id})`);
  } catch (error) {
    if (error instanceof DomainError) {
      for (const e of error.errors) console.error(`${e.field?.at(-1) ?? ''}: ${e.message}`);
      process.exitCode = 1;
    } else throw error;
  } finally {
    await ds.destroy();
  }
}

void main();
