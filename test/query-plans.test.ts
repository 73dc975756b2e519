import { Client } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import { cloneOrders } from '../bench/clone';
import { CANCELLATION_COUNTS, ORDER_DETAIL, ORDER_LIST, STAFF_ORDER_LIST } from '../bench/queries';
import { GENEROUS_RATE_LIMITS, growthTemplates } from '../bench/seed';
import { addDays } from '../src/common/clock';
import { autoCancelUnpaid } from '../src/jobs/auto-cancel.job';
import { autoCompleteShipped, AUTO_COMPLETE_DAYS } from '../src/jobs/auto-complete.job';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, inspectedOrder, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

/**
 * The plans of the statements each screen really runs (captured while it answers through
 * GraphQL), on a database with tens of thousands of orders copied from orders made through the
 * API: each must read its rows through the index made for it, never by scanning a big table.
 * Checked with the planner left as it is (sequential scans allowed), on statistics from ANALYZE.
 *
 * To see a check fail without its index: PLAN_TEST_BEFORE_SQL='DROP INDEX message_item_idx'
 * npx jest test/query-plans.test.ts (the SQL runs after seeding, before the checks).
 */
const ORDERS = 30_000;
const ORDERS_PER_CUSTOMER = 100;
const BIG_TABLES = ['customer_order', 'order_item', 'invoice', 'message', 'order_event', 'account'];

let gw: TestGateway;
let db: InstanceType<typeof Client>;
let clerk: Actor;
let owner: Actor;
let templates: string[];

beforeAll(async () => {
  gw = await startTestGateway({ RATE_LIMITS: GENEROUS_RATE_LIMITS });
  [clerk, owner] = await Promise.all([staff(gw), customer(gw)]);
  templates = await growthTemplates(gw, owner, clerk);
  db = new Client({ connectionString: gw.databaseUrl });
  await db.connect();
  await cloneOrders(db, { templates, from: 0, to: ORDERS, ordersPerCustomer: ORDERS_PER_CUSTOMER, spacingSeconds: 900 });
  await db.query('ANALYZE');
  if (process.env.PLAN_TEST_BEFORE_SQL) await db.query(process.env.PLAN_TEST_BEFORE_SQL);
}, 180_000);
afterAll(async () => {
  await db?.end();
  await gw?.close();
});

interface Statement {
  sql: string;
  params: unknown[];
}

/** Every statement the gateway ran while `work` ran (nothing else uses this database meanwhile). */
async function statementsDuring(work: () => Promise<unknown>): Promise<Statement[]> {
  const logger = gw.app.ds.logger;
  const original = logger.logQuery;
  const seen: Statement[] = [];
  logger.logQuery = (sql, params, runner) => {
    seen.push({ sql, params: (params ?? []) as unknown[] });
    return original.call(logger, sql, params, runner);
  };
  try {
    await work();
  } finally {
    logger.logQuery = original;
  }
  return seen;
}

/** The one statement of `statements` that matches. */
function the(statements: Statement[], pattern: RegExp): Statement {
  const found = statements.filter((s) => pattern.test(s.sql));
  if (found.length !== 1) throw new Error(`expected one statement matching ${pattern}, found ${found.length}:\n${statements.map((s) => s.sql.slice(0, 2000)).join('\n---\n')}`);
  return found[0];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Sort Key'?: string[];
  Plans?: PlanNode[];
}

/** PostgreSQL's plan for the statement with its parameters (a custom plan, as for a first run). */
async function planOf(statement: Statement): Promise<PlanNode> {
  const { rows } = await db.query(`EXPLAIN (FORMAT JSON) ${statement.sql}`, statement.params);
  return rows[0]['QUERY PLAN'][0].Plan;
}

/**
 * The generic plan, which PostgreSQL may settle on after five runs of a prepared statement (the
 * read models use named prepared statements): planned without knowing the parameters.
 */
async function genericPlanOf(statement: Statement): Promise<PlanNode> {
  await db.query('BEGIN');
  try {
    await db.query('SET LOCAL plan_cache_mode = force_generic_plan');
    await db.query(`PREPARE plan_check AS ${statement.sql}`);
    // EXECUTE takes its arguments as SQL text: each parameter as pg would send it, quoted.
    const args = statement.params.map((p) => (p === null || p === undefined ? 'NULL' : db.escapeLiteral(String(prepareValue(p))))).join(', ');
    const { rows } = await db.query(`EXPLAIN (FORMAT JSON) EXECUTE plan_check${args ? `(${args})` : ''}`);
    return rows[0]['QUERY PLAN'][0].Plan;
  } finally {
    await db.query('ROLLBACK');
    await db.query('DEALLOCATE ALL');
  }
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** What a plan reads and how: the indexes it uses, the tables it scans whole, what it sorts. */
function summary(plan: PlanNode) {
  const all = nodes(plan);
  return {
    indexes: [...new Set(all.map((n) => n['Index Name']).filter(Boolean))].sort(),
    seqScans: [...new Set(all.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']!))].sort(),
    sortKeys: all.filter((n) => /Sort$/.test(n['Node Type']) && n['Sort Key']).flatMap((n) => n['Sort Key']!),
  };
}

/** Checks a plan: it uses `index`, scans no big table whole and sorts nothing by `noSortOn` (if given). */
function expectPlan(plan: PlanNode, index: string, noSortOn?: RegExp) {
  const s = summary(plan);
  const why = JSON.stringify(plan, null, 1);
  expect({ indexes: s.indexes, seqScans: s.seqScans.filter((t) => BIG_TABLES.includes(t)) }).toEqual({ indexes: expect.arrayContaining([index]), seqScans: [] });
  if (noSortOn) expect(s.sortKeys.filter((k) => noSortOn.test(k))).toEqual([]);
  return { summary: s, why };
}

const tokenOf = async (accountId: string) => (await gw.app.tokens.issue(accountId, gw.clock.now())).token;
const cloneCustomer = async (c: number) => (await db.query(`SELECT md5('clone-customer:' || $1::int)::uuid AS id`, [c])).rows[0].id as string;

describe('query plans at 30,000 orders (no sequential scan of a big table, the index made for each lookup)', () => {
  it('has the data: copies of orders made through GraphQL', async () => {
    const { rows } = await db.query(`SELECT (SELECT count(*) FROM customer_order)::int AS orders, (SELECT count(*) FROM message)::int AS messages`);
    expect(rows[0].orders).toBe(ORDERS + new Set(templates).size);
    expect(rows[0].messages).toBeGreaterThan(ORDERS * 4);
  });

  it('order detail as the client asks it: seller questions read by item (message_item_idx)', async () => {
    // given the order awaiting a quote with a seller question, and a copy of it
    const [original] = templates.slice(-1);
    const copy = (await db.query(`SELECT md5($1 || ':' || 19)::uuid AS id`, [original])).rows[0].id;
    for (const id of [original, copy]) {
      // when its owner opens it
      const who = id === original ? owner.token : await tokenOf(await cloneCustomer(19));
      const statements = await statementsDuring(async () => {
        const res = await gw.gql(ORDER_DETAIL, { id }, { token: who });
        expect(res.errors).toBeUndefined();
        expect(res.data.order.items[0].sellerQuestions).toHaveLength(1);
      });

      // then the seller questions come through the item index, and no statement scans a big table
      expectPlan(await planOf(the(statements, /m\.item_id = ANY/)), 'message_item_idx');
      expectPlan(await genericPlanOf(the(statements, /m\.item_id = ANY/)), 'message_item_idx');
      for (const statement of statements) expect({ sql: statement.sql.slice(0, 120), seqScans: summary(await planOf(statement)).seqScans.filter((t) => BIG_TABLES.includes(t)) }).toEqual({ sql: statement.sql.slice(0, 120), seqScans: [] });
    }
  });

  it('customer order list, first and next page: (customer_id, submitted_at, id) in the ORDER BY’s order, custom and generic plan', async () => {
    // given a customer with 100 orders
    const token = await tokenOf(await cloneCustomer(7));
    let after: string | null = null;
    for (const page of [1, 2]) {
      // when they open their list, then its next page
      const statements = await statementsDuring(async () => {
        const res = await gw.gql(ORDER_LIST, { first: 20, ...(after ? { after } : {}) }, { token });
        expect(res.data.orders.nodes).toHaveLength(20);
        after = res.data.orders.pageInfo.endCursor;
      });
      const list = the(statements, /customer_id"? = \$1/);

      // then both plans walk the index in the ORDER BY's order (no sort of the customer's orders)
      expectPlan(await planOf(list), 'customer_order_customer_submitted_id_idx', /submitted_at/);
      expectPlan(await genericPlanOf(list), 'customer_order_customer_submitted_id_idx', /submitted_at/);
      expect(list.params).toHaveLength(page === 1 ? 1 : 3); // the customer; then also the cursor's time and id
    }
  });

  it('staff order list, all orders newest first: (submitted_at, id), second page included', async () => {
    // when staff open the list and its second page
    const page1 = await gw.gql(STAFF_ORDER_LIST, { first: 50 }, { token: clerk.token });
    const statements = await statementsDuring(async () => {
      const res = await gw.gql(STAFF_ORDER_LIST, { first: 50, after: page1.data.orders.pageInfo.endCursor }, { token: clerk.token });
      expect(res.data.orders.nodes).toHaveLength(50);
    });

    // then the index gives the rows in order: no sort, no scan of the table
    const list = the(statements, /ORDER BY\s+"?o"?\."?submitted_at/i);
    expectPlan(await planOf(list), 'customer_order_submitted_idx', /submitted_at/);
    expectPlan(await genericPlanOf(list), 'customer_order_submitted_idx', /submitted_at/);
    for (const statement of statements) expect({ sql: statement.sql.slice(0, 120), seqScans: summary(await planOf(statement)).seqScans.filter((t) => BIG_TABLES.includes(t)) }).toEqual({ sql: statement.sql.slice(0, 120), seqScans: [] });
  });

  it('staff queue of a status, oldest first: (status, submitted_at, id) finds the few orders waiting among all', async () => {
    // given one order waiting for its second invoice (no copy is in that state)
    const waiting = await inspectedOrder(gw, clerk, owner);

    // when staff open that queue
    const statements = await statementsDuring(async () => {
      const res = await gw.gql(STAFF_ORDER_LIST, { first: 50, filter: { awaiting: 'SECOND_INVOICE' } }, { token: clerk.token });
      expect(res.data.orders.nodes.map((o: { id: string }) => o.id)).toEqual([waiting.id]);
    });

    // then the status index finds it and gives the order: no sort, no scan
    const list = the(statements, /ORDER BY\s+"?o"?\."?submitted_at/i);
    expectPlan(await planOf(list), 'customer_order_status_submitted_id_idx', /submitted_at/);
    expectPlan(await genericPlanOf(list), 'customer_order_status_submitted_id_idx', /submitted_at/);
  });

  it('staff queue holding a tenth of all orders (QUOTE), second page: no sort, no scan of the table', async () => {
    const page1 = await gw.gql(STAFF_ORDER_LIST, { first: 50, filter: { awaiting: 'QUOTE' } }, { token: clerk.token });
    const statements = await statementsDuring(async () => {
      const res = await gw.gql(STAFF_ORDER_LIST, { first: 50, after: page1.data.orders.pageInfo.endCursor, filter: { awaiting: 'QUOTE' } }, { token: clerk.token });
      expect(res.data.orders.nodes).toHaveLength(50);
    });
    // Any index giving the ORDER BY reads about a page's worth here: (status, submitted_at, id),
    // (submitted_at, id), or the SUBMITTED orders' own (submitted_at, id) made for the auto-cancel sweep.
    const s = summary(await planOf(the(statements, /ORDER BY\s+"?o"?\."?submitted_at/i)));
    expect({ seqScans: s.seqScans, sorts: s.sortKeys.filter((k) => /submitted_at/.test(k)) }).toEqual({ seqScans: [], sorts: [] });
    expect(s.indexes).toEqual(expect.arrayContaining([expect.stringMatching(/^customer_order_((status_)?submitted(_id)?|unquoted)_idx$/)]));
  });

  it.each([
    ['UNANSWERED_MESSAGE', 'customer_order_awaiting_reply_idx', /awaiting_reply_since/],
    ['SELLER_QUESTION', 'customer_order_seller_question_idx', /seller_question_since/],
  ])('staff queue %s, second page: its partial index on the fact kept on the order, in the queue’s order; unread counts and reply deadlines from theirs', async (queue, index, fact) => {
    // given copies waiting in the queue (the template orders that wait, copied)
    const page1 = await gw.gql(STAFF_ORDER_LIST, { first: 50, filter: { awaiting: queue } }, { token: clerk.token });
    expect(page1.data.orders.pageInfo.hasNextPage).toBe(true);

    // when staff open its second page
    const statements = await statementsDuring(async () => {
      const res = await gw.gql(STAFF_ORDER_LIST, { first: 50, after: page1.data.orders.pageInfo.endCursor, filter: { awaiting: queue } }, { token: clerk.token });
      expect(res.data.orders.nodes).toHaveLength(50);
    });

    // then the list reads the queue's own rows through its index, already in order (no sort, no
    // probe of each order's thread), custom and generic plan; nothing scans a big table
    const list = the(statements, /ORDER BY\s+"?o"?\."?(awaiting_reply_since|seller_question_since)/i);
    for (const plan of [await planOf(list), await genericPlanOf(list)]) {
      const { summary: s } = expectPlan(plan, index, fact);
      expect(s.indexes).toEqual(expect.arrayContaining(['message_unread_idx']));
      expect(s.indexes).not.toContain('customer_order_submitted_idx');
    }
    expectPlan(await planOf(the(statements, /reply_deadline IS NOT NULL/)), 'message_reply_deadline_idx');
    for (const statement of statements) expect({ sql: statement.sql.slice(0, 120), seqScans: summary(await planOf(statement)).seqScans.filter((t) => BIG_TABLES.includes(t)) }).toEqual({ sql: statement.sql.slice(0, 120), seqScans: [] });
  });

  it('staff queue PRICE_CHANGE_RESPONSE: the waiting price changes (their partial index), then their orders by key', async () => {
    // given one paid order whose item's price rose, waiting for the customer
    const quoted = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0']);
    await creditDeposit(gw, clerk, owner.id, BigInt(quoted.firstInvoice.total.amount));
    expect((await invoicePay(gw, owner, { invoiceId: quoted.firstInvoice.id })).data.invoicePay.invoice.status).toBe('PAID');
    const rise = await gw.gql(`mutation($i: OrderItemPriceChangeInput!) { orderItemPriceChange(input: $i) { userErrors { code } } }`, { i: { itemId: quoted.items[0].id, unitPrice: { amount: '12', currency: 'CNY' }, note: '値上げ' } }, { token: clerk.token });
    expect(rise.data.orderItemPriceChange.userErrors).toEqual([]);

    // when staff open the queue
    const statements = await statementsDuring(async () => {
      const res = await gw.gql(STAFF_ORDER_LIST, { first: 50, filter: { awaiting: 'PRICE_CHANGE_RESPONSE' } }, { token: clerk.token });
      expect(res.data.orders.nodes.map((o: { id: string }) => o.id)).toEqual([quoted.id]);
    });

    // then no big table is scanned: the orders are found from the few waiting changes
    const list = the(statements, /price_change c WHERE c.status IN/);
    for (const plan of [await planOf(list), await genericPlanOf(list)]) {
      expect(summary(plan).seqScans.filter((t) => BIG_TABLES.includes(t))).toEqual([]);
    }
  });

  it('staff search by e-mail, order number or phone: one index lookup each', async () => {
    const cases = [
      ['clone-11@bench.local', ['customer_order_contact_email_idx', 'customer_order_number_key']],
      ['x000-0042', ['customer_order_contact_email_idx', 'customer_order_number_key']],
      ['090-0000-0011', ['customer_order_contact_email_idx', 'customer_order_contact_phone_idx', 'customer_order_number_key']],
    ] as const;
    for (const [search, indexes] of cases) {
      // when staff search
      const statements = await statementsDuring(async () => {
        const res = await gw.gql(STAFF_ORDER_LIST, { first: 50, filter: { search } }, { token: clerk.token });
        expect(res.data.orders.nodes.length).toBeGreaterThan(0);
      });

      // then each kind of match is an index lookup; the table is never scanned
      const lookup = the(statements, /UNION ALL/);
      for (const plan of [await planOf(lookup), await genericPlanOf(lookup)]) for (const index of indexes) expectPlan(plan, index);
    }
  });

  it('cancellationCounts over 30 days: the cancelled orders’ partial index', async () => {
    const to = new Date('2026-03-01T00:00:00Z');
    const statements = await statementsDuring(async () => {
      const res = await gw.gql(CANCELLATION_COUNTS, { from: addDays(to, -30).toISOString(), to: to.toISOString() }, { token: clerk.token });
      expect(res.data.cancellationCounts).toEqual([{ reason: 'CUSTOMER_REQUEST', count: expect.any(Number) }]);
    });
    expectPlan(await planOf(the(statements, /cancel_reason/)), 'customer_order_cancelled_idx');
  });

  it('the auto-complete sweep with nothing due: the shipped orders’ partial index', async () => {
    // given a moment at which no shipped order is 30 days old yet
    const { rows } = await db.query(`SELECT min(shipped_at) AS first FROM customer_order WHERE status = 'SHIPPED'`);
    const now = addDays(rows[0].first, AUTO_COMPLETE_DAYS - 1);

    // when the sweep runs
    let completed = -1;
    const statements = await statementsDuring(async () => {
      completed = await autoCompleteShipped(gw.app, now);
    });

    // then it completed nothing, looking only at due shipped orders
    expect(completed).toBe(0);
    expectPlan(await planOf(the(statements, /shipped_at"? <=/)), 'customer_order_shipped_idx');
  });

  it('the auto-cancel sweep with nothing due: due first invoices from their (status, due_at) index, unquoted applications from their partial index', async () => {
    // given a moment at which no first invoice has passed its due date and no application is 7 days old
    const { rows } = await db.query(
      `SELECT least((SELECT min(due_at) FROM invoice WHERE status = 'OPEN' AND kind = 'FIRST'),
                    (SELECT min(submitted_at) + make_interval(days => $1::int) FROM customer_order WHERE status = 'SUBMITTED')) AS first`,
      [gw.app.config.QUOTE_DEADLINE_DAYS],
    );
    const now = new Date(rows[0].first.getTime() - 1000);

    // when the sweep runs
    let cancelled = -1;
    const statements = await statementsDuring(async () => {
      cancelled = await autoCancelUnpaid(gw.app, now);
    });

    // then it cancelled nothing, reading only what is due: not every order awaiting payment
    expect(cancelled).toBe(0);
    const unpaid = expectPlan(await planOf(the(statements, /AWAITING_FIRST_PAYMENT/)), 'invoice_open_due_idx');
    expect(unpaid.summary.indexes).not.toContain('customer_order_status_submitted_id_idx');
    // (with only `(submitted_at, id)` and `(status, submitted_at, id)`, the planner walked the former from the oldest order)
    expectPlan(await planOf(the(statements, /'SUBMITTED' AND/)), 'customer_order_unquoted_idx');
  });
});
