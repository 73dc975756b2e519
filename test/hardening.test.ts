import { createHash } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import { ORDER_DETAIL } from '../bench/queries';
import { createStaff, detailedOrder, registerCustomer } from '../bench/seed';
import { sqlStatementCount } from '../src/app/data-source';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, staff, submitOrder, type Actor } from './support/builders';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

/** Statements the gateway ran while `work` ran (nothing else uses this database meanwhile). */
async function sqlDuring<T>(g: TestGateway, work: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const before = sqlStatementCount(g.app.ds);
  const result = await work();
  return { result, statements: sqlStatementCount(g.app.ds) - before };
}

const nested = (levels: number) => {
  // Payment.order and Order.payments make a cycle: one level each.
  const names = Array.from({ length: levels }, (_, i) => (i % 2 ? 'order' : 'payments'));
  const selection = names.reduceRight((inner, name) => `${name} { ${inner} }`, 'id');
  return `{ order(id: "00000000-0000-0000-0000-000000000000") { ${selection} } }`;
};

describe('operation limits: refused before anything runs', () => {
  it.each([
    ['deeper than 12 levels', nested(12), 'depth', /depth limit of 12 exceeded/i],
    ['more than 15 aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: guestOrder(orderNumber: "AAAA-AAAA", phone: "0") { id }`).join(' ')} }`, 'aliases', /aliases limit of 15 exceeded/i],
    ['more than 10 directives', `{ ${Array.from({ length: 11 }, (_, i) => `t${i}: __typename @include(if: true)`).join(' ')} }`, 'directives', /directives limit of 10 exceeded/i],
    ['more than 1,000 tokens', `{ ${'__typename '.repeat(1000)} }`, 'tokens', /token limit of 1000 exceeded/i],
    ['costing more than 25,000', '{ orders(first: 100) { nodes { messages(first: 100) { nodes { attachments { id } } } } } }', 'cost', /too expensive: its estimated cost is \d+, the limit is 25000/],
  ])('refuses an operation %s with GRAPHQL_VALIDATION_FAILED, running no SQL', async (_label, query, limit, message) => {
    // when
    const { result: res, statements } = await sqlDuring(gw, () => gw.gql(query));

    // then
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].message).toMatch(message);
    expect(res.errors![0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit });
    expect(statements).toBe(0);
  });

  it('refuses by cost with variables too, and a signed-in caller costs only the read of its account', async () => {
    const c = await customer(gw);
    const query = 'query($n: Int!) { orders(first: $n) { nodes { messages(first: $n) { nodes { id } } } } }';
    const { result: refused, statements } = await sqlDuring(gw, () => gw.gql(query, { n: 100 }, { token: c.token }));
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost' });
    expect(statements).toBe(1); // the viewer's account, read when the request context is made
    const allowed = await gw.gql(query, { n: 20 }, { token: c.token });
    expect(allowed.errors).toBeUndefined();
  });

  it('lets the full order detail through (depth, tokens and cost of the real screen)', async () => {
    const clerk = await createStaff(gw.app);
    const owner = await registerCustomer(gw);
    const order = await detailedOrder(gw, owner, clerk, { items: 3, messages: 4, secondInvoice: true });
    const res = await gw.gql(ORDER_DETAIL, { id: order.id }, { token: owner.token });
    expect(res.errors).toBeUndefined();
    expect(res.data.order).toMatchObject({ id: order.id, secondInvoice: { kind: 'SECOND' } });
  });

  it('refuses a batch (a JSON array body) with a clear 400, running no SQL', async () => {
    const { result: res, statements } = await sqlDuring(gw, () =>
      fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) }),
    );
    expect(res.status).toBe(400);
    expect((await res.json()) as any).toEqual({ errors: [{ message: expect.stringMatching(/Batched requests .* are not accepted/), extensions: { code: 'BAD_REQUEST' } }] });
    expect(statements).toBe(0);
  });

  it('refuses a JSON body over 100 kB with 413 and a JSON error', async () => {
    const body = JSON.stringify({ query: 'query($x: String) { __typename }', variables: { x: 'a'.repeat(100_001) } });
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as any).errors[0].message).toMatch(/larger than the 100000 bytes accepted/);
  });

  describe('variables nested deeper or larger than the limits (issue 14, item 3)', () => {
    const deep = (levels: number) => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    const refusal = (limit: string, message: RegExp) => ({
      errors: [{ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT', limit } }],
    });

    it('refuses a 6 KB anonymous request with a variable nested 3,000 arrays deep with a 400, not a 500', async () => {
      // given a variable nested 3,000 arrays deep: a stack overflow for any recursive walk
      const body = JSON.stringify({ query: 'query($id: ID!) { order(id: $id) { id } }', variables: { id: deep(3000) } });
      expect(body.length).toBeLessThan(7000);

      // when it is sent as JSON, as the operations of a multipart request, and as a GET (100
      // deep there: 3,000 make a URL past Node's 16 KB header limit, refused with 431 already)
      const { result: res, statements } = await sqlDuring(gw, () => fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
      const get = await fetch(`${gw.url}?query=${encodeURIComponent('query($id: ID!) { order(id: $id) { id } }')}&variables=${encodeURIComponent(JSON.stringify({ id: deep(100) }))}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      const form = new FormData();
      form.append('operations', body);
      form.append('map', '{}');
      const multipart = await fetch(gw.url, { method: 'POST', headers: { 'apollo-require-preflight': 'true' }, body: form });

      // then each is a clear client error, refused before anything runs
      for (const r of [res, get, multipart]) {
        expect(r.status).toBe(400);
        expect(await r.json()).toEqual(refusal('variableDepth', /nested deeper than 16 levels/));
      }
      expect(statements).toBe(0);
    });

    it('refuses variables with more than 5,000 values, and lets real inputs through', async () => {
      const many = await gw.gql('query($id: ID!) { order(id: $id) { id } }', { id: Array(5001).fill(0) });
      expect(many.status).toBe(400);
      expect(many.body).toEqual(refusal('variableValues', /more than 5000 values/));
      // 16 levels are within the depth limit (the usual input-coercion error answers), 17 are not
      expect((await gw.gql('query($id: ID!) { order(id: $id) { id } }', { id: deep(17) })).body).toEqual(refusal('variableDepth', /deeper than 16/));
      const within = await gw.gql('query($id: ID!) { order(id: $id) { id } }', { id: deep(16) });
      expect(within.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(within.errors?.[0].extensions?.limit).toBeUndefined();
      expect(within.errors?.[0].message).toMatch(/ID cannot represent/);
    });
  });

  it('keeps automatic persisted queries off: a hash alone is not a query', async () => {
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update('{ __typename }').digest('hex') } } }),
    });
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });
});

describe('guest lookups: every aliased field is an attempt', () => {
  const lookups = (orderNumber: string, phones: string[]) =>
    `{ ${phones.map((p, i) => `g${i}: guestOrder(orderNumber: "${orderNumber}", phone: "${p}") { id }`).join(' ')} }`;

  it('counts 10 aliased failures in one request as 10, then refuses the right phone', async () => {
    // given a guest order
    const order = await submitOrder(gw, null);

    // when one request guesses ten phones
    const guesses = await gw.gql(lookups(order.orderNumber, Array.from({ length: 10 }, (_, i) => `080-0000-00${10 + i}`)));

    // then ten attempts are spent, and even the right phone is refused now
    expect(Object.values(guesses.data)).toEqual(Array(10).fill(null));
    expect((await gw.app.rateLimits.limiter('guestOrder').get(order.orderNumber))?.consumedPoints).toBe(10);
    const right = await gw.gql(lookups(order.orderNumber, ['080-9999-0000']));
    expect(right.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(right.data).toEqual({ g0: null });
  });

  it('refuses the right phone as the 11th alias of the same request, with Retry-After', async () => {
    const order = await submitOrder(gw, null);
    const phones = [...Array.from({ length: 10 }, (_, i) => `080-0000-00${20 + i}`), '080-9999-0000'];
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: lookups(order.orderNumber, phones) }) });
    const body = (await res.json()) as any;
    expect(body.data.g10).toBeNull();
    expect(body.errors).toEqual([expect.objectContaining({ path: ['g10'], extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
    expect(Number(res.headers.get('retry-after'))).toBe(body.errors[0].extensions.retryAfter);
  });

  it('gives a success back: a guest who knows the phone can look as often as needed', async () => {
    const order = await submitOrder(gw, null);
    for (let i = 0; i < 12; i++) expect((await gw.gql(lookups(order.orderNumber, ['080-9999-0000']))).data.g0).toEqual({ id: order.id });
    expect((await gw.app.rateLimits.limiter('guestOrder').get(order.orderNumber))?.consumedPoints ?? 0).toBe(0);
  });
});

describe('sign-in brute force', () => {
  const LOGIN = `mutation($input: AccountLoginInput!) { accountLogin(input: $input) { token userErrors { code } } }`;

  it('refuses a 6th attempt on one account from one address within 15 minutes, even with the right password', async () => {
    const c = await customer(gw);
    for (let i = 0; i < 5; i++) {
      const wrong = await gw.gql(LOGIN, { input: { email: c.email, password: `wrong ${i}` } });
      expect(wrong.data.accountLogin.userErrors).toEqual([{ code: 'INVALID_CREDENTIALS' }]);
    }
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: LOGIN, variables: { input: { email: c.email.toUpperCase(), password: c.password } } }) });
    const body = (await res.json()) as any;
    expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(/Too many failed sign-ins\. Try again in \d+ seconds\./), extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number) } });
    expect(body.errors[0].extensions.retryAfter).toBeGreaterThan(14 * 60);
    expect(Number(res.headers.get('retry-after'))).toBe(body.errors[0].extensions.retryAfter);
  });

  it('forgets an account’s failures from an address once the right password is given there', async () => {
    const c = await customer(gw);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) await gw.gql(LOGIN, { input: { email: c.email, password: 'wrong' } });
      expect((await gw.gql(LOGIN, { input: { email: c.email, password: c.password } })).data.accountLogin.token).toEqual(expect.any(String));
    }
  });
});

describe('security headers', () => {
  const base = () => gw.url.replace(/\/graphql$/, '');
  const expectHelmet = (res: Response) => {
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
  };
  const STRICT = "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'";

  it('sends them with a strict policy on /graphql and /healthz', async () => {
    for (const res of [
      await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }),
      await fetch(`${base()}/healthz`),
      await fetch(`${gw.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } }),
    ]) {
      expectHelmet(res);
      expect(res.headers.get('content-security-policy')).toBe(STRICT);
    }
  });

  it('lets the Playground page run exactly its own inline scripts, and nothing from elsewhere', async () => {
    const res = await fetch(gw.url, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expectHelmet(res);
    const csp = res.headers.get('content-security-policy')!;
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
      .filter((m) => !/\bsrc=/.test(m[1]))
      .map((m) => `'sha256-${createHash('sha256').update(m[2]).digest('base64')}'`);
    expect(inline.length).toBeGreaterThanOrEqual(2);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!.trim().split(/\s+/);
    expect(scriptSrc.sort()).toEqual(['script-src', "'self'", ...inline].sort());
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|https?:|\*/);
  });
});

describe('production: the schema is for staff only', () => {
  let prod: TestGateway;
  let shopper: Actor;
  let clerk: Actor;
  beforeAll(async () => {
    // Production requires real PayPal credentials and the transfer account (config.ts); these are never used: no test here pays.
    prod = await startTestGateway({
      NODE_ENV: 'production',
      PAYPAL_CLIENT_ID: 'unused-client',
      PAYPAL_CLIENT_SECRET: 'unused-secret',
      PAYPAL_WEBHOOK_ID: 'unused-webhook',
      PAYPAL_API_BASE: 'https://paypal.invalid',
      BANK_TRANSFER_BANK_NAME: 'テスト銀行',
      BANK_TRANSFER_BRANCH_NAME: '本店',
      BANK_TRANSFER_ACCOUNT_NUMBER: '0000001',
      BANK_TRANSFER_ACCOUNT_HOLDER_KANA: 'テスト',
    });
    [shopper, clerk] = await Promise.all([customer(prod), staff(prod)]);
  });
  afterAll(() => prod.close());

  it.each([
    ['the full introspection query', getIntrospectionQuery()],
    ['a type lookup', '{ __type(name: "Order") { fields { name } } }'],
  ])('refuses %s to anonymous callers and customers, running no SQL for anonymous', async (_label, query) => {
    const { result: anonymous, statements } = await sqlDuring(prod, () => prod.gql(query));
    const asCustomer = await prod.gql(query, {}, { token: shopper.token });
    for (const res of [anonymous, asCustomer]) {
      expect(res.status).toBe(400);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Introspection is available to staff only/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    }
    expect(statements).toBe(0);
  });

  it('answers introspection to staff (the Playground with their token in HTTP HEADERS)', async () => {
    const res = await prod.gql(getIntrospectionQuery(), {}, { token: clerk.token });
    expect(res.errors).toBeUndefined();
    expect(res.data.__schema.types.some((t: { name: string }) => t.name === 'Order')).toBe(true);
  });

  it('still answers __typename to anyone', async () => {
    expect((await prod.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('gives customers and anonymous callers no "Did you mean" suggestions; staff keep them', async () => {
    const typo = '{ me { emial } }';
    const asCustomer = await prod.gql(typo, {}, { token: shopper.token });
    const anonymous = await prod.gql('query($s: OrderStatusGroup) { orders(filter: { statusGroup: $s }) { nodes { id } } }', { s: 'IN_PROGRES' });
    const asStaff = await prod.gql(typo, {}, { token: clerk.token });
    expect(asCustomer.errors?.[0].message).toBe('Cannot query field "emial" on type "Account".');
    expect(anonymous.errors?.[0].message).not.toMatch(/Did you mean/);
    expect(anonymous.errors?.[0].message).toMatch(/IN_PROGRES/);
    expect(asStaff.errors?.[0].message).toMatch(/Did you mean "email"\?/);
  });

  it('keeps suggestions outside production (development helps the developer)', async () => {
    const res = await gw.gql('{ me { emial } }');
    expect(res.errors?.[0].message).toMatch(/Did you mean "email"\?/);
  });

  it('sends no stack traces', async () => {
    const res = await prod.gql('{ me { emial } }');
    expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|at .*\.js:\d+/);
  });
});
