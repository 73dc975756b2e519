import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/app/config';
import { startGateway, type Gateway } from '../src/app/gateway';
import { customer, submitOrder } from './support/builders';
import { startTestGateway, type TestGateway } from './support/gateway';

// Two gateway processes (here: two gateways in one test process, each with its own Redis
// connection, HTTP server and pool) on one database and one Redis share every limit.
// They need a Redis: TEST_REDIS_URL, else REDIS_URL, else redis://127.0.0.1:6379. The global
// setup looks for it once; if it does not answer, these tests are skipped and listed with the
// reason at the end of the run, unless REQUIRE_REDIS=1 (as in .ci/run): then they fail.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const unavailable = process.env.TEST_REDIS_SKIP; // set by test/support/global-setup.mjs
const required = process.env.REQUIRE_REDIS === '1';
const skip = Boolean(unavailable) && !required;
if (skip) {
  console.warn(`SKIPPED test/rate-limits-redis.test.ts: ${unavailable}. Start redis-server or set REDIS_URL; CI sets REQUIRE_REDIS=1 and fails instead.`);
}
const PREFIX = `test-${randomBytes(4).toString('hex')}`;

(skip ? describe.skip : describe)(skip ? `needs Redis — ${unavailable}: start redis-server or set REDIS_URL (CI sets REQUIRE_REDIS=1: then this fails)` : 'with Redis', () => {
  let first: TestGateway;
  let second: Gateway;
  let redis: Redis;
  beforeAll(async () => {
    if (unavailable) throw new Error(`REQUIRE_REDIS=1 and ${unavailable}. These tests need it: start redis-server, or point REDIS_URL at one.`);
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await redis.connect();
    await redis.ping();
    const env = { REDIS_URL, RATE_LIMIT_KEY_PREFIX: PREFIX };
    first = await startTestGateway(env);
    second = await startGateway({
      databaseUrl: first.databaseUrl,
      clock: first.clock,
      config: loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256', STORAGE_DIR: first.storageDir, ...env }),
    });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.close();
    if (redis?.status === 'ready') {
      const keys = await redis.keys(`${PREFIX}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  const post = (url: string, query: string, variables: Record<string, unknown>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }).then((r) => r.json() as Promise<any>);

  it('keeps its counters in Redis in both gateways', () => {
    expect(first.app.rateLimits.store).toBe('redis');
    expect(second.app.rateLimits.store).toBe('redis');
  });

  it('shares the failed sign-in limit: 3 failures on one gateway and 2 on the other spend it', async () => {
    // given
    const c = await customer(first);
    const LOGIN = `mutation($input: AccountLoginInput!) { accountLogin(input: $input) { token userErrors { code } } }`;
    const wrong = { input: { email: c.email, password: 'wrong' } };
    for (let i = 0; i < 3; i++) expect((await post(first.url, LOGIN, wrong)).data.accountLogin.userErrors).toEqual([{ code: 'INVALID_CREDENTIALS' }]);
    for (let i = 0; i < 2; i++) expect((await post(second.url, LOGIN, wrong)).data.accountLogin.userErrors).toEqual([{ code: 'INVALID_CREDENTIALS' }]);

    // when the right password comes, on either
    const right = { input: { email: c.email, password: c.password } };
    const onFirst = await post(first.url, LOGIN, right);
    const onSecond = await post(second.url, LOGIN, right);

    // then both refuse, and the count is in Redis
    for (const res of [onFirst, onSecond]) expect(res.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(Number(await redis.get(`${PREFIX}:loginEmailIp:${c.email}|127.0.0.1`))).toBeGreaterThanOrEqual(5);
  });

  it('shares the guest lookup limit across gateways (aliases counted on each)', async () => {
    const order = await submitOrder(first, null);
    const lookups = (phones: string[]) => `{ ${phones.map((p, i) => `g${i}: guestOrder(orderNumber: "${order.orderNumber}", phone: "${p}") { id }`).join(' ')} }`;
    await post(first.url, lookups(['080-0000-0001', '080-0000-0002', '080-0000-0003', '080-0000-0004', '080-0000-0005']), {});
    await post(second.url, lookups(['080-0000-0006', '080-0000-0007', '080-0000-0008', '080-0000-0009', '080-0000-0010']), {});
    const right = await post(second.url, lookups(['080-9999-0000']), {});
    expect(right.errors[0].extensions.code).toBe('RATE_LIMITED');
  });
});

// Needs no Redis: it runs everywhere.
it('does not start when REDIS_URL points at no Redis, and says why', async () => {
  await expect(startTestGateway({ REDIS_URL: 'redis://127.0.0.1:1' })).rejects.toThrow(/Cannot reach Redis at REDIS_URL for the rate limits/);
});
