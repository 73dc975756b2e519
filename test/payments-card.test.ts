import { randomBytes, randomUUID } from 'node:crypto';
import { CardProviderError } from '../src/modules/payments/providers/card-provider';
import type { SimulatorCardProvider } from '../src/modules/payments/providers/simulator-provider';
import { FakePayPal } from './support/fake-paypal';
import { recoverCardCaptures } from '../src/jobs/capture-recovery.job';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, invoicePay, itemInput, PAYMENT_FIELDS, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

let gw: TestGateway;
let sim: SimulatorCardProvider;
let alice: Actor;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  sim = gw.app.cardProvider as SimulatorCardProvider;
  [alice, clerk] = await Promise.all([customer(gw), staff(gw)]);
});
afterAll(() => gw.close());

const TOTAL = 2637; // one item at 100 CNY, rate 21.37, minimum service fee
const COMPLETE = `mutation($input: PaymentCardCompleteInput!) { paymentCardComplete(input: $input) {
  payment { ${PAYMENT_FIELDS} } invoice { status amountPaid { amount } amountDue { amount } } order { status } userErrors { code field message } } }`;
const TOP_UP = `mutation($input: DepositTopUpInput!) { depositTopUp(input: $input) { payment { ${PAYMENT_FIELDS} } approvalUrl userErrors { code field message } } }`;
const CHANGE = `mutation($input: OrderItemQuantityChangeInput!) { orderItemQuantityChange(input: $input) { userErrors { code } } }`;

async function quoted(owner: Actor, g: TestGateway = gw, op: Actor = clerk) {
  return quoteOrder(g, op, await submitOrder(g, owner, [itemInput(1)]), ['100'], ['0']);
}
const complete = (paymentId: string, token = alice.token, g: TestGateway = gw) => g.gql(COMPLETE, { input: { paymentId } }, { token });
const webhookUrl = (g: TestGateway) => g.url.replace(/\/graphql$/, '/webhooks/paypal');
function deliver(g: TestGateway, delivery: { headers: Record<string, string>; rawBody: Buffer }) {
  return fetch(webhookUrl(g), { method: 'POST', headers: delivery.headers, body: new Uint8Array(delivery.rawBody) });
}
/** CHECKOUT.ORDER.APPROVED as PayPal sends it: the buyer approved, nothing is captured yet. */
function orderApprovedEvent(providerOrderId: string, paymentId: string, amount: string) {
  return {
    id: `WH-${randomBytes(8).toString('hex').toUpperCase()}`,
    event_version: '1.0',
    resource_type: 'checkout-order',
    event_type: 'CHECKOUT.ORDER.APPROVED',
    resource: { id: providerOrderId, status: 'APPROVED', intent: 'CAPTURE', purchase_units: [{ reference_id: paymentId, custom_id: paymentId, amount: { currency_code: 'JPY', value: amount } }] },
  };
}
async function settledCount(orderId: string) {
  const [row] = await gw.app.ds.query(
    `SELECT (SELECT count(*)::int FROM payment WHERE order_id = $1 AND method = 'CARD' AND status = 'SETTLED') AS settled,
            (SELECT count(DISTINCT capture_id)::int FROM payment WHERE order_id = $1 AND capture_id IS NOT NULL) AS captures,
            (SELECT count(*)::int FROM order_event WHERE order_id = $1 AND type = 'INVOICE_PAID') AS paid_events,
            (SELECT amount_paid FROM invoice WHERE order_id = $1 AND kind = 'FIRST') AS amount_paid`,
    [orderId],
  );
  return row;
}

describe('card payments (simulator)', () => {
  it('shows the total with the card fee and the approval URL, then captures and settles on the return', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 1000);
    const order = await quoted(owner);

    const paid = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'CARD' })).data.invoicePay;

    expect(paid.userErrors).toEqual([]);
    const card = paid.payments[1];
    // rest 1637; fee 3.6% = 58.932 → 59, + ¥40 = 99
    expect(card).toMatchObject({ method: 'CARD', status: 'PENDING', amount: { amount: '1637' }, fee: { amount: '99' }, total: { amount: '1736' } });
    expect(paid.approvalUrl).toBe(card.approvalUrl);
    expect(paid.approvalUrl).toMatch(/\/simulator\/paypal\/approve\?order=SIM/);
    expect(sim.find(card.providerOrderId)).toMatchObject({ amountJpy: 1736n, reference: card.id });

    const early = (await complete(card.id, owner.token)).data.paymentCardComplete;
    expect(early.userErrors[0]).toMatchObject({ code: 'NOT_APPROVED', field: ['input', 'paymentId'] });

    sim.approve(card.providerOrderId);
    const done = (await complete(card.id, owner.token)).data.paymentCardComplete;
    expect(done.userErrors).toEqual([]);
    expect(done.payment).toMatchObject({ status: 'SETTLED', appliedAmount: { amount: '1637' }, approvalUrl: null, captureId: expect.stringMatching(/^SIMCAP/) });
    expect(done.invoice).toMatchObject({ status: 'PAID', amountPaid: { amount: String(TOTAL) } });
    expect(done.order.status).toBe('PURCHASING');
    const again = (await complete(card.id, owner.token)).data.paymentCardComplete;
    expect(again.userErrors).toEqual([]);
    expect(again.payment.captureId).toBe(done.payment.captureId);
    expect(await settledCount(order.id)).toEqual({ settled: 1, captures: 1, paid_events: 1, amount_paid: String(TOTAL) });
  });

  it('keeps a declined payment PENDING (CARD_DECLINED) so the buyer can approve with another card', async () => {
    const order = await quoted(alice);
    const card = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    expect(card).toMatchObject({ amount: { amount: String(TOTAL) }, fee: { amount: '135' }, total: { amount: String(TOTAL + 135) } });
    sim.approve(card.providerOrderId);
    sim.failNextCapture(new CardProviderError('DECLINED', 'Simulator: declined', { issue: 'INSTRUMENT_DECLINED' }));
    const declined = (await complete(card.id)).data.paymentCardComplete;
    expect(declined.userErrors[0].code).toBe('CARD_DECLINED');
    sim.approve(card.providerOrderId);
    expect((await complete(card.id)).data.paymentCardComplete.payment.status).toBe('SETTLED');
  });

  it('maps an unreachable provider to PAYMENT_PROVIDER_UNAVAILABLE and a card payment of another method’s call to NOT_A_CARD_PAYMENT', async () => {
    const order = await quoted(alice);
    const card = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    sim.approve(card.providerOrderId);
    sim.failNextCapture(new CardProviderError('UNAVAILABLE', 'Simulator: down'));
    expect((await complete(card.id)).data.paymentCardComplete.userErrors[0].code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    // Whether PayPal took the money is unknown: the payment stays CAPTURING, so a new invoicePay cannot replace it…
    const again = await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'BANK_TRANSFER' });
    expect(again.data.invoicePay.userErrors[0].code).toBe('PAYMENT_IN_PROGRESS');
    // …until the recovery sweep has asked PayPal (a minute later), which settles it once.
    expect(await recoverCardCaptures(gw.app, new Date(gw.clock.now().getTime() + 2 * 60_000))).toBe(1);
    expect((await complete(card.id)).data.paymentCardComplete.payment.status).toBe('SETTLED');
    const other = await quoted(alice);
    const transfer = (await invoicePay(gw, alice, { invoiceId: other.firstInvoice.id, useDeposit: false, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    expect((await complete(transfer.id)).data.paymentCardComplete.userErrors[0].code).toBe('NOT_A_CARD_PAYMENT');
  });

  it('charges nothing when the invoice went down after the card page opened: the payment is CANCELLED', async () => {
    const order = await submitOrder(gw, alice, [itemInput(1, 2)]);
    const q = await quoteOrder(gw, clerk, order, ['100'], ['0']);
    const card = (await invoicePay(gw, alice, { invoiceId: q.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    expect((await gw.gql(CHANGE, { input: { itemId: q.items[0].id, quantity: 1 } }, { token: alice.token })).data.orderItemQuantityChange.userErrors).toEqual([]);
    sim.approve(card.providerOrderId);
    const done = (await complete(card.id)).data.paymentCardComplete;
    expect(done.payment).toMatchObject({ status: 'CANCELLED', failureReason: expect.stringContaining('nothing was charged') });
    expect(sim.find(card.providerOrderId)!.capture).toBeNull();
  });

  it('settles once when the return and the webhook each arrive five times at once', async () => {
    const order = await quoted(alice);
    const card = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    sim.approve(card.providerOrderId);

    const approved = orderApprovedEvent(card.providerOrderId, card.id, card.total.amount);
    const round1 = await Promise.all([
      ...Array.from({ length: 5 }, () => complete(card.id)),
      ...Array.from({ length: 5 }, () => deliver(gw, sim.signedWebhook(approved))),
    ]);
    const captured = sim.find(card.providerOrderId)!.capture!;
    const round2 = await Promise.all([
      ...Array.from({ length: 5 }, () => complete(card.id)),
      ...Array.from({ length: 5 }, () => deliver(gw, sim.captureCompletedWebhook(card.providerOrderId))),
    ]);

    for (const r of [...round1, ...round2]) {
      if (r instanceof Response) expect(r.status).toBe(200);
      else expect(r.data.paymentCardComplete.userErrors).toEqual([]);
    }
    expect(await settledCount(order.id)).toEqual({ settled: 1, captures: 1, paid_events: 1, amount_paid: String(TOTAL) });
    const [row] = await gw.app.ds.query(`SELECT capture_id FROM payment WHERE id = $1`, [card.id]);
    expect(row.capture_id).toBe(captured.captureId);
  });

  it('settles from the capture webhook when the capture’s answer was lost, racing the return, once', async () => {
    const order = await quoted(alice);
    const card = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    sim.approve(card.providerOrderId);
    // Our capture reached PayPal but the answer never came back (a crash, a timeout).
    await sim.captureOrder({ providerOrderId: card.providerOrderId, requestId: `capture:${card.id}` });

    await Promise.all([
      ...Array.from({ length: 5 }, () => deliver(gw, sim.captureCompletedWebhook(card.providerOrderId))),
      ...Array.from({ length: 5 }, () => complete(card.id)),
    ]);

    expect(await settledCount(order.id)).toEqual({ settled: 1, captures: 1, paid_events: 1, amount_paid: String(TOTAL) });
  });

  it('refuses an unsigned webhook (400), ignores unrelated events and unknown payments (200)', async () => {
    const bad = await fetch(webhookUrl(gw), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'x', event_type: 'PAYMENT.CAPTURE.COMPLETED' }) });
    expect(bad.status).toBe(400);
    const other = await deliver(gw, sim.signedWebhook({ id: 'WH-1', event_type: 'BILLING.SUBSCRIPTION.CREATED', resource_type: 'subscription', resource: {} }));
    expect([other.status, await other.json()]).toEqual([200, { status: 'ignored' }]);
    const unknown = await deliver(gw, sim.signedWebhook(orderApprovedEvent('SIMNOSUCHORDER', randomUUID(), '100')));
    expect([unknown.status, await unknown.json()]).toEqual([200, { status: 'unknown-payment' }]);
  });

  it('makes a second payment with the same capture id impossible in the database', async () => {
    const order = await quoted(alice);
    const card = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    sim.approve(card.providerOrderId);
    const done = (await complete(card.id)).data.paymentCardComplete.payment;
    const other = await quoted(alice);
    const second = (await invoicePay(gw, alice, { invoiceId: other.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    await expect(gw.app.ds.query(`UPDATE payment SET capture_id = $1 WHERE id = $2`, [done.captureId, second.id])).rejects.toThrow(/payment_capture_key/);
    await expect(gw.app.ds.query(`DELETE FROM payment WHERE id = $1`, [second.id])).rejects.toThrow(/not allowed/);
  });

  it('tops up the deposit by card: the fee on top, the amount credited once captured', async () => {
    const owner = await customer(gw);
    const created = (await gw.gql(TOP_UP, { input: { amount: { amount: '5000', currency: 'JPY' }, method: 'CARD', idempotencyKey: randomUUID() } }, { token: owner.token })).data.depositTopUp;
    expect(created.payment).toMatchObject({ purpose: 'DEPOSIT_TOP_UP', status: 'PENDING', amount: { amount: '5000' }, fee: { amount: '220' }, total: { amount: '5220' } });
    expect(created.approvalUrl).toMatch(/approve\?order=SIM/);
    sim.approve(created.payment.providerOrderId);
    const done = (await complete(created.payment.id, owner.token)).data.paymentCardComplete;
    expect(done.payment.status).toBe('SETTLED');
    const entries = await gw.app.ds.query(`SELECT kind, amount FROM deposit_entry WHERE account_id = $1`, [owner.id]);
    expect(entries).toEqual([{ kind: 'TOP_UP', amount: '5000' }]);
    expect((await complete(created.payment.id, alice.token)).data.paymentCardComplete.userErrors[0].code).toBe('NOT_FOUND');
  });
});

describe('card payments through the real PayPal client (local fake PayPal)', () => {
  let fake: FakePayPal;
  let pp: TestGateway;
  let buyer: Actor;
  let op: Actor;
  beforeAll(async () => {
    fake = await FakePayPal.start();
    pp = await startTestGateway({
      PAYPAL_CLIENT_ID: fake.clientId,
      PAYPAL_CLIENT_SECRET: fake.clientSecret,
      PAYPAL_WEBHOOK_ID: fake.webhookId,
      PAYPAL_API_BASE: fake.url,
      CARD_RETURN_URL: 'https://shop.example.jp/pay/return',
    });
    [buyer, op] = await Promise.all([customer(pp), staff(pp)]);
  });
  afterAll(async () => {
    await pp.close();
    await fake.close();
  });

  it('creates the PayPal order with our request ids, captures on the return, and ignores the later webhook', async () => {
    expect(pp.app.cardProvider.name).toBe('paypal');
    const order = await quoted(buyer, pp, op);
    const paid = (await invoicePay(pp, buyer, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay;
    expect(paid.userErrors).toEqual([]);
    const card = paid.payments[0];
    expect(paid.approvalUrl).toMatch(/^https:\/\/www\.sandbox\.paypal\.com\/checkoutnow\?token=/);
    const [create] = fake.requestsTo('/v2/checkout/orders');
    expect(create.headers['paypal-request-id']).toBe(`order:${card.id}`);
    const sent = JSON.parse(create.body);
    expect(sent.purchase_units[0]).toMatchObject({ custom_id: card.id, amount: { currency_code: 'JPY', value: String(TOTAL + 135) } });
    expect(sent.payment_source.paypal.experience_context.return_url).toBe(`https://shop.example.jp/pay/return?payment=${card.id}`);

    fake.approve(card.providerOrderId);
    const done = (await complete(card.id, buyer.token, pp)).data.paymentCardComplete;
    expect(done.userErrors).toEqual([]);
    expect(done.payment.status).toBe('SETTLED');
    expect(done.invoice.status).toBe('PAID');
    expect(fake.requestsTo(`/v2/checkout/orders/${card.providerOrderId}/capture`)[0].headers['paypal-request-id']).toBe(`capture:${card.id}`);

    const hook = await deliver(pp, fake.signedWebhook(fake.captureEvent(card.providerOrderId)));
    expect(hook.status).toBe(200);
    const [row] = await pp.app.ds.query(`SELECT count(*)::int AS n FROM order_event WHERE order_id = $1 AND type = 'INVOICE_PAID'`, [order.id]);
    expect(row.n).toBe(1);
  });

  it('settles from the capture webhook alone and answers 400 to a forged one', async () => {
    const order = await quoted(buyer, pp, op);
    const card = (await invoicePay(pp, buyer, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    fake.approve(card.providerOrderId);
    await pp.app.cardProvider.captureOrder({ providerOrderId: card.providerOrderId, requestId: `capture:${card.id}` });
    const forged = fake.signedWebhook(fake.captureEvent(card.providerOrderId));
    forged.headers['paypal-transmission-sig'] = 'AAAA';
    expect((await deliver(pp, forged)).status).toBe(400);
    expect((await deliver(pp, fake.signedWebhook(fake.captureEvent(card.providerOrderId)))).status).toBe(200);
    const [row] = await pp.app.ds.query(`SELECT status FROM payment WHERE id = $1`, [card.id]);
    expect(row.status).toBe('SETTLED');
  });

  it('holds a capture PayPal keeps PENDING (money on its way: no item changes), and settles it from the later webhook', async () => {
    const order = await quoted(buyer, pp, op);
    const card = (await invoicePay(pp, buyer, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD' })).data.invoicePay.payments[0];
    fake.approve(card.providerOrderId);
    fake.nextCaptureStatus('PENDING');
    const held = (await complete(card.id, buyer.token, pp)).data.paymentCardComplete;
    expect(held.userErrors).toEqual([]);
    expect(held.payment).toMatchObject({ status: 'PENDING', captureId: expect.any(String), approvalUrl: null });
    const change = await pp.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 2 } }, { token: buyer.token });
    expect(change.data.orderItemQuantityChange.userErrors[0].code).toBe('PAYMENT_IN_PROGRESS');
    expect((await invoicePay(pp, buyer, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.userErrors[0].code).toBe('PAYMENT_IN_PROGRESS');
    const event = fake.captureEvent(card.providerOrderId);
    event.resource.status = 'COMPLETED';
    expect((await deliver(pp, fake.signedWebhook(event))).status).toBe(200);
    const [row] = await pp.app.ds.query(`SELECT status, capture_id FROM payment WHERE id = $1`, [card.id]);
    expect(row).toEqual({ status: 'SETTLED', capture_id: held.payment.captureId });
  });

  it('answers 503 when PayPal cannot verify a webhook, so PayPal delivers it again', async () => {
    fake.failNext(/verify-webhook-signature/, 503, 3);
    const res = await deliver(pp, fake.signedWebhook({ id: 'WH-X', event_type: 'PAYMENT.CAPTURE.COMPLETED', resource_type: 'capture', resource: {} }));
    expect(res.status).toBe(503);
  });

  it('keeps the payment when PayPal is down at creation, and a retry with the same key gets the approval URL', async () => {
    const order = await quoted(buyer, pp, op);
    const key = randomUUID();
    fake.failNext(/^\/v2\/checkout\/orders$/, 500, 3);
    const down = (await invoicePay(pp, buyer, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD', idempotencyKey: key })).data.invoicePay;
    expect(down.userErrors[0].code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    expect(down.payments[0]).toMatchObject({ status: 'PENDING', approvalUrl: null, providerOrderId: null });
    const retry = (await invoicePay(pp, buyer, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'CARD', idempotencyKey: key })).data.invoicePay;
    expect(retry.userErrors).toEqual([]);
    expect(retry.payments[0].id).toBe(down.payments[0].id);
    expect(retry.approvalUrl).toMatch(/checkoutnow\?token=/);
  });
});
