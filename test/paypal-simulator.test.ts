import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { CardProviderError, type CreateCardOrder } from '../src/modules/payments/providers/card-provider';
import { SimulatorCardProvider } from '../src/modules/payments/providers/simulator-provider';
import { simulatorRouter } from '../src/modules/payments/providers/simulator-router';
import { FakePayPal } from './support/fake-paypal';
import { startTestGateway } from './support/gateway';

// The simulator used when no PayPal credentials are set: its approval page over real HTTP.

let server: Server;
let base: string;
let simulator: SimulatorCardProvider;

beforeAll(async () => {
  simulator = new SimulatorCardProvider({ baseUrl: 'http://placeholder' });
  const http = express();
  http.use(simulatorRouter(simulator));
  server = http.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  simulator.setBaseUrl(base);
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function orderInput(overrides: Partial<CreateCardOrder> = {}): CreateCardOrder {
  return {
    amountJpy: 12_345n,
    reference: randomUUID(),
    description: 'Invoice 1 of order A-1001',
    returnUrl: 'https://shop.example.jp/pay/return?invoice=1',
    cancelUrl: 'https://shop.example.jp/pay/cancel',
    requestId: randomUUID(),
    ...overrides,
  };
}

/** What the buyer's browser does on pressing a button of the approval page. */
function press(orderId: string, action: 'approve' | 'cancel') {
  return fetch(`${base}/simulator/paypal/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ order: orderId, action }).toString(),
    redirect: 'manual',
  });
}

async function rejection(promise: Promise<unknown>): Promise<CardProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CardProviderError);
  return error as CardProviderError;
}

describe('payment simulator', () => {
  it('shows an approval page on the gateway itself, clearly labelled as a simulator', async () => {
    // given an order
    const created = await simulator.createOrder(orderInput({ description: 'Invoice <b>1</b>' }));
    expect(simulator.name).toBe('simulator');
    expect(created.approvalUrl).toBe(`${base}/simulator/paypal/approve?order=${created.providerOrderId}`);

    // when the buyer opens the approval URL
    const res = await fetch(created.approvalUrl);
    const html = await res.text();

    // then the page says it is a simulator and offers Approve and Cancel, with the text escaped
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('PAYMENT SIMULATOR — no real money');
    expect(html).toContain('¥12,345');
    expect(html).toContain('Invoice &#60;b&#62;1&#60;/b&#62;');
    expect(html).toMatch(/<button name="action" value="approve">Approve<\/button>/);
    expect(html).toMatch(/<button name="action" value="cancel"[^>]*>Cancel<\/button>/);
  });

  it('refuses a capture before approval with NOT_APPROVED', async () => {
    const created = await simulator.createOrder(orderInput());
    const error = await rejection(simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() }));
    expect(error.code).toBe('NOT_APPROVED');
  });

  it('sends the buyer back to the return URL on Approve; capture then works, and repeats give the same capture', async () => {
    // given an order the buyer approves
    const input = orderInput({ amountJpy: 9_007_199_254_740_993n });
    const created = await simulator.createOrder(input);
    const res = await press(created.providerOrderId, 'approve');

    // then the browser goes to the return URL with PayPal's token parameter
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe('https://shop.example.jp/pay/return');
    expect(back.searchParams.get('invoice')).toBe('1');
    expect(back.searchParams.get('token')).toBe(created.providerOrderId);
    expect(back.searchParams.get('PayerID')).toBeTruthy();

    // when captured, then captured again with the same and with another request id
    const requestId = randomUUID();
    const capture = await simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId });
    const retried = await simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId });
    const another = await simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });

    // then it is one capture, for the exact amount, tied to our payment
    expect(capture).toMatchObject({ status: 'COMPLETED', amountJpy: 9_007_199_254_740_993n, reference: input.reference });
    expect(retried).toEqual(capture);
    expect(another).toEqual(capture);
    expect(await simulator.getOrder(created.providerOrderId)).toEqual({
      providerOrderId: created.providerOrderId,
      status: 'COMPLETED',
      amountJpy: 9_007_199_254_740_993n,
      reference: input.reference,
      capture,
    });
    // and the page no longer offers to approve
    expect(await (await fetch(created.approvalUrl)).text()).toContain('already captured');
  });

  it('sends the buyer to the cancel URL on Cancel, and the order stays uncapturable', async () => {
    const created = await simulator.createOrder(orderInput());
    const res = await press(created.providerOrderId, 'cancel');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://shop.example.jp/pay/cancel?token=${created.providerOrderId}`);
    const error = await rejection(simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() }));
    expect(error.code).toBe('NOT_APPROVED');
  });

  it('answers 404 for an unknown order, and NOT_FOUND to the API', async () => {
    expect((await fetch(`${base}/simulator/paypal/approve?order=SIMNOPE`)).status).toBe(404);
    expect((await press('SIMNOPE', 'approve')).status).toBe(404);
    expect((await rejection(simulator.getOrder('SIMNOPE'))).code).toBe('NOT_FOUND');
  });

  it('returns the same order when creation is repeated with the same request id', async () => {
    const input = orderInput();
    expect(await simulator.createOrder(input)).toEqual(await simulator.createOrder(input));
  });

  it('can be told to decline the next capture; the buyer must then approve again', async () => {
    const created = await simulator.createOrder(orderInput());
    simulator.approve(created.providerOrderId);
    simulator.failNextCapture(new CardProviderError('DECLINED', 'Simulated decline.'));

    const declined = await rejection(simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() }));
    expect(declined.code).toBe('DECLINED');
    expect((await rejection(simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() }))).code).toBe('NOT_APPROVED');

    simulator.approve(created.providerOrderId);
    expect((await simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() })).status).toBe('COMPLETED');
  });

  it('verifies webhooks it signed itself and refuses tampered ones', async () => {
    const input = orderInput({ amountJpy: 5_000n });
    const created = await simulator.createOrder(input);
    simulator.approve(created.providerOrderId);
    const capture = await simulator.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });
    const { headers, rawBody } = simulator.captureCompletedWebhook(created.providerOrderId);

    expect(await simulator.verifyWebhook({ headers, rawBody })).toMatchObject({
      verified: true,
      event: {
        eventType: 'PAYMENT.CAPTURE.COMPLETED',
        providerOrderId: created.providerOrderId,
        captureId: capture.captureId,
        captureStatus: 'COMPLETED',
        amountJpy: 5_000n,
        reference: input.reference,
      },
    });
    const tampered = rawBody.toString('utf8').replace('"5000"', '"500000"');
    expect(await simulator.verifyWebhook({ headers, rawBody: tampered })).toEqual({ verified: false });
    expect(await simulator.verifyWebhook({ headers: {}, rawBody })).toEqual({ verified: false });
  });
});

describe('in the gateway', () => {
  it('serves the simulator pages, with approval links on the port it really listens on', async () => {
    const gw = await startTestGateway();
    try {
      expect(gw.app.cardProvider.name).toBe('simulator');
      const created = await gw.app.cardProvider.createOrder(orderInput());
      expect(created.approvalUrl.startsWith(`${new URL(gw.url).origin}/simulator/paypal/approve?order=`)).toBe(true);
      const res = await fetch(created.approvalUrl);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('PAYMENT SIMULATOR — no real money');
    } finally {
      await gw.close();
    }
  });

  it('has no simulator page at all when PayPal is configured', async () => {
    const fake = await FakePayPal.start();
    const gw = await startTestGateway({
      PAYPAL_CLIENT_ID: fake.clientId,
      PAYPAL_CLIENT_SECRET: fake.clientSecret,
      PAYPAL_WEBHOOK_ID: fake.webhookId,
      PAYPAL_API_BASE: fake.url,
    });
    try {
      expect(gw.app.cardProvider.name).toBe('paypal');
      const res = await fetch(`${new URL(gw.url).origin}/simulator/paypal/approve?order=SIM1`);
      expect(res.status).toBe(404);
    } finally {
      await gw.close();
      await fake.close();
    }
  });
});
