import type { App } from '../app/app';
import type { Config } from '../app/config';
import { inTransaction } from '../common/transaction';
import { Account, Role } from '../modules/accounts/account.entity';
import { AccountRegisterInput } from '../modules/accounts/account.inputs';

const DEMO = [
  { email: 'staff@demo.local', password: 'demo-staff-pass', name: 'Demo Staff', role: Role.STAFF },
  { email: 'customer@demo.local', password: 'demo-customer-pass', name: 'Demo Customer', role: Role.CUSTOMER },
];

/**
 * Demo accounts have published passwords: they are made only in development (the default
 * NODE_ENV) on the embedded database, never in production or on a DATABASE_URL, and not when
 * DEMO_ACCOUNTS=false.
 */
export function wantsDemoAccounts(config: Pick<Config, 'NODE_ENV' | 'DEMO_ACCOUNTS'>, embeddedDatabase: boolean): boolean {
  return embeddedDatabase && config.NODE_ENV === 'development' && config.DEMO_ACCOUNTS !== false;
}

/**
 * Embedded (local) database only: a staff member and a customer to try the Playground with.
 * Created on the first start; the lines to print are returned.
 */
export async function ensureDemoAccounts(app: App): Promise<string[]> {
  const lines: string[] = [];
  for (const demo of DEMO) {
    const exists = await app.ds.getRepository(Account).exists({ where: { email: demo.email } });
    if (!exists) {
      await inTransaction(app.ds, (tx) =>
        app.accounts.register(tx, registerInput(demo.email, demo.password, demo.name, '090-0000-0000'), demo.role),
      );
      lines.push(`created demo ${demo.role.toLowerCase()} account: ${demo.email} / ${demo.password}`);
    } else {
      lines.push(`demo ${demo.role.toLowerCase()} account: ${demo.email} / ${demo.password} (unless changed)`);
    }
  }
  return lines;
}

export function registerInput(email: string, password: string, name: string, phone: string): AccountRegisterInput {
  return Object.assign(new AccountRegisterInput(), { email, password, name, phone });
}
