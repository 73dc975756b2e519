import { createStaff, detailedOrder, GENEROUS_RATE_LIMITS, quotedOrder, registerCustomer, sendMessage, type Actor } from '../bench/seed';
import { ORDER_DETAIL, ORDER_LIST, ORDER_LIST_DETAILED } from '../bench/queries';
import { sqlStatementCount } from '../src/app/data-source';
import { startTestGateway, type TestGateway } from './support/gateway';

// Counting statements: every field that loads related rows must load them for all parents at
// once (src/app/loaders.ts), so the count depends on the shape of the query, not on the data.
let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  // Seeding sends ~100 messages from one address; the full-detail list costs more than clients may ask.
  gw = await startTestGateway({ RATE_LIMITS: GENEROUS_RATE_LIMITS, GRAPHQL_MAX_COST: '10000000' });
  clerk = await createStaff(gw.app);
});
afterAll(() => gw.close());

async function statements(query: string, variables: Record<string, unknown>, token: string) {
  const before = sqlStatementCount(gw.app.ds);
  const res = await gw.gql(query, variables, { token });
  const count = sqlStatementCount(gw.app.ds) - before;
  expect(res.errors).toBeUndefined();
  return { count, data: res.data };
}

describe('the order detail', () => {
  it('costs the same statements for 2 items and 2 messages as for 40 and 40 (invoices, events, payments, seller questions, attachments)', async () => {
    // given two orders of one customer, both with both invoices, unlike in size
    const owner = await registerCustomer(gw);
    const small = await detailedOrder(gw, owner, clerk, { items: 2, messages: 2, secondInvoice: true });
    const large = await detailedOrder(gw, owner, clerk, { items: 40, messages: 40, secondInvoice: true });

    // when each detail is read, by the customer and by staff
    const forSmall = await statements(ORDER_DETAIL, { id: small.id }, owner.token);
    const forLarge = await statements(ORDER_DETAIL, { id: large.id }, owner.token);
    const staffLarge = await statements(ORDER_DETAIL, { id: large.id }, clerk.token);

    // then every part is there, and the counts are equal
    const order = forLarge.data.order;
    expect(order.items).toHaveLength(40);
    expect(order.messages.nodes).toHaveLength(40);
    expect(order.messages.nodes.every((m: any) => m.attachments.length === 1)).toBe(true);
    expect(order.items[0].sellerQuestions).toHaveLength(1);
    expect(order.items.every((i: any) => i.inspection?.receivedQuantity === i.quantity)).toBe(true);
    expect(order.firstInvoice.payments.length).toBeGreaterThan(0);
    expect(order.secondInvoice).toMatchObject({ kind: 'SECOND' });
    expect(order.events.nodes.length).toBeGreaterThan(80);
    expect(forSmall.data.order.items).toHaveLength(2);
    expect(forLarge.count).toBe(forSmall.count);
    expect(staffLarge.count).toBe(forSmall.count);
  });
});

describe('the customer order list', () => {
  it('costs the same statements for 2 orders as for 40, with list fields and with every detail field', async () => {
    // given a customer with 2 orders, then 40 (each quoted, with a message and an attachment)
    const owner = await registerCustomer(gw);
    const addOrders = async (n: number) => {
      for (let i = 0; i < n; i += 10) {
        await Promise.all(
          Array.from({ length: Math.min(10, n - i) }, async () => {
            const order = await quotedOrder(gw, owner, clerk, 3);
            await sendMessage(gw, owner, order.id, 0, { files: 1 });
            await sendMessage(gw, clerk, order.id, 1, { itemId: order.items[1].id });
          }),
        );
      }
    };
    await addOrders(2);
    const listSmall = await statements(ORDER_LIST, { first: 50 }, owner.token);
    const detailedSmall = await statements(ORDER_LIST_DETAILED, { first: 50 }, owner.token);

    // when 38 more are added and the lists read again
    await addOrders(38);
    const listLarge = await statements(ORDER_LIST, { first: 50 }, owner.token);
    const detailedLarge = await statements(ORDER_LIST_DETAILED, { first: 50 }, owner.token);

    // then
    expect(listLarge.data.orders.nodes).toHaveLength(40);
    expect(detailedLarge.data.orders.nodes.every((o: any) => o.messages.nodes.length === 2 && o.messages.nodes[0].attachments.length === 1)).toBe(true);
    expect(detailedLarge.data.orders.nodes.every((o: any) => o.events.nodes.length > 0 && o.unreadMessageCount === 1)).toBe(true);
    expect(listLarge.count).toBe(listSmall.count);
    expect(detailedLarge.count).toBe(detailedSmall.count);
  });
});
