import { randomBytes } from 'node:crypto';
import { registerInput } from '../../src/cli/demo-accounts';
import { inTransaction } from '../../src/common/transaction';
import { Role } from '../../src/modules/accounts/account.entity';
import type { TestGateway } from './gateway';

export interface Actor {
  id: string;
  email: string;
  password: string;
  token: string;
}

const unique = () => randomBytes(4).toString('hex');

/** A customer signed up and signed in through the API. */
export async function customer(gw: TestGateway, overrides: Partial<{ email: string; name: string; phone: string }> = {}): Promise<Actor> {
  const email = overrides.email ?? `c-${unique()}@example.jp`;
  const password = 'correct horse battery';
  const res = await gw.gql(
    `mutation($input: AccountRegisterInput!) { accountRegister(input: $input) { token account { id } userErrors { code message } } }`,
    { input: { email, password, name: overrides.name ?? 'Hanako Yamada', phone: overrides.phone ?? '090-1234-5678' } },
  );
  const payload = res.data?.accountRegister;
  if (!payload?.token) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
  return { id: payload.account.id, email, password, token: payload.token };
}

/** A staff (or admin) account, made the way `npm run user:create` makes one, then signed in. */
export async function staff(gw: TestGateway, role: Role = Role.STAFF): Promise<Actor> {
  const email = `s-${unique()}@operator.jp`;
  const password = 'staff password 123';
  const account = await inTransaction(gw.app.ds, (tx) =>
    gw.app.accounts.register(tx, registerInput(email, password, 'Staff Member', '03-1234-5678'), role),
  );
  const { token } = await gw.app.tokens.issue(account.id, gw.clock.now());
  return { id: account.id, email, password, token };
}
