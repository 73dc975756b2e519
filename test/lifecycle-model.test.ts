import fc from 'fast-check';
import { OrderAction } from '../src/modules/orders/order.types';
import { startTestGateway, type TestGateway } from './support/gateway';
import { staff, type Actor } from './support/builders';
import {
  ACTIONS, chooseOffered, commandArb, newWorld, NOT_MODELLED, TERMINAL, view, WORLD_STEPS, type Command, type ModelOrder, type World,
} from './support/lifecycle-model';

/**
 * Issue 11: the whole order lifecycle, as customers, guests, staff and the clock would drive
 * it, in random sequences through GraphQL on a real database. After every step:
 * - an action offered in `availableActions` succeeds when taken with valid input;
 * - an action not offered is refused with a userError and changes nothing;
 * - every order not yet COMPLETED or CANCELLED has a next step for someone (or the clock);
 * - money: each invoice's amountPaid is what its settled payments applied; refunds never
 *   exceed it and match the timeline; a cancelled order has given back everything it received;
 *   each deposit balance equals its ledger sum, and its refunds are the order's.
 * `npm test` runs a bounded number of sequences; `npm run test:model` many more
 * (MODEL_RUNS, MODEL_STEPS, MODEL_SEED). A failure prints the shrunk sequence.
 */
const RUNS = Number(process.env.MODEL_RUNS ?? 10);
const STEPS = Number(process.env.MODEL_STEPS ?? 50);
// `npm test` replays one fixed set of sequences, so main stays green on the same code; `npm run test:model`
// (which sets MODEL_RUNS) draws new ones every run to look for what no one has tried yet.
const SEED = process.env.MODEL_SEED ? Number(process.env.MODEL_SEED) : process.env.MODEL_RUNS ? undefined : 20261202;
/** Shrinking replays whole sequences on the database: after the first failure, this many more tries. */
const SHRINK_BUDGET = Number(process.env.MODEL_SHRINK_BUDGET ?? 40);

let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  clerk = await staff(gw);
});
afterAll(() => gw.close());

/** Steps that move an order towards an end (not messages, address changes or cancelling). */
const SIDE_STEPS = ['CHANGE_ITEM_PRICE', 'REPORT_PROBLEM', 'REPORT_DELIVERY_PROBLEM', 'SEND_MESSAGE', 'CHANGE_DELIVERY_ADDRESS', 'ASK_SELLER', 'CHANGE_ITEMS', 'CANCEL_ORDER', 'REQUEST_CANCELLATION', 'CANCEL_BY_STAFF'];
/** Statuses the clock moves on by itself (auto-cancel, auto-complete). */
const CLOCK_MOVES = ['SUBMITTED', 'AWAITING_FIRST_PAYMENT', 'SHIPPED'];

const stats = { sequences: 0, steps: 0, taken: 0, refused: 0, ended: 0 };
const reached = new Map<string, number>();

async function snapshot(world: World, order: ModelOrder): Promise<unknown> {
  const [row] = await world.gw.app.ds.query(
    `SELECT json_build_object(
       'order', (SELECT row_to_json(o) FROM customer_order o WHERE o.id = $1),
       'items', (SELECT json_agg(i ORDER BY i.position) FROM order_item i WHERE i.order_id = $1),
       'invoices', (SELECT json_agg(v ORDER BY v.issued_at, v.id) FROM invoice v WHERE v.order_id = $1),
       'payments', (SELECT json_agg(p ORDER BY p.seq) FROM payment p WHERE p.order_id = $1),
       'requests', (SELECT json_agg(c ORDER BY c.requested_at) FROM cancellation_request c WHERE c.order_id = $1),
       'problems', (SELECT json_agg(d ORDER BY d.opened_at) FROM delivery_problem d WHERE d.order_id = $1),
       'priceChanges', (SELECT json_agg(c ORDER BY c.seq) FROM price_change c WHERE c.order_id = $1),
       'messages', (SELECT count(*) FROM message m WHERE m.order_id = $1),
       'events', (SELECT count(*) FROM order_event e WHERE e.order_id = $1),
       'deposit', (SELECT json_agg(d) FROM deposit_account d WHERE d.account_id = $2)) AS s`,
    [order.id, world.owner.id],
  );
  return row.s;
}

async function step(world: World, command: Command): Promise<void> {
  stats.steps++;
  if (command.kind === 'clock') {
    world.steps.push(`clock +${command.days}d`);
    await WORLD_STEPS.advanceClock(world, command.days);
    return;
  }
  if (command.kind === 'credit') {
    world.steps.push(`deposit +¥${command.yen}`);
    await WORLD_STEPS.creditDeposit(world, command.yen);
    return;
  }
  const order = world.orders[command.order];
  // Eight steps in ten take an action offered now, so sequences reach shipment and beyond.
  const action = (command.pick % 10 < 8 ? await chooseOffered(world, order, command.pick) : null) ?? command.action;
  const spec = ACTIONS[action];
  const before = await view(world, order, spec.role);
  const offered = before.availableActions.includes(action);
  const was = await snapshot(world, order);
  const outcome = await spec.run(world, order, before, command.pick);
  world.steps.push(`${order.guest ? 'guest order' : 'order'}: ${spec.role} ${action}${offered ? '' : ' (not offered)'} [${before.status}] → ${outcome ? JSON.stringify(outcome.errors ?? outcome.userErrors.map((e) => e.code)) : 'nothing to act on'}`);
  if (!outcome) return;
  if (offered) {
    stats.taken++;
    reached.set(action, (reached.get(action) ?? 0) + 1);
    expect({ action, status: before.status, errors: outcome.errors ?? outcome.userErrors }).toEqual({ action, status: before.status, errors: [] });
  } else if (spec.refusable !== false) {
    stats.refused++;
    expect({ action, status: before.status, refused: outcome.userErrors.length > 0 }).toEqual({ action, status: before.status, refused: true });
    expect(await snapshot(world, order)).toEqual(was);
  }
}

async function invariants(world: World): Promise<void> {
  const db = world.gw.app.ds;
  for (const order of world.orders) {
    const [c, s] = await Promise.all([view(world, order, 'customer'), view(world, order, 'staff')]);
    if (!TERMINAL.includes(s.status)) {
      const next = [...c.availableActions, ...s.availableActions].filter((a) => !SIDE_STEPS.includes(a));
      expect({ order: order.guest ? 'guest' : 'own', status: s.status, hasNextStep: next.length > 0 || CLOCK_MOVES.includes(s.status) }).toEqual({
        order: order.guest ? 'guest' : 'own', status: s.status, hasNextStep: true,
      });
    }
    const invoices: { id: string; status: string; paid: string; refunded: string; applied: string }[] = await db.query(
      `SELECT i.id, i.status, i.amount_paid AS paid, i.amount_refunded AS refunded,
              coalesce((SELECT sum(p.applied_amount) FROM payment p WHERE p.invoice_id = i.id AND p.status = 'SETTLED'), 0) AS applied
         FROM invoice i WHERE i.order_id = $1`,
      [order.id],
    );
    for (const i of invoices) {
      expect({ invoice: i.id, paid: i.paid }).toEqual({ invoice: i.id, paid: i.applied }); // money received = what settled payments applied
      expect(BigInt(i.refunded) <= BigInt(i.paid)).toBe(true);
      if (s.status === 'CANCELLED') expect({ invoice: i.id, status: i.status, kept: BigInt(i.paid) - BigInt(i.refunded) }).toEqual({ invoice: i.id, status: i.paid === '0' ? 'VOID' : i.status, kept: 0n });
    }
    const [refunds]: { events: string; invoices: string }[] = await db.query(
      `SELECT coalesce((SELECT sum((e.data->>'amount')::numeric) FROM order_event e WHERE e.order_id = $1 AND e.type IN ('REFUNDED_TO_DEPOSIT', 'REFUNDED_TO_ORIGINAL_METHOD')), 0)::text AS events,
              coalesce((SELECT sum(i.amount_refunded) FROM invoice i WHERE i.order_id = $1), 0)::text AS invoices`,
      [order.id],
    );
    expect(refunds.events).toBe(refunds.invoices);
    // A price change waits only while its invoice is open; a paid one has applied it, a void one ended it.
    const stuck: { id: string; status: string; invoice: string }[] = await db.query(
      `SELECT c.id, c.status, i.status AS invoice FROM price_change c JOIN invoice i ON i.id = c.invoice_id
        WHERE c.order_id = $1 AND ((c.status IN ('AWAITING_RESPONSE', 'ACCEPTED')) <> (i.status = 'OPEN'))`,
      [order.id],
    );
    expect(stuck).toEqual([]);
    if (s.status === 'CANCELLED') {
      expect(s.items.filter((i) => !['CANCELLED', 'UNAVAILABLE'].includes(i.status))).toEqual([]);
      expect(s.cancellationRequests.filter((r) => r.status === 'PENDING')).toEqual([]);
    }
  }
  const [deposit]: { balance: string; ledger: string; refunds: string; refundEvents: string }[] = await db.query(
    `SELECT coalesce((SELECT balance FROM deposit_account WHERE account_id = $1), 0)::text AS balance,
            coalesce((SELECT sum(amount) FROM deposit_entry WHERE account_id = $1), 0)::text AS ledger,
            coalesce((SELECT sum(amount) FROM deposit_entry WHERE account_id = $1 AND kind = 'REFUND'), 0)::text AS refunds,
            coalesce((SELECT sum((e.data->>'amount')::numeric) FROM order_event e JOIN customer_order o ON o.id = e.order_id
                       WHERE o.customer_id = $1 AND e.type = 'REFUNDED_TO_DEPOSIT'), 0)::text AS "refundEvents"`,
    [world.owner.id],
  );
  expect(deposit.balance).toBe(deposit.ledger);
  expect(deposit.refunds).toBe(deposit.refundEvents);
}

it('every OrderAction the API can offer is taken by the model, or is listed with the test that covers it', () => {
  const missing = Object.values(OrderAction).filter((a) => !ACTIONS[a] && !NOT_MODELLED[a]);
  expect(missing).toEqual([]);
});

let failures = 0;
let shrinkTries = 0;

it(`keeps the lifecycle's promises over ${RUNS} random sequences of up to ${STEPS} steps`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(commandArb, { minLength: Math.ceil(STEPS / 2), maxLength: STEPS }), async (commands) => {
      // Out of budget: report the smallest failing sequence found so far (a passing try ends shrinking there).
      if (failures > 0 && shrinkTries++ >= SHRINK_BUDGET) return;
      stats.sequences++;
      const world = await newWorld(gw, clerk);
      try {
        for (const command of commands) {
          await step(world, command);
          await invariants(world);
        }
        if (world.orders.every((o) => o)) {
          const ends = await Promise.all(world.orders.map((o) => view(world, o, 'staff')));
          stats.ended += ends.filter((v) => TERMINAL.includes(v.status)).length;
        }
      } catch (error) {
        failures++;
        throw new Error(`${(error as Error).message}\n\nSteps:\n  ${world.steps.join('\n  ')}`);
      }
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: SHRINK_BUDGET === 0 },
  );
  console.log(`lifecycle model: ${stats.sequences} sequences, ${stats.steps} steps, ${stats.taken} offered actions taken, ${stats.refused} refusals checked, ${stats.ended} orders ended`);
  console.log(`offered actions taken: ${[...reached].sort((a, b) => b[1] - a[1]).map(([a, n]) => `${a} ${n}`).join(', ')}`);
}, 30 * 60_000);
