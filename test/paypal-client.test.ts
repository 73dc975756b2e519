import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { ConfigError, loadConfig } from '../src/app/config';
import { CardProviderError, type CreateCardOrder } from '../src/modules/payments/providers/card-provider';
import { createCardProvider } from '../src/modules/payments/providers/create-card-provider';
import { PayPalCardProvider, type PayPalSettings } from '../src/modules/payments/providers/paypal-client';
import { FakePayPal } from './support/fake-paypal';

// The real PayPal client against a local server speaking PayPal's documented REST API.

let fake: FakePayPal;
let paypal: PayPalCardProvider;

beforeEach(async () => {
  fake = await FakePayPal.start();
  paypal = client();
});
afterEach(() => fake.close());

function client(overrides: Partial<PayPalSettings> = {}) {
  return new PayPalCardProvider({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    webhookId: fake.webhookId,
    apiBase: fake.url,
    timeoutMs: 2_000,
    retryBaseMs: 5,
    ...overrides,
  });
}

function orderInput(overrides: Partial<CreateCardOrder> = {}): CreateCardOrder {
  return {
    amountJpy: 12_345n,
    reference: randomUUID(),
    description: 'Invoice 1 of order A-1001',
    returnUrl: 'https://shop.example.jp/pay/return',
    cancelUrl: 'https://shop.example.jp/pay/cancel',
    requestId: randomUUID(),
    ...overrides,
  };
}

async function approvedOrder(overrides: Partial<CreateCardOrder> = {}) {
  const input = orderInput(overrides);
  const created = await paypal.createOrder(input);
  fake.approve(created.providerOrderId);
  return { input, created };
}

async function rejection(promise: Promise<unknown>): Promise<CardProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CardProviderError);
  return error as CardProviderError;
}

describe('OAuth2 access token', () => {
  it('is fetched once with the client credentials and reused, also by concurrent calls', async () => {
    // given an order, when several calls run, some at the same time
    const { created } = await approvedOrder();
    await Promise.all([1, 2, 3, 4].map(() => paypal.getOrder(created.providerOrderId)));
    await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });

    // then one token served them all
    expect(fake.tokensIssued).toBe(1);
    const [tokenRequest] = fake.requestsTo('/v1/oauth2/token');
    expect(tokenRequest.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`);
    expect(tokenRequest.body).toBe('grant_type=client_credentials');
    expect(fake.requests.filter((r) => r.path !== '/v1/oauth2/token').every((r) => /^Bearer A21AA/.test(r.headers.authorization ?? ''))).toBe(true);
  });

  it('is refreshed once when PayPal answers 401, and the call is repeated', async () => {
    // given a client holding a token that PayPal has since expired
    const { created } = await approvedOrder();
    fake.expireTokens();

    // when it calls again
    const order = await paypal.getOrder(created.providerOrderId);

    // then it got a new token and the call succeeded on the second try
    expect(order.status).toBe('APPROVED');
    expect(fake.tokensIssued).toBe(2);
    expect(fake.requestsTo(`/v2/checkout/orders/${created.providerOrderId}`, 'GET')).toHaveLength(2);
  });

  it('is renewed shortly before expires_in, without waiting for a 401', async () => {
    // given tokens that live one second (renewed halfway for such short ones)
    fake.tokenTtlSeconds = 1;
    const created = await paypal.createOrder(orderInput());

    // when the client calls again after 0.6 s
    await new Promise((resolve) => setTimeout(resolve, 600));
    await paypal.getOrder(created.providerOrderId);

    // then it fetched a fresh token first and PayPal never answered 401
    expect(fake.tokensIssued).toBe(2);
    expect(fake.requestsTo(/^\/v2\//, 'GET')).toHaveLength(1);
  });

  it('refuses wrong credentials with AUTH_FAILED and never echoes the secret', async () => {
    const secret = 'wrong-secret-3f9a7c';
    const error = await rejection(client({ clientSecret: secret }).createOrder(orderInput()));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toMatch(/PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET/);
    const text = `${error.message} ${JSON.stringify(error)} ${error.stack}`;
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(`${fake.clientId}:${secret}`).toString('base64'));
  });
});

describe('orders: create, approve, capture', () => {
  it('creates a JPY order in whole yen with our payment id and captures the exact amount', async () => {
    // given an amount beyond a float's exact range, to prove no float is involved
    const input = orderInput({ amountJpy: 9_007_199_254_740_993n });

    // when the order is created, approved by the buyer and captured
    const created = await paypal.createOrder(input);
    fake.approve(created.providerOrderId);
    const capture = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });

    // then PayPal got whole yen as a string, our reference and the return URLs
    const [create] = fake.requestsTo('/v2/checkout/orders');
    const body = JSON.parse(create.body);
    expect(create.headers['paypal-request-id']).toBe(input.requestId);
    expect(body.intent).toBe('CAPTURE');
    expect(body.purchase_units[0]).toMatchObject({
      reference_id: input.reference,
      custom_id: input.reference,
      amount: { currency_code: 'JPY', value: '9007199254740993' },
    });
    expect(body.payment_source.paypal.experience_context).toMatchObject({ return_url: input.returnUrl, cancel_url: input.cancelUrl });
    expect(created.status).toBe('PAYER_ACTION_REQUIRED');
    expect(created.approvalUrl).toBe(`https://www.sandbox.paypal.com/checkoutnow?token=${created.providerOrderId}`);
    // and the capture is complete, for exactly that amount, tied to our payment
    expect(capture).toEqual({
      providerOrderId: created.providerOrderId,
      captureId: fake.order(created.providerOrderId)!.purchase_units[0].payments.captures[0].id,
      status: 'COMPLETED',
      amountJpy: 9_007_199_254_740_993n,
      reference: input.reference,
    });
    expect(await paypal.getOrder(created.providerOrderId)).toEqual({
      providerOrderId: created.providerOrderId,
      status: 'COMPLETED',
      amountJpy: 9_007_199_254_740_993n,
      reference: input.reference,
      capture,
    });
  });

  it('returns the same order when creation is repeated with the same request id', async () => {
    const input = orderInput();
    const first = await paypal.createOrder(input);
    const again = await paypal.createOrder(input);
    expect(again).toEqual(first);
  });

  it('yields the same capture when a capture is retried with the same request id', async () => {
    const { created } = await approvedOrder();
    const requestId = randomUUID();
    const first = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId });
    const retried = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId });
    expect(retried).toEqual(first);
    expect(fake.order(created.providerOrderId)!.purchase_units[0].payments.captures).toHaveLength(1);
  });

  it('returns the existing capture when the order was already captured under another request id', async () => {
    // given an order captured by someone else (e.g. a webhook handler)
    const { created } = await approvedOrder();
    const first = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });

    // when captured again with a new request id, PayPal says ORDER_ALREADY_CAPTURED
    const second = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });

    // then the client answers with the order's existing capture
    expect(second).toEqual(first);
    expect(fake.requestsTo(`/v2/checkout/orders/${created.providerOrderId}`, 'GET')).toHaveLength(1);
  });

  it('retries a 500 with the same PayPal-Request-Id and succeeds', async () => {
    const { created } = await approvedOrder();
    fake.failNext(/\/capture$/, 500);

    const capture = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: 'capture-1' });

    expect(capture.status).toBe('COMPLETED');
    const attempts = fake.requestsTo(/\/capture$/);
    expect(attempts.map((r) => r.headers['paypal-request-id'])).toEqual(['capture-1', 'capture-1']);
  });

  it('retries a capture whose answer was lost to a timeout, and PayPal replays the one capture', async () => {
    // given PayPal captures at once but answers after 1 s, and a client that waits 300 ms
    const { created } = await approvedOrder();
    fake.delayNext(/\/capture$/, 1_000);
    const impatient = client({ timeoutMs: 300 });

    // when the client captures
    const started = Date.now();
    const capture = await impatient.captureOrder({ providerOrderId: created.providerOrderId, requestId: 'capture-slow' });

    // then the retry (same request id) got the replay of the one capture that happened
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(capture.captureId).toBe(fake.order(created.providerOrderId)!.purchase_units[0].payments.captures[0].id);
    expect(fake.order(created.providerOrderId)!.purchase_units[0].payments.captures).toHaveLength(1);
    expect(fake.requestsTo(/\/capture$/).map((r) => r.headers['paypal-request-id'])).toEqual(['capture-slow', 'capture-slow']);
  });

  it('gives up after a bounded number of attempts with a retryable UNAVAILABLE', async () => {
    const { created } = await approvedOrder();
    fake.failNext(/\/capture$/, 503, 10);

    const error = await rejection(paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() }));

    expect(error.code).toBe('UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(fake.requestsTo(/\/capture$/)).toHaveLength(3);
  });

  it('reports an unreachable PayPal as UNAVAILABLE after its retries', async () => {
    const gone = await FakePayPal.start();
    await gone.close();
    const error = await rejection(client({ apiBase: gone.url }).getOrder('5O190127TN364715T'));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(/network error.*after 3 attempts/);
  });

  it('refuses a capture before the buyer approved with NOT_APPROVED', async () => {
    const created = await paypal.createOrder(orderInput());
    const error = await rejection(paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() }));
    expect(error).toMatchObject({ code: 'NOT_APPROVED', details: { httpStatus: 422, issue: 'ORDER_NOT_APPROVED' } });
    expect(error.message).toMatch(/debug id/);
  });

  it('reports a declined card as DECLINED', async () => {
    const { created } = await approvedOrder();
    fake.failNextCapture('INSTRUMENT_DECLINED');
    const error = await rejection(paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() }));
    expect(error).toMatchObject({ code: 'DECLINED', details: { issue: 'INSTRUMENT_DECLINED' } });
  });

  it('reports a capture PayPal holds for review as PENDING, not as paid', async () => {
    const { created } = await approvedOrder();
    fake.nextCaptureStatus('PENDING');
    const capture = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });
    expect(capture.status).toBe('PENDING');
  });

  it('answers NOT_FOUND for an unknown order', async () => {
    expect((await rejection(paypal.getOrder('5O190127TN364715T'))).code).toBe('NOT_FOUND');
  });

  it('refuses a non-positive amount before calling PayPal', async () => {
    const error = await rejection(paypal.createOrder(orderInput({ amountJpy: 0n })));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(fake.requests).toHaveLength(0);
  });

  it('sends PayPal-Request-Id on every POST', async () => {
    const { created } = await approvedOrder();
    await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });
    const { headers, rawBody } = fake.signedWebhook(fake.captureEvent(created.providerOrderId));
    await paypal.verifyWebhook({ headers, rawBody });

    const posts = fake.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/v1/oauth2/token', '/v2/checkout/orders', '/v1/notifications/verify-webhook-signature']),
    );
    for (const post of posts) expect(post.headers['paypal-request-id']).toMatch(/\S/);
  });
});

describe('webhooks', () => {
  async function capturedOrder() {
    const { input, created } = await approvedOrder({ amountJpy: 54_321n });
    const capture = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });
    return { input, created, capture };
  }

  it('accepts an event PayPal signed and reads the capture from it', async () => {
    // given a PAYMENT.CAPTURE.COMPLETED delivery
    const { input, created, capture } = await capturedOrder();
    const event = fake.captureEvent(created.providerOrderId);
    const { headers, rawBody } = fake.signedWebhook(event);

    // when verified
    const result = await paypal.verifyWebhook({ headers, rawBody });

    // then PayPal confirmed it and the event names our payment, the order, the capture and the amount
    expect(result.verified).toBe(true);
    expect(result.event).toMatchObject({
      id: event.id,
      eventType: 'PAYMENT.CAPTURE.COMPLETED',
      providerOrderId: created.providerOrderId,
      captureId: capture.captureId,
      captureStatus: 'COMPLETED',
      amountJpy: 54_321n,
      reference: input.reference,
    });
    // and the event went back to PayPal byte for byte, with our webhook id and PayPal's headers
    const [verify] = fake.requestsTo('/v1/notifications/verify-webhook-signature');
    expect(verify.body).toContain(`"webhook_event":${rawBody.toString('utf8')}`);
    expect(JSON.parse(verify.body)).toMatchObject({
      webhook_id: fake.webhookId,
      transmission_id: headers['paypal-transmission-id'],
      transmission_sig: headers['paypal-transmission-sig'],
      cert_url: headers['paypal-cert-url'],
      auth_algo: 'SHA256withRSA',
    });
  });

  it('refuses a tampered body', async () => {
    const { created } = await capturedOrder();
    const { headers, rawBody } = fake.signedWebhook(fake.captureEvent(created.providerOrderId));
    const tampered = rawBody.toString('utf8').replace('"value":"54321"', '"value":"99999999"');
    expect(tampered).not.toBe(rawBody.toString('utf8'));

    expect(await paypal.verifyWebhook({ headers, rawBody: tampered })).toEqual({ verified: false });
  });

  it("refuses an event signed for another webhook id", async () => {
    const { created } = await capturedOrder();
    const delivery = fake.signedWebhook(fake.captureEvent(created.providerOrderId));
    expect(await client({ webhookId: 'WHSOMEONEELSE' }).verifyWebhook(delivery)).toEqual({ verified: false });
  });

  it("refuses a delivery without PayPal's headers, or not JSON, without asking PayPal", async () => {
    expect(await paypal.verifyWebhook({ headers: {}, rawBody: '{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED"}' })).toEqual({ verified: false });
    const { headers } = fake.signedWebhook({ id: 'WH-2', event_type: 'X' });
    expect(await paypal.verifyWebhook({ headers, rawBody: 'not json' })).toEqual({ verified: false });
    expect(fake.requestsTo('/v1/notifications/verify-webhook-signature')).toHaveLength(0);
  });

  it('throws UNAVAILABLE when PayPal cannot be asked, so the delivery is answered 5xx and retried', async () => {
    const delivery = fake.signedWebhook({ id: 'WH-3', event_type: 'PAYMENT.CAPTURE.COMPLETED', resource: {} });
    fake.failNext(/verify-webhook-signature/, 503, 10);
    expect((await rejection(paypal.verifyWebhook(delivery))).code).toBe('UNAVAILABLE');
  });
});

describe('configuration', () => {
  const silent = pino({ level: 'silent' });

  it('names the missing PayPal variable when only some are set', () => {
    expect(() => loadConfig({ PAYPAL_CLIENT_ID: 'id' })).toThrow(ConfigError);
    expect(() => loadConfig({ PAYPAL_CLIENT_ID: 'id' })).toThrow(/PAYPAL_CLIENT_SECRET: required[\s\S]*PAYPAL_WEBHOOK_ID: required/);
    let message = '';
    try {
      loadConfig({ PAYPAL_CLIENT_ID: 'id', PAYPAL_CLIENT_SECRET: 'secret-value' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PAYPAL_WEBHOOK_ID: required because PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET are set/);
    expect(message).not.toMatch(/PAYPAL_CLIENT_SECRET: required/);
    expect(message).not.toContain('secret-value');
  });

  it('refuses production without PayPal, since the simulator takes no money', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/PAYPAL_CLIENT_ID: required when NODE_ENV=production/);
  });

  it('refuses a PAYPAL_API_BASE or PUBLIC_BASE_URL that is not a URL', () => {
    expect(() => loadConfig({ PAYPAL_API_BASE: 'api-m.paypal.com' })).toThrow(/PAYPAL_API_BASE/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'shop.example.jp' })).toThrow(/PUBLIC_BASE_URL/);
  });

  it('defaults to the PayPal sandbox and to this host for public URLs', () => {
    const config = loadConfig({ PORT: '4010' });
    expect(config.PAYPAL_API_BASE).toBe('https://api-m.sandbox.paypal.com');
    expect(config.publicBaseUrl).toBe('http://localhost:4010');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://pay.example.jp/' }).publicBaseUrl).toBe('https://pay.example.jp');
  });

  it('chooses PayPal when its credentials are set and the simulator otherwise', () => {
    const withPayPal = loadConfig({
      PAYPAL_CLIENT_ID: fake.clientId,
      PAYPAL_CLIENT_SECRET: fake.clientSecret,
      PAYPAL_WEBHOOK_ID: fake.webhookId,
      PAYPAL_API_BASE: fake.url,
    });
    expect(createCardProvider(withPayPal, silent).name).toBe('paypal');
    expect(createCardProvider(loadConfig({}), silent).name).toBe('simulator');
  });
});

describe('refunds of a capture (Payments v2)', () => {
  it('refunds part of a capture, replays a request id, refuses more than is left, and refunds the rest', async () => {
    const { created } = await approvedOrder({ amountJpy: 10_000n });
    const capture = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });
    const requestId = `refund:${randomUUID()}`;

    const first = await paypal.refundCapture({ captureId: capture.captureId, amountJpy: 3_000n, requestId, reference: 'r-1', noteToPayer: 'ご注文の返金' });
    const replay = await paypal.refundCapture({ captureId: capture.captureId, amountJpy: 3_000n, requestId, reference: 'r-1' });

    expect(first).toEqual({ refundId: expect.any(String), status: 'COMPLETED', amountJpy: 3_000n });
    expect(replay).toEqual(first);
    const [sent] = fake.requestsTo(`/v2/payments/captures/${capture.captureId}/refund`);
    expect(sent.headers['paypal-request-id']).toBe(requestId);
    expect(JSON.parse(sent.body)).toEqual({ amount: { currency_code: 'JPY', value: '3000' }, custom_id: 'r-1', invoice_id: 'refund-r-1', note_to_payer: 'ご注文の返金' });
    const tooMuch = await rejection(paypal.refundCapture({ captureId: capture.captureId, amountJpy: 7_001n, requestId: randomUUID(), reference: 'r-2' }));
    expect(tooMuch).toMatchObject({ code: 'REFUND_REFUSED', details: { issue: 'REFUND_AMOUNT_EXCEEDED', httpStatus: 422 } });
    expect(tooMuch.retryable).toBe(false);
    expect(await paypal.refundCapture({ captureId: capture.captureId, amountJpy: 7_000n, requestId: randomUUID(), reference: 'r-3' })).toMatchObject({ status: 'COMPLETED', amountJpy: 7_000n });
    expect(fake.captureOf(created.providerOrderId)!.status).toBe('REFUNDED');
    const spent = await rejection(paypal.refundCapture({ captureId: capture.captureId, amountJpy: 1n, requestId: randomUUID(), reference: 'r-4' }));
    expect(spent).toMatchObject({ code: 'REFUND_REFUSED', details: { issue: 'CAPTURE_FULLY_REFUNDED' } });
    expect((await rejection(paypal.refundCapture({ captureId: 'NOPE', amountJpy: 1n, requestId: randomUUID(), reference: 'r-5' }))).code).toBe('NOT_FOUND');
  });

  it('retries a 503 with the same request id and refunds once', async () => {
    const { created } = await approvedOrder({ amountJpy: 2_000n });
    const capture = await paypal.captureOrder({ providerOrderId: created.providerOrderId, requestId: randomUUID() });
    fake.failNext(/\/refund$/, 503, 2);
    const refund = await paypal.refundCapture({ captureId: capture.captureId, amountJpy: 2_000n, requestId: 'refund:x', reference: 'x' });
    expect(refund.status).toBe('COMPLETED');
    const calls = fake.requestsTo(`/v2/payments/captures/${capture.captureId}/refund`);
    expect(calls.map((c) => c.headers['paypal-request-id'])).toEqual(['refund:x', 'refund:x', 'refund:x']);
    expect(fake.refunds.get(capture.captureId)).toHaveLength(1);
  });
});
