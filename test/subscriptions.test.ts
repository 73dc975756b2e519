import { randomUUID } from 'node:crypto';
import { inTransaction } from '../src/common/transaction';
import { Role } from '../src/modules/accounts/account.entity';
import { MessageSide } from '../src/modules/messaging/message.entity';
import { Message } from '../src/modules/messaging/message.entity';
import { ActorRole } from '../src/modules/orders/order-event.entity';
import { recordEvent } from '../src/modules/orders/order-events';
import { LISTENER_APPLICATION_NAME } from '../src/modules/subscriptions/pg-listener';
import { ADDRESS, customer, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { startTestGateway, type TestGateway } from './support/gateway';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process';
import { liveClient, RawSocket, sleep, until } from './support/live-client';

// Subscriptions through the real protocols (graphql-ws's client; a raw socket for the legacy
// protocol and the slow reader), with a second gateway PROCESS on the same database.
let gw: TestGateway;
let other: GatewayProcess;
let clerk: Actor;
const clients: { dispose(): void | Promise<void> }[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ SUBSCRIPTIONS_QUEUE_LIMIT: '20', SUBSCRIPTIONS_MAX_CONNECTIONS_PER_ACCOUNT: '3', SUBSCRIPTIONS_MAX_PER_ACCOUNT: '4' });
  other = await startGatewayProcess(gw);
  clerk = await staff(gw);
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.dispose();
  await until(() => gw.app.live.hub.stats.connections === 0, 5000, 'every connection of the test to close');
});
afterAll(async () => {
  await other?.stop();
  await gw?.close();
});

function client(token?: string | null) {
  const c = liveClient(gw.url, token);
  clients.push(c);
  return c;
}

const ORDER_UPDATED = `subscription($id: ID!, $guest: GuestAccessInput) { orderUpdated(orderId: $id, guest: $guest) {
  id status quotedAt deliveryAddress { city } firstInvoice { total { amount currency } } availableActions } }`;
const MESSAGE_ADDED = `subscription($id: ID!, $guest: GuestAccessInput) { messageAdded(orderId: $id, guest: $guest) { id title body author { side } attachments { id } } }`;
const VIEWER_ORDERS = `subscription { viewerOrdersUpdated { id status } }`;
const NOTIFICATION_ADDED = `subscription { notificationAdded { id kind title orderId readAt } }`;
const ADDRESS_CHANGE = `mutation($input: OrderDeliveryAddressChangeInput!) { orderDeliveryAddressChange(input: $input) { order { id } userErrors { code } } }`;
const SEND = `mutation($input: MessageSendInput!) { messageSend(input: $input) { message { id } userErrors { code message } } }`;
const QUOTE = `mutation($input: OrderQuoteInput!) { orderQuote(input: $input) { order { status } userErrors { code } } }`;

/** Live subscriptions registered in the in-process gateway's hub. */
const subscribed = () => gw.app.live.hub.stats.subscriptions;
async function subscribedNow(before: number, more = 1) {
  await until(() => subscribed() >= before + more, 5000, 'the subscription to be registered');
}

function quoteInput(order: { id: string; items: { id: string }[] }) {
  return { orderId: order.id, exchangeRate: '21.37', items: order.items.map((it) => ({ itemId: it.id, unitPrice: { amount: '10.00', currency: 'CNY' }, chinaShipping: { amount: '0', currency: 'CNY' } })) };
}

/** A timeline event committed directly (as a sweep or any writer would), announcing a change of `orderId`. */
function commitEvent(orderId: string, type = 'TEST_EVENT') {
  return inTransaction(gw.app.ds, (tx) => recordEvent(tx, { orderId, type, actor: { role: ActorRole.SYSTEM, id: null, name: 'test' }, at: gw.clock.now() }));
}

describe('orderUpdated across gateway processes', () => {
  it('reaches a graphql-ws client within a second of a staff quote committed on another gateway process', async () => {
    // given: a customer's order, and the customer subscribed on this gateway; the other
    // process has quoted once already (its first request compiles and prepares what it needs)
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice);
    await other.gql(QUOTE, { input: quoteInput(await submitOrder(gw, alice)) }, { token: clerk.token });
    const before = subscribed();
    const stream = client(alice.token).subscribeTo(ORDER_UPDATED, { id: order.id });
    await subscribedNow(before);

    // when: staff quote it through the OTHER process
    const started = Date.now();
    const quoted = await other.gql(QUOTE, { input: quoteInput(order) }, { token: clerk.token });
    expect(quoted.data.orderQuote).toEqual({ order: { status: 'AWAITING_FIRST_PAYMENT' }, userErrors: [] });

    // then: the quoted order arrives here, as the customer sees it, within a second of sending the mutation
    const answered = Date.now();
    const first = await stream.nth(0, 3000);
    const latency = stream.receivedAt[0] - started;
    console.info(`orderUpdated arrived ${latency} ms after the quote was sent to the other process (which answered after ${answered - started} ms)`);
    expect(latency).toBeLessThan(1000);
    expect(first.errors).toBeUndefined();
    expect(first.data!.orderUpdated).toMatchObject({ id: order.id, status: 'AWAITING_FIRST_PAYMENT', firstInvoice: { total: { currency: 'JPY' } } });
    expect(first.data!.orderUpdated.availableActions).toEqual(expect.arrayContaining(['PAY_FIRST_INVOICE']));
    expect(first.data!.orderUpdated.quotedAt).not.toBeNull();
  });

  it('uses one dedicated LISTEN connection per gateway process (no Redis)', async () => {
    expect(gw.app.live.mode).toBe('postgres');
    const rows = await gw.app.ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTENER_APPLICATION_NAME]);
    expect(rows[0].n).toBe(2);
  });

  it('sends nothing for a refused mutation or a rolled-back transaction; the next commit arrives alone', async () => {
    // given
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice);
    const before = subscribed();
    const stream = client(alice.token).subscribeTo(ORDER_UPDATED, { id: order.id });
    await subscribedNow(before);

    // when: a refused mutation (a customer may not quote), a business refusal (quote with missing items),
    // and a transaction that wrote a timeline event (its trigger NOTIFYed) and then rolled back
    const refused = await gw.gql(QUOTE, { input: quoteInput(order) }, { token: alice.token });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const mismatch = await gw.gql(QUOTE, { input: { ...quoteInput(order), items: [] } }, { token: clerk.token });
    expect(mismatch.data.orderQuote.userErrors.length).toBeGreaterThan(0);
    await expect(
      inTransaction(gw.app.ds, async (tx) => {
        await recordEvent(tx, { orderId: order.id, type: 'ROLLED_BACK', actor: { role: ActorRole.SYSTEM, id: null, name: 'test' }, at: gw.clock.now() });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await sleep(300);
    expect(stream.results).toEqual([]);

    // then: a committed change (on the other process) is the first and only thing received
    const moved = await other.gql(ADDRESS_CHANGE, { input: { orderId: order.id, deliveryAddress: { ...ADDRESS, postalCode: '530-0001', prefecture: '大阪府', city: '大阪市北区' } } }, { token: alice.token });
    expect(moved.data.orderDeliveryAddressChange.userErrors).toEqual([]);
    const first = await stream.nth(0);
    expect(first.data!.orderUpdated).toMatchObject({ status: 'SUBMITTED', deliveryAddress: { city: '大阪市北区' } });
    await sleep(300);
    expect(stream.results).toHaveLength(1);
  });
});

describe('when the LISTEN connection breaks', () => {
  it('reconnects and delivers what was committed while it was away', async () => {
    // given
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice);
    const before = subscribed();
    const stream = client(alice.token).subscribeTo(ORDER_UPDATED, { id: order.id });
    await subscribedNow(before);

    // when: the server ends both gateways' listening sessions, and a change commits at once
    const killed = await gw.app.ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTENER_APPLICATION_NAME]);
    expect(killed).toHaveLength(2);
    await commitEvent(order.id);

    // then: it arrives once the listener is back (backoff from 250 ms), replayed from the timeline
    expect((await stream.nth(0, 5000)).data!.orderUpdated).toMatchObject({ id: order.id, status: 'SUBMITTED' });
    await until(async () => (await gw.app.ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTENER_APPLICATION_NAME]))[0].n === 2, 10_000, 'both listeners to be back');
    await sleep(200);
    expect(stream.results).toHaveLength(1);
  });
});

describe('visibility: the rules of the queries', () => {
  it('answers another customer’s order id exactly as a missing one (and as a malformed id)', async () => {
    // given: Alice's order; Bob signed in
    const alice = await customer(gw);
    const bob = await customer(gw);
    const order = await submitOrder(gw, alice);
    const bobs = client(bob.token);

    // when: Bob subscribes to Alice's order, to an id that does not exist, and to garbage
    const answers = await Promise.all(
      [order.id, randomUUID(), 'not-an-id'].map(async (id) => {
        const stream = bobs.subscribeTo(ORDER_UPDATED, { id });
        await stream.ended();
        return { results: stream.results, error: stream.error };
      }),
    );

    // then: the same single result, an error and no data, then complete
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual(answers[2]);
    expect(answers[0].results).toEqual([{ errors: [expect.objectContaining({ message: 'No such order.', extensions: { code: 'BAD_USER_INPUT', reason: 'NOT_FOUND', field: ['orderId'] } })] }]);
    // …as the query for it answers null for both
    const [theirs, missing] = await Promise.all([order.id, randomUUID()].map((id) => gw.gql(`query($id: ID!) { order(id: $id) { id } }`, { id }, { token: bob.token })));
    expect(theirs.data).toEqual({ order: null });
    expect(missing.data).toEqual({ order: null });
    // messageAdded alike
    const message = bobs.subscribeTo(MESSAGE_ADDED, { id: order.id });
    await message.ended();
    expect(message.results[0].errors?.[0]).toMatchObject({ message: 'No such order.', extensions: { reason: 'NOT_FOUND' } });
  });

  it('viewerOrdersUpdated: a customer hears of their own orders only, staff of every order', async () => {
    // given
    const alice = await customer(gw);
    const bob = await customer(gw);
    const order = await submitOrder(gw, alice);
    const before = subscribed();
    const mine = client(alice.token).subscribeTo(VIEWER_ORDERS);
    const notMine = client(bob.token).subscribeTo(VIEWER_ORDERS);
    const staffView = client(clerk.token).subscribeTo(VIEWER_ORDERS);
    await subscribedNow(before, 3);

    // when: staff quote Alice's order
    expect((await gw.gql(QUOTE, { input: quoteInput(order) }, { token: clerk.token })).data.orderQuote.userErrors).toEqual([]);

    // then
    expect((await mine.nth(0)).data).toEqual({ viewerOrdersUpdated: { id: order.id, status: 'AWAITING_FIRST_PAYMENT' } });
    expect((await staffView.nth(0)).data).toEqual({ viewerOrdersUpdated: { id: order.id, status: 'AWAITING_FIRST_PAYMENT' } });
    await sleep(300);
    expect(notMine.results).toEqual([]);
  });

  it('refuses viewerOrdersUpdated and notificationAdded without a token, and orderUpdated without token or guest', async () => {
    const anonymous = client(null);
    for (const [query, variables] of [[VIEWER_ORDERS, {}], [NOTIFICATION_ADDED, {}], [ORDER_UPDATED, { id: randomUUID() }]] as const) {
      const stream = anonymous.subscribeTo(query, variables);
      await stream.ended();
      expect(stream.results[0].errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('closes a connection whose token is bad with 4401', async () => {
    const stream = client('not-a-token').subscribeTo(VIEWER_ORDERS);
    await stream.ended();
    expect(stream.closeCode).toBe(4401);
  });
});

describe('guests', () => {
  it('subscribe with order number and phone; a wrong phone answers like a missing order', async () => {
    // given: a guest's order (phone 080-9999-0000)
    const order = await submitOrder(gw, null);
    const guest = { orderNumber: order.orderNumber, phone: '080-9999-0000' };
    const anonymous = client(null);
    const before = subscribed();
    const updates = anonymous.subscribeTo(ORDER_UPDATED, { id: order.id, guest });
    const messages = anonymous.subscribeTo(MESSAGE_ADDED, { id: order.id, guest });
    await subscribedNow(before, 2);

    // when: staff quote it on the other process and write in its thread
    await other.gql(QUOTE, { input: quoteInput(order) }, { token: clerk.token });
    const sent = await gw.gql(SEND, { input: { orderId: order.id, title: 'ご確認', body: 'お見積もりをお送りしました。' } }, { token: clerk.token });
    expect(sent.data.messageSend.userErrors).toEqual([]);

    // then
    expect((await updates.nth(0)).data!.orderUpdated).toMatchObject({ id: order.id, status: 'AWAITING_FIRST_PAYMENT' });
    expect((await messages.nth(0)).data!.messageAdded).toEqual({ id: sent.data.messageSend.message.id, title: 'ご確認', body: 'お見積もりをお送りしました。', author: { side: 'STAFF' }, attachments: [] });

    // and a wrong phone, or another guest order's number, answers like a missing order
    const other1 = await submitOrder(gw, null);
    for (const wrong of [{ ...guest, phone: '080-1111-2222' }, { orderNumber: other1.orderNumber, phone: '080-9999-0000' }]) {
      const stream = client(null).subscribeTo(ORDER_UPDATED, { id: order.id, guest: wrong });
      await stream.ended();
      expect(stream.results[0].errors?.[0]).toMatchObject({ message: 'No such order.', extensions: { code: 'BAD_USER_INPUT', reason: 'NOT_FOUND' } });
    }
  });
});

describe('messageAdded and notificationAdded', () => {
  it('delivers each new message of the thread, from either side', async () => {
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice);
    const before = subscribed();
    const staffSide = client(clerk.token).subscribeTo(MESSAGE_ADDED, { id: order.id });
    await subscribedNow(before);
    const sent = await other.gql(SEND, { input: { orderId: order.id, title: '色について', body: '黒はありますか？' } }, { token: alice.token });
    expect(sent.data.messageSend.userErrors).toEqual([]);
    expect((await staffSide.nth(0)).data!.messageAdded).toMatchObject({ id: sent.data.messageSend.message.id, title: '色について', author: { side: 'CUSTOMER' } });
  });

  it('delivers the viewer’s own new notifications only', async () => {
    const alice = await customer(gw);
    const bob = await customer(gw);
    const order = await submitOrder(gw, alice);
    const before = subscribed();
    const alices = client(alice.token).subscribeTo(NOTIFICATION_ADDED);
    const bobs = client(bob.token).subscribeTo(NOTIFICATION_ADDED);
    await subscribedNow(before, 2);
    const [event] = await gw.app.ds.query(`SELECT id FROM order_event WHERE order_id = $1 ORDER BY id DESC LIMIT 1`, [order.id]);
    const [row] = await gw.app.ds.query(
      `INSERT INTO notification (account_id, order_id, event_id, kind, title, body, created_at) VALUES ($1, $2, $3, 'QUOTE_ISSUED', 'お見積もりが届きました', '本文', now()) RETURNING id::text`,
      [alice.id, order.id, event.id],
    );
    expect((await alices.nth(0)).data).toEqual({ notificationAdded: { id: row.id, kind: 'QUOTE_ISSUED', title: 'お見積もりが届きました', orderId: order.id, readAt: null } });
    await sleep(300);
    expect(bobs.results).toEqual([]);
  });
});

describe('a connection stops receiving when its viewer may no longer', () => {
  it('closes with 4401 once the token has expired, before sending anything', async () => {
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice);
    const before = subscribed();
    const stream = client(alice.token).subscribeTo(VIEWER_ORDERS);
    await subscribedNow(before);
    const now = gw.clock.now();
    try {
      gw.clock.advanceDays(8); // tokens live 7 days
      await commitEvent(order.id);
      await stream.ended();
      expect(stream.closeCode).toBe(4401);
      expect(stream.results).toEqual([]);
    } finally {
      gw.clock.set(now);
    }
  });

  it('closes with 4403 when a staff member is demoted, before the next order reaches them', async () => {
    const demoted = await staff(gw);
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice);
    const before = subscribed();
    const stream = client(demoted.token).subscribeTo(VIEWER_ORDERS);
    await subscribedNow(before);
    await inTransaction(gw.app.ds, (tx) => gw.app.accounts.setRole(tx, demoted.id, Role.CUSTOMER));
    await commitEvent(order.id);
    await stream.ended();
    expect(stream.closeCode).toBe(4403);
    expect(stream.results).toEqual([]);
  });
});

describe('limits', () => {
  it('cuts off a client that does not read (4413) while one that reads gets every event', async () => {
    // given: two staff connections on one order's thread; one stops reading from its socket
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice);
    const reader = await staff(gw);
    const before = subscribed();
    const healthy = client(reader.token).subscribeTo(`subscription($id: ID!) { messageAdded(orderId: $id) { id } }`, { id: order.id });
    const slow = await RawSocket.open(gw.url, 'graphql-transport-ws');
    slow.send({ type: 'connection_init', payload: { authorization: `Bearer ${clerk.token}` } });
    await slow.waitFor((m) => m.type === 'connection_ack');
    slow.send({ id: '1', type: 'subscribe', payload: { query: MESSAGE_ADDED, variables: { id: order.id } } });
    await subscribedNow(before, 2);
    const connections = gw.app.live.hub.stats.connections;
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    // when: messages keep coming (each ~15 kB as JSON), until the socket's buffers and the
    // queue of 20 (SUBSCRIPTIONS_QUEUE_LIMIT here) are full
    const body = 'あ'.repeat(5000);
    let written = 0;
    while (gw.app.live.hub.stats.connections === connections && written < 2000) {
      await inTransaction(gw.app.ds, async (tx) => {
        const message = tx.getRepository(Message).create({
          orderId: order.id, itemId: null, authorSide: MessageSide.STAFF, authorId: clerk.id, authorName: 'Staff', title: `#${written}`, body,
          askSellerBeforePurchase: false, replyDeadline: null, createdAt: gw.clock.now(),
        });
        await tx.getRepository(Message).insert(message);
        await recordEvent(tx, { orderId: order.id, type: 'MESSAGE_SENT', actor: { role: ActorRole.STAFF, id: clerk.id, name: 'Staff' }, at: gw.clock.now(), data: { messageId: message.id } });
      });
      written++;
      if (written % 10 === 0) await gw.app.live.hub.settled();
    }
    console.info(`the slow reader was cut off after ${written} messages`);

    // then: the gateway closed it with 4413 (seen once it reads again), and the other got all
    expect(gw.app.live.hub.stats.connections).toBe(connections - 1);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.waitClosed(10_000)).code).toBe(4413);
    await until(() => healthy.results.length === written, 15_000, 'every message at the healthy client');
    expect(healthy.error).toBeUndefined();
  });

  it('refuses a fourth connection of one account (4429) and a fifth subscription (TOO_MANY_SUBSCRIPTIONS)', async () => {
    // given: an account with 3 connections (SUBSCRIPTIONS_MAX_CONNECTIONS_PER_ACCOUNT here), one subscription each
    const alice = await customer(gw);
    const [first, second, third] = [client(alice.token), client(alice.token), client(alice.token)];
    for (const c of [first, second, third]) c.subscribeTo(VIEWER_ORDERS);
    await subscribedNow(0, 3);

    // when/then: a fourth connection is closed
    const fourth = client(alice.token).subscribeTo(VIEWER_ORDERS);
    await fourth.ended();
    expect(fourth.closeCode).toBe(4429);

    // and a fourth subscription is fine, a fifth refused (SUBSCRIPTIONS_MAX_PER_ACCOUNT = 4 here)
    const fourthSubscription = first.subscribeTo(VIEWER_ORDERS);
    await subscribedNow(0, 4);
    const fifth = second.subscribeTo(VIEWER_ORDERS);
    await fifth.ended();
    expect(fifth.results).toEqual([{ errors: [expect.objectContaining({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 4 } })] }]);
    expect(fourthSubscription.done).toBe(false);
    void third;
  });

  it('serves subscriptions only: a query or mutation over WebSocket is refused, and operation limits apply', async () => {
    const alice = await customer(gw);
    const ws = client(alice.token);
    const query = ws.subscribeTo(`{ me { email } }`);
    await query.ended();
    expect(query.error).toEqual([expect.objectContaining({ message: 'Only subscriptions are served over WebSocket; send queries as HTTP POST to /graphql.' })]);
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ');
    const tooMany = ws.subscribeTo(`subscription { viewerOrdersUpdated { ${aliases} } }`);
    await tooMany.ended();
    expect(tooMany.error).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases' } })]);
  });
});

describe('the legacy protocol (GraphQL Playground 1.7: subprotocol graphql-ws)', () => {
  it('connection_init with the Authorization header, start, data on each change, stop', async () => {
    // given
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice, [itemInput(1)]);
    const socket = await RawSocket.open(gw.url, 'graphql-ws');
    clients.push({ dispose: () => socket.close() });
    expect(socket.ws.protocol).toBe('graphql-ws');

    // when: init and start back to back, without waiting for the ack (as Playground's client does)
    const before = subscribed();
    socket.send({ type: 'connection_init', payload: { Authorization: `Bearer ${alice.token}` } });
    socket.send({ type: 'start', id: '1', payload: { query: VIEWER_ORDERS } });
    await socket.waitFor((m) => m.type === 'connection_ack');
    await socket.waitFor((m) => m.type === 'ka');
    await subscribedNow(before);
    await quoteOrder(gw, clerk, order, ['10'], ['0']);

    // then
    const data = await socket.waitFor((m) => m.type === 'data');
    expect(data).toEqual({ type: 'data', id: '1', payload: { data: { viewerOrdersUpdated: { id: order.id, status: 'AWAITING_FIRST_PAYMENT' } } } });

    // a bad operation answers data with errors, then complete; stop ends an operation
    socket.send({ type: 'start', id: '2', payload: { query: 'subscription { nope }' } });
    const refused = await socket.waitFor((m) => m.id === '2' && m.type === 'data');
    expect(refused.payload.errors[0].message).toMatch(/Cannot query field "nope"/);
    await socket.waitFor((m) => m.id === '2' && m.type === 'complete');
    socket.send({ type: 'stop', id: '1' });
    await until(() => subscribed() === before, 5000, 'the stopped subscription to go');
  });

  it('refuses a bad token with connection_error and 4401', async () => {
    const socket = await RawSocket.open(gw.url, 'graphql-ws');
    socket.send({ type: 'connection_init', payload: { authorization: 'Bearer forged' } });
    expect(await socket.waitFor((m) => m.type === 'connection_error')).toEqual({ type: 'connection_error', payload: { message: 'The token is invalid or has expired: sign in again.' } });
    expect((await socket.waitClosed()).code).toBe(4401);
  });

  it('closes a socket that offers no subprotocol (4406)', async () => {
    const socket = await RawSocket.open(gw.url);
    expect((await socket.waitClosed()).code).toBe(4406);
  });
});

describe('HTTP', () => {
  it('answers a subscription sent as an HTTP POST with an error pointing to WebSocket', async () => {
    const alice = await customer(gw);
    const res = await gw.gql(VIEWER_ORDERS, {}, { token: alice.token });
    expect(res.errors?.[0].message).toMatch(/WebSocket/);
  });
});
