import { STAFF_QUEUES } from '../src/app/staff-queues';
import { leaveClosedThreads } from '../src/jobs/closed-threads.job';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, inspectedOrder, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { StaffQueue } from '../src/modules/orders/order.inputs';
import { QueueFactsBackfill1796212825126 } from '../migrations/1796212825126-QueueFactsBackfill';

/**
 * Issue 11: staff find pending cancellation requests (CANCELLATION_REQUEST, with their age;
 * seed 002: a request unanswered for 48 hours is worth chasing) and reply deadlines that passed
 * without the customer's reply (REPLY_OVERDUE; seed 001: 「指定日までに返答がない場合は、注文を
 * キャンセルさせていただきます」 — staff may then cancel). Each queue reads a partial index.
 */
let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway({ JWT_TTL_SECONDS: String(90 * 86_400) });
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const HOUR = 3_600_000;
const QUEUE = `query($q: StaffQueue!) { orders(first: 100, filter: { awaiting: $q }) { nodes { id availableActions cancellationRequests { status requestedAt waitingHours } replyDeadline } } }`;
const REQUEST = `mutation($i: OrderCancellationRequestInput!) { orderCancellationRequest(input: $i) { cancellationRequest { id status waitingHours } userErrors { code message } } }`;
const DECIDE = `mutation($i: CancellationRequestDecideInput!) { cancellationRequestDecide(input: $i) { cancellationRequest { status waitingHours } userErrors { code message } } }`;
const SEND = `mutation($i: MessageSendInput!) { messageSend(input: $i) { message { id replyDeadline } userErrors { code field message } } }`;
const STAFF_CANCEL = `mutation($i: OrderCancelByStaffInput!) { orderCancelByStaff(input: $i) { order { status } userErrors { code message } } }`;

async function inQueue(q: string) {
  const res = await gw.gql(QUEUE, { q }, { token: clerk.token });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.orders.nodes as { id: string; availableActions: string[]; cancellationRequests: { status: string; waitingHours: number | null }[]; replyDeadline: string | null }[];
}
const ids = async (q: string) => (await inQueue(q)).map((o) => o.id);
const send = (who: Actor, orderId: string, extra: Record<string, unknown> = {}) => gw.gql(SEND, { i: { orderId, title: '確認', body: 'ご確認ください', ...extra } }, { token: who.token });
const deadlineIn = (hours: number) => new Date(gw.clock.now().getTime() + hours * HOUR).toISOString();

describe('CANCELLATION_REQUEST', () => {
  it('lists orders with a pending request, with how long it has waited, until staff decide', async () => {
    // given a paid order whose customer asks to cancel
    const owner = await customer(gw);
    const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0']);
    await creditDeposit(gw, clerk, owner.id, BigInt(order.firstInvoice.total.amount));
    expect((await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id })).data.invoicePay.invoice.status).toBe('PAID');
    expect(await ids('CANCELLATION_REQUEST')).not.toContain(order.id);
    const asked = await gw.gql(REQUEST, { i: { orderId: order.id, reason: '不要になりました' } }, { token: owner.token });
    expect(asked.data.orderCancellationRequest.cancellationRequest).toMatchObject({ status: 'PENDING', waitingHours: 0 });

    // when 49 hours pass
    gw.clock.set(new Date(gw.clock.now().getTime() + 49 * HOUR));

    // then the order is in the queue with the request's age, and staff are offered the decision
    const listed = (await inQueue('CANCELLATION_REQUEST')).find((o) => o.id === order.id)!;
    expect(listed.cancellationRequests).toEqual([expect.objectContaining({ status: 'PENDING', waitingHours: 49 })]);
    expect(listed.availableActions).toContain('DECIDE_CANCELLATION');

    // when staff reject it, it leaves the queue and has no age any more
    const requestId = asked.data.orderCancellationRequest.cancellationRequest.id;
    const decided = await gw.gql(DECIDE, { i: { requestId, approve: false, note: '既に発送準備に入っています' } }, { token: clerk.token });
    expect(decided.data.cancellationRequestDecide.cancellationRequest).toEqual({ status: 'REJECTED', waitingHours: null });
    expect(await ids('CANCELLATION_REQUEST')).not.toContain(order.id);
  });
});

describe('REPLY_OVERDUE', () => {
  it('lists an order once staff’s reply deadline has passed without the customer’s reply; staff may cancel, and a reply takes it out', async () => {
    // given an order on which staff asked for a reply within 48 hours
    const owner = await customer(gw);
    const order = await submitOrder(gw, owner, [itemInput(1)]);
    expect((await send(clerk, order.id, { replyDeadline: deadlineIn(48) })).data.messageSend.userErrors).toEqual([]);

    // then it is not overdue before the deadline
    gw.clock.set(new Date(gw.clock.now().getTime() + 47 * HOUR));
    expect(await ids('REPLY_OVERDUE')).not.toContain(order.id);

    // when the deadline passes, it is, and staff are offered the cancellation the deadline announced
    gw.clock.set(new Date(gw.clock.now().getTime() + 2 * HOUR));
    const listed = (await inQueue('REPLY_OVERDUE')).find((o) => o.id === order.id)!;
    expect(listed.replyDeadline).not.toBeNull();
    expect(listed.availableActions).toContain('CANCEL_BY_STAFF');

    // when the customer replies (late), the order leaves the queue
    expect((await send(owner, order.id, { title: '返信', body: '遅くなりました' })).data.messageSend.userErrors).toEqual([]);
    expect(await ids('REPLY_OVERDUE')).not.toContain(order.id);
  });

  it('counts only the latest deadline (a newer one replaces it) and forgets the deadlines of a cancelled order', async () => {
    const owner = await customer(gw);
    const order = await submitOrder(gw, owner, [itemInput(1)]);

    // given a deadline in 24 hours, then a later one in 96 hours
    await send(clerk, order.id, { replyDeadline: deadlineIn(24) });
    await send(clerk, order.id, { replyDeadline: deadlineIn(96) });

    // then the first passing does not make the order overdue; the second does
    gw.clock.set(new Date(gw.clock.now().getTime() + 25 * HOUR));
    expect(await ids('REPLY_OVERDUE')).not.toContain(order.id);
    gw.clock.set(new Date(gw.clock.now().getTime() + 72 * HOUR));
    expect(await ids('REPLY_OVERDUE')).toContain(order.id);

    // when staff cancel as announced, it leaves the queue, and a cancelled order takes no new deadline
    const cancelled = await gw.gql(STAFF_CANCEL, { i: { orderId: order.id, reason: 'OTHER', note: 'ご返信がなかったためキャンセルしました' } }, { token: clerk.token });
    expect(cancelled.data.orderCancelByStaff.order.status).toBe('CANCELLED');
    expect(await ids('REPLY_OVERDUE')).not.toContain(order.id);
    const refused = await send(clerk, order.id, { replyDeadline: deadlineIn(24) });
    expect(refused.data.messageSend.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'replyDeadline'] })]);
  });

  it('is for staff only', async () => {
    const owner = await customer(gw);
    const res = await gw.gql(QUEUE, { q: 'REPLY_OVERDUE' }, { token: owner.token });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

/**
 * Issue 16: UNANSWERED_MESSAGE and SELLER_QUESTION are facts on the order row
 * (`awaiting_reply_since`, `seller_question_since`) that every write changing them keeps, so
 * each queue reads only its own rows; listed longest waiting first.
 */
describe('UNANSWERED_MESSAGE and SELLER_QUESTION kept on the order', () => {
  const ORDER_QUEUE = `query($q: StaffQueue!, $after: String) { orders(first: 1, after: $after, filter: { awaiting: $q }) { nodes { id } pageInfo { hasNextPage endCursor } } }`;
  const SHIP = `mutation($i: OrderShipInput!) { orderShip(input: $i) { userErrors { code message } } }`;
  const SECOND = `mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) { order { secondInvoice { id total { amount } } } userErrors { code message } } }`;
  const RECEIPT = `mutation($i: OrderReceiptReportInput!) { orderReceiptReport(input: $i) { order { status } userErrors { code message } } }`;
  const later = (minutes: number) => gw.clock.set(new Date(gw.clock.now().getTime() + minutes * 60_000));
  const ok = async (res: Promise<{ data: any; body: unknown }>) => {
    const { data, body } = await res;
    const payload = data && (Object.values(data)[0] as { userErrors?: unknown[] });
    if (!payload || payload.userErrors?.length) throw new Error(JSON.stringify(body));
    return payload as any;
  };
  /** The queue's orders among `mine`, in the queue's order. */
  const among = async (q: string, mine: string[]) => (await ids(q)).filter((id) => mine.includes(id));
  const facts = async (id: string) =>
    (await gw.app.ds.query(`SELECT awaiting_reply_since, seller_question_since FROM customer_order WHERE id = $1`, [id]))[0] as { awaiting_reply_since: Date | null; seller_question_since: Date | null };

  it('a customer message puts the order in UNANSWERED_MESSAGE from when it was sent; any staff message takes it out', async () => {
    // given two orders whose customers write, the second one first
    const owner = await customer(gw);
    const [first, second] = [await submitOrder(gw, owner, [itemInput(1)]), await submitOrder(gw, owner, [itemInput(1)])];
    const mine = [first.id, second.id];
    expect(await among('UNANSWERED_MESSAGE', mine)).toEqual([]);
    later(1);
    await ok(send(owner, second.id));
    const waitingSince = gw.clock.now();
    later(1);
    await ok(send(owner, first.id));
    later(1);
    await ok(send(owner, second.id, { title: 'もう一度' }));

    // then both wait, the one waiting longest first (by its first unanswered message, not by submission)
    expect(await among('UNANSWERED_MESSAGE', mine)).toEqual([second.id, first.id]);
    expect((await facts(second.id)).awaiting_reply_since).toEqual(waitingSince);

    // and the queue pages by that order
    const page1 = (await gw.gql(ORDER_QUEUE, { q: 'UNANSWERED_MESSAGE' }, { token: clerk.token })).data.orders;
    const seen = [...page1.nodes.map((n: { id: string }) => n.id)];
    let cursor = page1.pageInfo.endCursor;
    for (let page = 0; page < 200 && cursor; page++) {
      const next = (await gw.gql(ORDER_QUEUE, { q: 'UNANSWERED_MESSAGE', after: cursor }, { token: clerk.token })).data.orders;
      seen.push(...next.nodes.map((n: { id: string }) => n.id));
      cursor = next.pageInfo.hasNextPage ? next.pageInfo.endCursor : null;
    }
    expect(seen).toEqual(await ids('UNANSWERED_MESSAGE'));

    // when staff reply on one, it leaves; the other stays
    await ok(send(clerk, second.id, { title: '回答' }));
    expect(await among('UNANSWERED_MESSAGE', mine)).toEqual([first.id]);
    expect((await facts(second.id)).awaiting_reply_since).toBeNull();

    // and the customer's next message puts it back, waiting from that message
    later(1);
    await ok(send(owner, second.id, { title: '追加の質問' }));
    expect(await among('UNANSWERED_MESSAGE', mine)).toEqual([first.id, second.id]);
    expect((await facts(second.id)).awaiting_reply_since).toEqual(gw.clock.now());
  });

  it('a seller question puts the order in SELLER_QUESTION until staff have answered every open one', async () => {
    // given an order whose customer asks about two items, a minute apart
    const owner = await customer(gw);
    const order = await submitOrder(gw, owner);
    const asked = gw.clock.now();
    await ok(send(owner, order.id, { itemId: order.items[0].id, askSellerBeforePurchase: true }));
    later(1);
    await ok(send(owner, order.id, { itemId: order.items[2].id, askSellerBeforePurchase: true }));
    expect(await among('SELLER_QUESTION', [order.id])).toEqual([order.id]);
    expect(await facts(order.id)).toEqual({ awaiting_reply_since: asked, seller_question_since: asked });

    // when staff write about the order without an item, nothing is answered: still waiting for the seller
    await ok(send(clerk, order.id, { title: '確認中です' }));
    expect(await facts(order.id)).toEqual({ awaiting_reply_since: null, seller_question_since: asked });

    // when staff answer the first item's question, the order waits for the second one only
    await ok(send(clerk, order.id, { itemId: order.items[0].id, title: 'Re', body: '使えます' }));
    expect(await facts(order.id)).toEqual({ awaiting_reply_since: null, seller_question_since: new Date(asked.getTime() + 60_000) });
    expect(await among('SELLER_QUESTION', [order.id])).toEqual([order.id]);

    // when they answer that one too, it leaves the queue
    await ok(send(clerk, order.id, { itemId: order.items[2].id, title: 'Re', body: '在庫あり' }));
    expect(await among('SELLER_QUESTION', [order.id])).toEqual([]);
    expect(await facts(order.id)).toEqual({ awaiting_reply_since: null, seller_question_since: null });
  });

  it('a cancelled order leaves both queues; a customer message while its thread is open puts it back in UNANSWERED_MESSAGE', async () => {
    // given an order with an unanswered message and seller question
    const owner = await customer(gw);
    const order = await submitOrder(gw, owner);
    await ok(send(owner, order.id, { itemId: order.items[1].id, askSellerBeforePurchase: true }));
    expect(await among('UNANSWERED_MESSAGE', [order.id])).toEqual([order.id]);
    expect(await among('SELLER_QUESTION', [order.id])).toEqual([order.id]);

    // when the customer cancels it
    later(1);
    await ok(gw.gql(`mutation($id: ID!) { orderCancel(input: { orderId: $id }) { userErrors { code } } }`, { id: order.id }, { token: owner.token }));

    // then it is in neither queue
    expect(await among('UNANSWERED_MESSAGE', [order.id])).toEqual([]);
    expect(await among('SELLER_QUESTION', [order.id])).toEqual([]);

    // when the customer writes after the cancellation, staff must answer that
    later(1);
    await ok(send(owner, order.id, { title: '返金について' }));
    expect(await among('UNANSWERED_MESSAGE', [order.id])).toEqual([order.id]);
    expect(await among('SELLER_QUESTION', [order.id])).toEqual([]);
  });

  it('a completed order leaves UNANSWERED_MESSAGE', async () => {
    // given a shipped order whose customer asked something staff have not answered
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner);
    const second = (await ok(gw.gql(SECOND, { i: { orderId: order.id, weightKg: '1', lengthCm: '20', widthCm: '20', heightCm: '10' } }, { token: clerk.token }))).order.secondInvoice;
    await creditDeposit(gw, clerk, owner.id, BigInt(second.total.amount));
    await ok(invoicePay(gw, owner, { invoiceId: second.id }));
    await ok(gw.gql(SHIP, { i: { orderId: order.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token }));
    await ok(send(owner, order.id, { title: 'いつ届きますか' }));
    expect(await among('UNANSWERED_MESSAGE', [order.id])).toEqual([order.id]);

    // when the customer reports receipt, completing it
    const received = await ok(gw.gql(RECEIPT, { i: { orderId: order.id } }, { token: owner.token }));
    expect(received.order.status).toBe('COMPLETED');

    // then it is out of the queue
    expect(await among('UNANSWERED_MESSAGE', [order.id])).toEqual([]);
  });

  it('the backfill migration computes from the threads exactly what the writes kept', async () => {
    // given every order the tests above made, with facts kept by the writes
    const before = await gw.app.ds.query(`SELECT id, awaiting_reply_since, seller_question_since FROM customer_order ORDER BY id`);
    expect(before.filter((o: { awaiting_reply_since: Date | null }) => o.awaiting_reply_since).length).toBeGreaterThan(2);

    // when the facts are cleared and the backfill runs
    await gw.app.ds.query(`UPDATE customer_order SET awaiting_reply_since = NULL, seller_question_since = NULL`);
    const runner = gw.app.ds.createQueryRunner();
    try {
      await new QueueFactsBackfill1796212825126().up(runner);
    } finally {
      await runner.release();
    }

    // then it finds the same facts
    expect(await gw.app.ds.query(`SELECT id, awaiting_reply_since, seller_question_since FROM customer_order ORDER BY id`)).toEqual(before);
  });

  // Last in this describe: it moves the clock a month on.
  it('a cancelled order whose customer wrote after the end leaves UNANSWERED_MESSAGE when its thread closes (nobody can reply there)', async () => {
    // given a cancelled order, and a customer message after the cancellation that staff missed
    const owner = await customer(gw);
    const order = await submitOrder(gw, owner);
    await ok(gw.gql(`mutation($id: ID!) { orderCancel(input: { orderId: $id }) { userErrors { code } } }`, { id: order.id }, { token: owner.token }));
    later(1);
    await ok(send(owner, order.id, { title: '返金について' }));
    expect(await among('UNANSWERED_MESSAGE', [order.id])).toEqual([order.id]);

    // when the sweep runs on the thread's last day, nothing changes; once it has closed, the order leaves the queue
    gw.clock.advanceDays(29);
    expect(await leaveClosedThreads(gw.app, gw.clock.now())).toBe(0);
    clerk = await staff(gw); // tokens live 7 days
    expect(await among('UNANSWERED_MESSAGE', [order.id])).toEqual([order.id]);
    gw.clock.advanceDays(1);
    later(1);
    expect((await send(clerk, order.id)).data.messageSend.userErrors[0].code).toBe('MESSAGING_CLOSED');
    expect(await leaveClosedThreads(gw.app, gw.clock.now())).toBeGreaterThanOrEqual(1);
    expect(await facts(order.id)).toEqual({ awaiting_reply_since: null, seller_question_since: null });
  });
});

describe('queue plans', () => {
  it.each([
    [StaffQueue.CANCELLATION_REQUEST, 'cancellation_request_pending_key'],
    [StaffQueue.REPLY_OVERDUE, 'message_open_reply_deadline_idx'],
    [StaffQueue.DELIVERY_PROBLEM, 'delivery_problem_open_key'],
    [StaffQueue.UNANSWERED_MESSAGE, 'customer_order_awaiting_reply_idx'],
    [StaffQueue.SELLER_QUESTION, 'customer_order_seller_question_idx'],
    [StaffQueue.PRICE_CHANGE_RESPONSE, 'price_change_pending'],
  ])('%s reads its partial index (%s), not the whole table', async (queue, index) => {
    // The partial index can serve the queue only if the condition implies its predicate; with
    // sequential scans priced out, the plan shows whether it does. (Measured on 300,000 orders
    // with a request, a deadline and a problem each, 0.05% of them open: docs/warehouse.md.)
    const condition = STAFF_QUEUES[queue]!;
    const params = typeof condition.params === 'function' ? condition.params(gw.clock.now()) : (condition.params ?? {});
    const values: unknown[] = [];
    const sql = condition.sql.replace(/:(\w+)/g, (_, name: string) => {
      values.push(params[name]);
      return `$${values.length}`;
    });
    const plan = await gw.app.ds.transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      const rows: { 'QUERY PLAN': string }[] = await tx.query(`EXPLAIN SELECT o.id FROM customer_order o WHERE ${sql} ORDER BY o.submitted_at, o.id LIMIT 51`, values);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain(index);
  });
});
