import { autoCancelUnpaid } from '../src/jobs/auto-cancel.job';
import { OrderEvent } from '../src/modules/orders/order-event.entity';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

let gw: TestGateway;
let owner: Actor;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  [owner, clerk] = await Promise.all([customer(gw), staff(gw)]);
});
afterAll(() => gw.close());

const STATUS = `query($id: ID!) { order(id: $id) { status cancelReason firstInvoice { status } events { nodes { type actorRole toState data } } } }`;

async function quoted(count: number) {
  const orders: { id: string }[] = [];
  for (let i = 0; i < count; i += 20) {
    orders.push(...(await Promise.all(Array.from({ length: Math.min(20, count - i) }, async () => {
      const o = await submitOrder(gw, owner, [itemInput(1)]);
      return quoteOrder(gw, clerk, o, ['10'], ['0']);
    }))));
  }
  return orders;
}

it('cancels an unpaid order 7 days after the quote, not before, through the same transition', async () => {
  const [order] = await quoted(1);
  const quotedAt = gw.clock.now();
  expect(await autoCancelUnpaid(gw.app, new Date(quotedAt.getTime() + 7 * 86_400_000 - 1000))).toBe(0);
  expect((await gw.gql(STATUS, { id: order.id }, { token: owner.token })).data.order.status).toBe('AWAITING_FIRST_PAYMENT');
  expect(await autoCancelUnpaid(gw.app, new Date(quotedAt.getTime() + 7 * 86_400_000))).toBe(1);
  const after = (await gw.gql(STATUS, { id: order.id }, { token: owner.token })).data.order;
  expect(after).toMatchObject({ status: 'CANCELLED', cancelReason: 'UNPAID_TIMEOUT', firstInvoice: { status: 'VOID' } });
  expect(after.events.nodes).toContainEqual(expect.objectContaining({ type: 'ORDER_STATUS_CHANGED', actorRole: 'SYSTEM', toState: 'CANCELLED', data: expect.objectContaining({ reason: 'UNPAID_TIMEOUT' }) }));
});

it('cancels an application never quoted 7 days after it was submitted (seed 003: 申し込みから7日), not before', async () => {
  const order = await submitOrder(gw, owner);
  const submitted = gw.clock.now().getTime();
  expect(await autoCancelUnpaid(gw.app, new Date(submitted + 7 * 86_400_000 - 1000))).toBe(0);
  expect((await gw.gql(STATUS, { id: order.id }, { token: owner.token })).data.order.status).toBe('SUBMITTED');
  expect(await autoCancelUnpaid(gw.app, new Date(submitted + 7 * 86_400_000))).toBe(1);
  expect((await gw.gql(STATUS, { id: order.id }, { token: owner.token })).data.order).toMatchObject({ status: 'CANCELLED', cancelReason: 'NOT_QUOTED' });
});

it('cancels each of 200 stale orders exactly once under three concurrent sweeps', async () => {
  const orders = await quoted(200);
  const later = new Date(gw.clock.now().getTime() + 8 * 86_400_000);
  const counts = await Promise.all([autoCancelUnpaid(gw.app, later), autoCancelUnpaid(gw.app, later), autoCancelUnpaid(gw.app, later)]);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
  const rows: { order_id: string; n: string }[] = await gw.app.ds.query(
    `SELECT order_id, count(*) AS n FROM order_event WHERE type = 'ORDER_STATUS_CHANGED' AND to_state = 'CANCELLED' AND order_id = ANY($1) GROUP BY order_id`,
    [orders.map((o) => o.id)],
  );
  expect(rows).toHaveLength(200);
  expect(rows.every((r) => r.n === '1')).toBe(true);
  expect(await gw.app.ds.getRepository(OrderEvent).countBy({ type: 'INVOICE_VOID' })).toBeGreaterThanOrEqual(200);
});
