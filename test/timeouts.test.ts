import { Client } from 'pg';
import { migrate } from '../src/app/data-source';
import { asTransactionKind, inTransaction, pgCode } from '../src/common/transaction';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, itemInput, ADDRESS, type Actor } from './support/builders';

let gw: TestGateway;
let shopper: Actor;
beforeAll(async () => {
  gw = await startTestGateway({
    DATABASE_STATEMENT_TIMEOUT_MS: '800',
    DATABASE_LOCK_TIMEOUT_MS: '300',
    SWEEP_STATEMENT_TIMEOUT_MS: '5000',
    SWEEP_LOCK_TIMEOUT_MS: '4000',
  });
  shopper = await customer(gw);
});
afterAll(() => gw.close());

const show = async (run: (sql: string) => Promise<{ [k: string]: string }[]>) => ({
  statement: (await run('SHOW statement_timeout'))[0].statement_timeout,
  lock: (await run('SHOW lock_timeout'))[0].lock_timeout,
});

/** A transaction of another client holding `table` in ACCESS EXCLUSIVE mode until `release`. */
async function holdLock(table: string) {
  const other = new Client({ connectionString: gw.databaseUrl });
  await other.connect();
  await other.query('BEGIN');
  await other.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await other.query('ROLLBACK');
    await other.end();
  };
}

describe('database time limits', () => {
  it('gives every query and request transaction the request limits, and a sweep’s transaction the sweep limits', async () => {
    // given the gateway's pool
    const ds = gw.app.ds;

    // then a query outside a transaction and a request's transaction have the request limits
    expect(await show((sql) => ds.query(sql))).toEqual({ statement: '800ms', lock: '300ms' });
    expect(await inTransaction(ds, (tx) => show((sql) => tx.query(sql)))).toEqual({ statement: '800ms', lock: '300ms' });
    // a sweep's transaction has the sweep limits, and only for that transaction
    expect(await asTransactionKind('sweep', () => inTransaction(ds, (tx) => show((sql) => tx.query(sql))))).toEqual({ statement: '5s', lock: '4s' });
    const after = await Promise.all(Array.from({ length: 5 }, () => show((sql) => ds.query(sql))));
    expect(after).toEqual(Array(5).fill({ statement: '800ms', lock: '300ms' }));
  });

  it('cancels a statement past the limit of its kind', async () => {
    // when a request's transaction runs a statement of ~1.2 s
    const error = await inTransaction(gw.app.ds, (tx) => tx.query('SELECT pg_sleep(1.2)')).catch((e: unknown) => e);

    // then PostgreSQL cancelled it at 800 ms (query_canceled), and the same as a sweep runs to its end
    expect(pgCode(error)).toBe('57014');
    await expect(asTransactionKind('sweep', () => inTransaction(gw.app.ds, (tx) => tx.query('SELECT pg_sleep(1.2)')))).resolves.toBeDefined();
    // and a query outside any transaction is bounded too
    expect(pgCode(await gw.app.ds.query('SELECT pg_sleep(1.2)').catch((e: unknown) => e))).toBe('57014');
  });

  it('answers a query and a mutation stuck behind a lock with a clean, retryable SERVICE_BUSY, and keeps serving', async () => {
    // given another transaction holding the orders table
    const release = await holdLock('customer_order');
    try {
      // when the customer lists their orders and submits one
      const started = Date.now();
      const list = await gw.gql('{ orders(first: 5) { nodes { id } } }', {}, { token: shopper.token });
      const submit = await gw.gql(
        `mutation($input: OrderSubmitInput!) { orderSubmit(input: $input) { order { id } userErrors { code message } } }`,
        { input: { items: [itemInput(1)], deliveryAddress: ADDRESS, shippingPriority: 'SPEED' } },
        { token: shopper.token },
      );

      // then each gave up at the lock timeout with a top-level error that names nothing inside
      expect(Date.now() - started).toBeLessThan(2_500);
      for (const res of [list, submit]) {
        expect(res.status).toBe(200);
        expect(res.errors).toHaveLength(1);
        expect(res.errors![0].extensions?.code).toBe('SERVICE_BUSY');
        expect(res.errors![0].message).toMatch(/rolled back\. Send it again/);
        expect(JSON.stringify(res.body)).not.toMatch(/customer_order|select|insert|lock|timeout|canceling|stack/i);
      }
    } finally {
      await release();
    }

    // and once the lock is gone the same requests work
    const list = await gw.gql('{ orders(first: 5) { nodes { id } } }', {}, { token: shopper.token });
    expect(list.errors).toBeUndefined();
    expect(list.data.orders.nodes).toEqual([]);
  });

  it('runs migrations without the limits: start-up waits for a migration lock held longer than any timeout', async () => {
    // given a connection of the pool (its own limits: 800 ms / 300 ms)
    const other = new Client({ connectionString: gw.databaseUrl });
    await other.connect();
    try {
      // when another process holds the migration lock for 1.5 s
      await other.query('SELECT pg_advisory_lock(7240001)');
      const started = Date.now();
      setTimeout(() => void other.query('SELECT pg_advisory_unlock(7240001)'), 1_500);

      // then migrate waits for it (no pending migration), and the pool keeps its limits afterwards
      await expect(migrate(gw.app.ds)).resolves.toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      const after = await Promise.all(Array.from({ length: 5 }, () => show((sql) => gw.app.ds.query(sql))));
      expect(after).toEqual(Array(5).fill({ statement: '800ms', lock: '300ms' }));
    } finally {
      await other.end();
    }
  });
});
