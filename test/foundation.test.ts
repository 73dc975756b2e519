import { readFileSync } from 'node:fs';
import { buildGatewaySchema, printGatewaySchema, SCHEMA_FILE } from '../src/app/schema';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, staff } from './support/builders';
import { Role } from '../src/modules/accounts/account.entity';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

describe('schema and migrations', () => {
  it('has schema/schema.graphql up to date (run `npm run schema:emit` after changing the API)', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(printGatewaySchema(await buildGatewaySchema())).toBe(committed);
  });

  it('has migrations that produce exactly the entities: generating one would find no change', async () => {
    const pending = await gw.app.ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has no pending migration after start', async () => {
    expect(await gw.app.ds.showMigrations()).toBe(false);
  });
});

describe('HTTP basics', () => {
  const base = () => gw.url.replace(/\/graphql$/, '');

  it('answers { __typename } and the health checks', async () => {
    expect((await gw.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    const health = await fetch(`${base()}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base()}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('reports an exhausted database pool on /readyz at once, and ready again when it drains', async () => {
    // given: every pooled connection busy (the test gateway's pool is 20) and one more query queued
    const busy = Array.from({ length: 21 }, () => gw.app.ds.query('SELECT pg_sleep(1.5)'));
    await new Promise((r) => setTimeout(r, 300));
    // when
    const started = Date.now();
    const exhausted = await fetch(`${base()}/readyz`);
    // then
    expect(exhausted.status).toBe(503);
    expect(await exhausted.json()).toEqual({ status: 'database pool exhausted', pool: { total: 20, idle: 0, waiting: 1, max: 20 } });
    expect(Date.now() - started).toBeLessThan(1000); // not queued behind the busy connections
    await Promise.all(busy);
    expect(await (await fetch(`${base()}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('tags every response with a request id', async () => {
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    const post = (id: string) => fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: '{"query":"{ __typename }"}' });
    // A caller's well-formed id is kept (to follow a request across services); anything else is replaced.
    expect((await post('trace-42_a')).headers.get('x-request-id')).toBe('trace-42_a');
    expect((await post('<script>')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names the field of malformed input with BAD_USER_INPUT', async () => {
    const res = await gw.gql(`mutation($input: AccountLoginInput!) { accountLogin(input: $input) { token } }`, { input: { email: 1 } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/input\.email/);
  });

  it('answers a malformed JSON body with a JSON error, not an HTML page', async () => {
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/json/);
  });
});

describe('errors leak nothing', () => {
  it('turns an unexpected failure into INTERNAL_SERVER_ERROR with no SQL or table names', async () => {
    const admin = await staff(gw, Role.ADMIN);
    // Break the database under the resolver: the table it writes is gone.
    await gw.app.ds.query('ALTER TABLE account RENAME TO account_moved');
    try {
      const res = await gw.gql(
        `mutation($input: AccountRoleSetInput!) { accountRoleSet(input: $input) { account { id } userErrors { code } } }`,
        { input: { accountId: admin.id, role: 'STAFF' } },
        { token: admin.token },
      ).catch((e) => e);
      // the token check itself reads the table, so the request fails before the resolver runs
      const text = JSON.stringify(res.body ?? res);
      expect(text).not.toMatch(/account_moved|relation|SELECT|stack|\.ts:/i);
      expect(res.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await gw.app.ds.query('ALTER TABLE account_moved RENAME TO account');
    }
  });
});

describe('roles on operations', () => {
  const SET_ROLE = `mutation($input: AccountRoleSetInput!) { accountRoleSet(input: $input) { account { role } userErrors { code field } } }`;

  it('lets an admin demote staff, and refuses customers and staff with FORBIDDEN', async () => {
    const admin = await staff(gw, Role.ADMIN);
    const member = await staff(gw);
    const c = await customer(gw);
    for (const caller of [c, member]) {
      const res = await gw.gql(SET_ROLE, { input: { accountId: member.id, role: 'CUSTOMER' } }, { token: caller.token });
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const ok = await gw.gql(SET_ROLE, { input: { accountId: member.id, role: 'CUSTOMER' } }, { token: admin.token });
    expect(ok.data.accountRoleSet).toEqual({ account: { role: 'CUSTOMER' }, userErrors: [] });
  });

  it('answers an id that cannot exist as NOT_FOUND', async () => {
    const admin = await staff(gw, Role.ADMIN);
    const res = await gw.gql(SET_ROLE, { input: { accountId: 'not-a-uuid', role: 'STAFF' } }, { token: admin.token });
    expect(res.data.accountRoleSet.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'accountId'] }]);
  });
});
