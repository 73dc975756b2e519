import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { LISTENER_APPLICATION_NAME } from '../src/modules/subscriptions/pg-listener';
import { ADDRESS, customer, staff, submitOrder, type Actor } from './support/builders';
import { startTestGateway, type TestGateway } from './support/gateway';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process';
import { liveClient, until } from './support/live-client';

// With REDIS_URL: one relay process LISTENs and publishes to Redis, every process subscribes.
// Two gateway processes on one database and one Redis (Redis at 127.0.0.1:6379 here, as for
// test/rate-limits-redis.test.ts: these tests need it and do not skip).
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `test-${randomBytes(4).toString('hex')}`;
const env = { REDIS_URL, RATE_LIMIT_KEY_PREFIX: PREFIX, SUBSCRIPTIONS_RELAY_LEASE_MS: '1000' };

let gw: TestGateway;
let other: GatewayProcess;
let redis: Redis;
let clerk: Actor;
const clients: { dispose(): void | Promise<void> }[] = [];

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (${(error as Error).message}). These tests need it and do not skip: start redis-server, or point TEST_REDIS_URL at one.`);
  }
  gw = await startTestGateway(env);
  other = await startGatewayProcess(gw, env);
  clerk = await staff(gw);
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.dispose();
});
afterAll(async () => {
  await other?.stop();
  await gw?.close();
  if (redis?.status === 'ready') {
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
});

const ORDER_UPDATED = `subscription($id: ID!) { orderUpdated(orderId: $id) { id status deliveryAddress { city } } }`;
const QUOTE = `mutation($input: OrderQuoteInput!) { orderQuote(input: $input) { order { status } userErrors { code } } }`;
const ADDRESS_CHANGE = `mutation($input: OrderDeliveryAddressChangeInput!) { orderDeliveryAddressChange(input: $input) { order { id } userErrors { code } } }`;

function quoteInput(order: { id: string; items: { id: string }[] }) {
  return { orderId: order.id, exchangeRate: '21.37', items: order.items.map((it) => ({ itemId: it.id, unitPrice: { amount: '10.00', currency: 'CNY' }, chinaShipping: { amount: '0', currency: 'CNY' } })) };
}

function client(url: string, token: string) {
  const c = liveClient(url, token);
  clients.push(c);
  return c;
}

const listeners = async () =>
  (await gw.app.ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTENER_APPLICATION_NAME]))[0].n;

it('has one relay for both processes: one LISTEN connection on the database', async () => {
  expect(gw.app.live.mode).toBe('redis');
  expect(gw.app.live.isRelay).toBe(true); // it started first and took the lease
  expect(await redis.get(`${PREFIX}:live:relay`)).toEqual(expect.any(String));
  expect(await listeners()).toBe(1);
});

it('gets orderUpdated within a second of a staff quote committed on the other process', async () => {
  // given (the other process warmed up by a first quote)
  const alice = await customer(gw);
  const order = await submitOrder(gw, alice);
  await other.gql(QUOTE, { input: quoteInput(await submitOrder(gw, alice)) }, { token: clerk.token });
  const before = gw.app.live.hub.stats.subscriptions;
  const stream = client(gw.url, alice.token).subscribeTo(ORDER_UPDATED, { id: order.id });
  await until(() => gw.app.live.hub.stats.subscriptions > before);

  // when
  const started = Date.now();
  expect((await other.gql(QUOTE, { input: quoteInput(order) }, { token: clerk.token })).data.orderQuote.userErrors).toEqual([]);

  // then
  const first = await stream.nth(0, 3000);
  console.info(`with Redis: orderUpdated arrived ${stream.receivedAt[0] - started} ms after the quote was sent to the other process`);
  expect(stream.receivedAt[0] - started).toBeLessThan(1000);
  expect(first.data!.orderUpdated).toMatchObject({ id: order.id, status: 'AWAITING_FIRST_PAYMENT' });
});

it('reaches a client of the process that does not listen, through Redis', async () => {
  const alice = await customer(gw);
  const order = await submitOrder(gw, alice);
  const stream = client(other.url, alice.token).subscribeTo(ORDER_UPDATED, { id: order.id });
  await new Promise((r) => setTimeout(r, 300)); // the other process's hub is out of reach: give the subscribe time
  expect((await gw.gql(QUOTE, { input: quoteInput(order) }, { token: clerk.token })).data.orderQuote.userErrors).toEqual([]);
  expect((await stream.nth(0, 3000)).data!.orderUpdated).toMatchObject({ id: order.id, status: 'AWAITING_FIRST_PAYMENT' });
});

it('fails over: a relay that died without a word is replaced within a lease, and what was committed meanwhile is delivered', async () => {
  // given: a client of the other process
  const alice = await customer(gw);
  const order = await submitOrder(gw, alice);
  const stream = client(other.url, alice.token).subscribeTo(ORDER_UPDATED, { id: order.id });
  await new Promise((r) => setTimeout(r, 300));

  // when: the relay's lease is held by a relay that crashed (so nobody may take over for 2 s),
  // the relay process goes, and a change is committed while nobody LISTENs
  await redis.set(`${PREFIX}:live:relay`, 'crashed-relay', 'PX', 2000);
  await until(() => !gw.app.live.isRelay, 3000, 'the relay to notice it lost its lease');
  await gw.stop();
  expect(await listenersNow()).toBe(0);
  const moved = await other.gql(ADDRESS_CHANGE, { input: { orderId: order.id, deliveryAddress: { ...ADDRESS, postalCode: '530-0001', prefecture: '大阪府', city: '大阪市北区' } } }, { token: alice.token });
  expect(moved.data.orderDeliveryAddressChange.userErrors).toEqual([]);

  // then: once the dead relay's lease runs out the other process relays, replaying what it missed first
  expect((await stream.nth(0, 6000)).data!.orderUpdated).toMatchObject({ id: order.id, deliveryAddress: { city: '大阪市北区' } });
  expect(await redis.get(`${PREFIX}:live:relay`)).not.toBe('crashed-relay');
  expect(await listenersNow()).toBe(1);
});

/** LISTEN sessions on the test database, counted from a connection of our own (the gateway's pool may be closed). */
async function listenersNow(): Promise<number> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: gw.databaseUrl });
  await admin.connect();
  try {
    const rows = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTENER_APPLICATION_NAME]);
    return rows.rows[0].n;
  } finally {
    await admin.end();
  }
}
