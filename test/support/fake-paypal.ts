import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local PayPal REST API for tests, speaking the documented endpoints with PayPal's JSON shapes:
 * OAuth2 client credentials, Orders v2 (create, get, capture), Payments v2 capture refunds
 * (partial ones up to what was captured), all with PayPal-Request-Id replay, and webhook
 * signature verification. Knobs inject the failures the real client must survive.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  body: unknown;
}

type Json = Record<string, any>;

const ORDERS = '/v2/checkout/orders';
const AUTH_ALGO = 'SHA256withRSA';

export class FakePayPal {
  readonly clientId = `fake-client-${randomBytes(4).toString('hex')}`;
  readonly clientSecret = `fake-secret-${randomBytes(12).toString('hex')}`;
  readonly webhookId = `WH${randomBytes(8).toString('hex').toUpperCase()}`;
  readonly requests: RecordedRequest[] = [];
  url = '';
  /** Tokens issued by /v1/oauth2/token so far. */
  tokensIssued = 0;
  /** Seconds a token lives (PayPal's are about 9 hours). */
  tokenTtlSeconds = 32_400;

  private server: Server;
  private readonly tokens = new Map<string, number>(); // token → expiry (ms)
  private readonly orders = new Map<string, Json>();
  private readonly replays = new Map<string, Reply>();
  private readonly signingKey = randomBytes(32);
  private failures: { path: RegExp; status: number; times: number }[] = [];
  private delays: { path: RegExp; ms: number; times: number }[] = [];
  private holds: { path: RegExp; times: number; gate: Promise<void> }[] = [];
  private captureIssue: string | null = null;
  private captureStatus: string | null = null;
  private refundIssue: string | null = null;
  /** Refunds made, by capture id. */
  readonly refunds = new Map<string, Json[]>();

  static async start(): Promise<FakePayPal> {
    const fake = new FakePayPal();
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- knobs and helpers for tests ---

  /** The buyer approves the order on PayPal's page. */
  approve(orderId: string) {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`fake PayPal: no order ${orderId}`);
    if (order.status === 'COMPLETED') throw new Error(`fake PayPal: order ${orderId} is already captured`);
    order.status = 'APPROVED';
    order.payer = {
      name: { given_name: 'Taro', surname: 'Yamada' },
      email_address: 'buyer@example.jp',
      payer_id: 'FAKEPAYER123',
      address: { country_code: 'JP' },
    };
    order.payment_source = { paypal: { email_address: 'buyer@example.jp', account_id: 'FAKEPAYER123', account_status: 'VERIFIED' } };
    order.links = [this.link(`${ORDERS}/${orderId}`, 'self', 'GET'), this.link(`${ORDERS}/${orderId}/capture`, 'capture', 'POST')];
  }

  order(orderId: string): Json | undefined {
    return this.orders.get(orderId);
  }

  /** The next `times` requests whose path matches answer `status` without being processed. */
  failNext(path: RegExp, status = 500, times = 1) {
    this.failures.push({ path, status, times });
  }

  /** The next matching request is processed at once but answered only after `ms` (a lost answer, if the caller gave up). */
  delayNext(path: RegExp, ms: number, times = 1) {
    this.delays.push({ path, ms, times });
  }

  /**
   * The next `times` requests whose path matches hang — nothing processed, nothing answered —
   * until the returned `release()` is called; then they are processed and answered as usual.
   */
  holdNext(path: RegExp, times = 1): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ path, times, gate });
    return release;
  }

  /** Every token issued so far stops working (answers 401), as when PayPal expires one early. */
  expireTokens() {
    this.tokens.clear();
  }

  /** The next capture fails with 422 and this issue, e.g. INSTRUMENT_DECLINED. */
  failNextCapture(issue: string) {
    this.captureIssue = issue;
  }

  /** The next capture succeeds with this capture status, e.g. PENDING or DECLINED. */
  nextCaptureStatus(status: string) {
    this.captureStatus = status;
  }

  /** The next refund fails with 422 and this issue, e.g. REFUND_TIME_LIMIT_EXCEEDED. */
  failNextRefund(issue: string) {
    this.refundIssue = issue;
  }

  /** The capture of an order, once captured. */
  captureOf(orderId: string): Json | undefined {
    return this.orders.get(orderId)?.purchase_units[0].payments?.captures?.[0];
  }

  /** A webhook delivery as PayPal would send it; only these verify as SUCCESS. */
  signedWebhook(event: object): { headers: Record<string, string>; rawBody: Buffer } {
    const rawBody = Buffer.from(JSON.stringify(event), 'utf8');
    const transmissionId = randomUUID();
    const transmissionTime = new Date().toISOString();
    return {
      rawBody,
      headers: {
        'content-type': 'application/json',
        'paypal-transmission-id': transmissionId,
        'paypal-transmission-time': transmissionTime,
        'paypal-transmission-sig': this.signature(transmissionId, transmissionTime, this.webhookId, event),
        'paypal-auth-algo': AUTH_ALGO,
        'paypal-cert-url': `${this.url}/v1/notifications/certs/CERT-FAKE`,
      },
    };
  }

  /** PAYMENT.CAPTURE.COMPLETED (or another capture event type) for a captured order. */
  captureEvent(orderId: string, eventType = 'PAYMENT.CAPTURE.COMPLETED'): Json {
    const capture = this.orders.get(orderId)?.purchase_units[0].payments?.captures[0];
    if (!capture) throw new Error(`fake PayPal: order ${orderId} is not captured`);
    return {
      id: `WH-${randomBytes(8).toString('hex').toUpperCase()}`,
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: 'capture',
      resource_version: '2.0',
      event_type: eventType,
      summary: `Payment completed for JPY ${capture.amount.value}`,
      resource: { ...capture, supplementary_data: { related_ids: { order_id: orderId } } },
      links: [],
    };
  }

  /** Requests to a path (exact string or pattern). */
  requestsTo(path: string | RegExp, method = 'POST'): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  // --- the server ---

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    this.requests.push({ method, path, headers: req.headers, body });
    const hold = this.take(this.holds, path);
    if (hold) await hold.gate;

    const failure = this.take(this.failures, path);
    let reply: Reply;
    if (failure) {
      reply = { status: failure.status, body: { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error has occurred.', debug_id: debugId() } };
    } else {
      try {
        reply = this.route(method, path, req.headers, body);
      } catch (error) {
        reply = { status: 500, body: { name: 'INTERNAL_SERVER_ERROR', message: String(error), debug_id: debugId() } };
      }
    }
    const delay = this.take(this.delays, path);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay.ms));
    if (res.destroyed) return; // the caller gave up (timeout): its answer is lost
    res.on('error', () => {});
    res.writeHead(reply.status, { 'content-type': 'application/json', 'paypal-debug-id': debugId() });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  private take<T extends { path: RegExp; times: number }>(list: T[], path: string): T | undefined {
    const found = list.find((f) => f.path.test(path) && f.times > 0);
    if (found) found.times -= 1;
    return found;
  }

  private route(method: string, path: string, headers: IncomingHttpHeaders, body: string): Reply {
    if (method === 'POST' && path === '/v1/oauth2/token') return this.token(headers, body);
    if (!this.authorised(headers)) {
      return {
        status: 401,
        body: { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed due to invalid authentication credentials or a missing Authorization header.', links: [] },
      };
    }
    let json: Json = {};
    if (method === 'POST') {
      try {
        json = body ? JSON.parse(body) : {};
      } catch {
        return error(400, 'INVALID_REQUEST', 'MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.');
      }
    }
    if (method === 'POST' && path === '/v1/notifications/verify-webhook-signature') return this.verify(json);

    // PayPal-Request-Id: the same id on the same endpoint replays the first answer.
    const requestId = headers['paypal-request-id'];
    const replayKey = typeof requestId === 'string' ? `${method} ${path} ${requestId}` : null;
    const replay = replayKey && this.replays.get(replayKey);
    if (replay) return { status: replay.status === 201 ? 200 : replay.status, body: replay.body };

    let reply: Reply;
    const capture = /^\/v2\/checkout\/orders\/([^/]+)\/capture$/.exec(path);
    const show = /^\/v2\/checkout\/orders\/([^/]+)$/.exec(path);
    const refund = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path);
    if (method === 'POST' && path === ORDERS) reply = this.create(json, typeof requestId === 'string');
    else if (method === 'POST' && capture) reply = this.capture(decodeURIComponent(capture[1]));
    else if (method === 'POST' && refund) reply = this.refund(decodeURIComponent(refund[1]), json);
    else if (method === 'GET' && show) {
      const order = this.orders.get(decodeURIComponent(show[1]));
      reply = order ? { status: 200, body: order } : notFound();
    } else reply = error(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 'Unknown endpoint.');
    // A snapshot: the order changes later, the replayed answer must not.
    reply = { status: reply.status, body: JSON.parse(JSON.stringify(reply.body)) };
    // Only answers PayPal would keep: a request that failed on its side may be retried with the same id.
    if (replayKey && reply.status < 500) this.replays.set(replayKey, reply);
    return reply;
  }

  private token(headers: IncomingHttpHeaders, body: string): Reply {
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    if (headers.authorization !== expected) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
    }
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' } };
    }
    const accessToken = `A21AA${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, Date.now() + this.tokenTtlSeconds * 1000);
    this.tokensIssued += 1;
    return {
      status: 200,
      body: {
        scope: 'https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/applications/webhooks',
        access_token: accessToken,
        token_type: 'Bearer',
        app_id: 'APP-80W284485P519543T',
        expires_in: this.tokenTtlSeconds,
        nonce: `${new Date().toISOString()}${randomBytes(8).toString('hex')}`,
      },
    };
  }

  private authorised(headers: IncomingHttpHeaders): boolean {
    const match = /^Bearer (\S+)$/.exec(headers.authorization ?? '');
    const expiry = match && this.tokens.get(match[1]);
    return !!expiry && expiry > Date.now();
  }

  private create(json: Json, hasRequestId: boolean): Reply {
    const experience = json.payment_source?.paypal?.experience_context;
    if (experience && !hasRequestId) {
      return error(400, 'INVALID_REQUEST', 'PAYPAL_REQUEST_ID_REQUIRED', 'A PayPal-Request-Id is required if you are trying to process payment for an Order.');
    }
    const unit = json.purchase_units?.[0];
    if (json.intent !== 'CAPTURE' || !unit?.amount) {
      return error(400, 'INVALID_REQUEST', 'MISSING_REQUIRED_PARAMETER', 'intent and purchase_units[0].amount are required.');
    }
    const { currency_code: currency, value } = unit.amount;
    if (currency === 'JPY' && !/^\d+$/.test(String(value))) {
      return error(422, 'UNPROCESSABLE_ENTITY', 'DECIMAL_PRECISION', 'If the currency supports decimals, only two decimal place precision is supported.');
    }
    const id = orderId();
    const approvalRel = experience ? 'payer-action' : 'approve';
    const order: Json = {
      id,
      intent: 'CAPTURE',
      status: experience ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
      ...(experience ? { payment_source: { paypal: {} } } : {}),
      purchase_units: [
        {
          reference_id: unit.reference_id ?? 'default',
          ...(unit.custom_id ? { custom_id: unit.custom_id } : {}),
          ...(unit.description ? { description: unit.description } : {}),
          amount: { currency_code: currency, value: String(value) },
          payee: { email_address: 'merchant@example.jp', merchant_id: 'FAKEMERCHANT1' },
        },
      ],
      create_time: new Date().toISOString(),
      links: [
        this.link(`${ORDERS}/${id}`, 'self', 'GET'),
        { href: `https://www.sandbox.paypal.com/checkoutnow?token=${id}`, rel: approvalRel, method: 'GET' },
        ...(experience ? [] : [this.link(`${ORDERS}/${id}`, 'update', 'PATCH'), this.link(`${ORDERS}/${id}/capture`, 'capture', 'POST')]),
      ],
    };
    this.orders.set(id, order);
    return { status: 201, body: order };
  }

  private capture(id: string): Reply {
    const order = this.orders.get(id);
    if (!order) return notFound();
    if (order.status === 'COMPLETED') {
      return error(422, 'UNPROCESSABLE_ENTITY', 'ORDER_ALREADY_CAPTURED', "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.");
    }
    if (order.status !== 'APPROVED') {
      return error(422, 'UNPROCESSABLE_ENTITY', 'ORDER_NOT_APPROVED', "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.");
    }
    if (this.captureIssue) {
      const issue = this.captureIssue;
      this.captureIssue = null;
      return error(422, 'UNPROCESSABLE_ENTITY', issue, 'The instrument presented was either declined by the processor or bank, or it can\'t be used for this payment.');
    }
    const status = this.captureStatus ?? 'COMPLETED';
    this.captureStatus = null;
    const unit = order.purchase_units[0];
    const gross = BigInt(unit.amount.value);
    const fee = (gross * 36n) / 1000n + 40n; // 3.6% + ¥40, PayPal Japan's domestic rate
    const captureId = orderId();
    const now = new Date().toISOString();
    unit.payments = {
      captures: [
        {
          id: captureId,
          status,
          ...(status === 'PENDING' ? { status_details: { reason: 'PENDING_REVIEW' } } : {}),
          amount: { ...unit.amount },
          final_capture: true,
          seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
          seller_receivable_breakdown: {
            gross_amount: { ...unit.amount },
            paypal_fee: { currency_code: unit.amount.currency_code, value: fee.toString() },
            net_amount: { currency_code: unit.amount.currency_code, value: (gross - fee).toString() },
          },
          ...(unit.custom_id ? { custom_id: unit.custom_id } : {}),
          links: [
            this.link(`/v2/payments/captures/${captureId}`, 'self', 'GET'),
            this.link(`/v2/payments/captures/${captureId}/refund`, 'refund', 'POST'),
            this.link(`${ORDERS}/${id}`, 'up', 'GET'),
          ],
          create_time: now,
          update_time: now,
        },
      ],
    };
    order.status = 'COMPLETED';
    order.update_time = now;
    order.links = [this.link(`${ORDERS}/${id}`, 'self', 'GET')];
    return { status: 201, body: order };
  }

  /** Payments v2: refund all that is left of a capture, or `amount` of it. */
  private refund(captureId: string, json: Json): Reply {
    const capture = [...this.orders.values()].map((o) => o.purchase_units[0].payments?.captures?.[0]).find((c) => c?.id === captureId);
    if (!capture) return notFound();
    if (this.refundIssue) {
      const issue = this.refundIssue;
      this.refundIssue = null;
      return error(422, 'UNPROCESSABLE_ENTITY', issue, 'The refund could not be made.');
    }
    const currency = capture.amount.currency_code;
    const captured = BigInt(capture.amount.value);
    const done = this.refunds.get(captureId) ?? [];
    const refunded = done.reduce((sum, r) => sum + BigInt(r.amount.value), 0n);
    const left = captured - refunded;
    if (left <= 0n) return error(422, 'UNPROCESSABLE_ENTITY', 'CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded.');
    if (json.amount && (json.amount.currency_code !== currency || !/^\d+$/.test(String(json.amount.value)))) {
      return error(422, 'UNPROCESSABLE_ENTITY', 'DECIMAL_PRECISION', 'The refund amount must be whole yen in the currency of the capture.');
    }
    const amount = json.amount ? BigInt(json.amount.value) : left;
    if (amount <= 0n || amount > left) {
      return error(422, 'UNPROCESSABLE_ENTITY', 'REFUND_AMOUNT_EXCEEDED', 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.');
    }
    const id = orderId();
    const now = new Date().toISOString();
    const refund: Json = {
      id,
      status: 'COMPLETED',
      amount: { currency_code: currency, value: amount.toString() },
      ...(json.custom_id ? { custom_id: json.custom_id } : {}),
      ...(json.invoice_id ? { invoice_id: json.invoice_id } : {}),
      ...(json.note_to_payer ? { note_to_payer: json.note_to_payer } : {}),
      seller_payable_breakdown: {
        gross_amount: { currency_code: currency, value: amount.toString() },
        paypal_fee: { currency_code: currency, value: '0' },
        net_amount: { currency_code: currency, value: amount.toString() },
        total_refunded_amount: { currency_code: currency, value: (refunded + amount).toString() },
      },
      links: [this.link(`/v2/payments/refunds/${id}`, 'self', 'GET'), this.link(`/v2/payments/captures/${captureId}`, 'up', 'GET')],
      create_time: now,
      update_time: now,
    };
    this.refunds.set(captureId, [...done, refund]);
    capture.status = refunded + amount === captured ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    return { status: 201, body: refund };
  }

  private verify(json: Json): Reply {
    const required = ['auth_algo', 'cert_url', 'transmission_id', 'transmission_sig', 'transmission_time', 'webhook_id', 'webhook_event'];
    const missing = required.filter((k) => !json[k]);
    if (missing.length) return error(400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_PARAMETER', `Missing: ${missing.join(', ')}`);
    const expected = this.signature(json.transmission_id, json.transmission_time, json.webhook_id, json.webhook_event);
    const ok =
      json.webhook_id === this.webhookId &&
      json.auth_algo === AUTH_ALGO &&
      json.cert_url === `${this.url}/v1/notifications/certs/CERT-FAKE` &&
      json.transmission_sig === expected;
    return { status: 200, body: { verification_status: ok ? 'SUCCESS' : 'FAILURE' } };
  }

  /** PayPal signs transmission id | time | webhook id | a checksum of the event. */
  private signature(id: string, time: string, webhookId: string, event: unknown): string {
    const checksum = createHash('sha256').update(JSON.stringify(event)).digest('hex');
    return createHmac('sha256', this.signingKey).update(`${id}|${time}|${webhookId}|${checksum}`).digest('base64');
  }

  private link(path: string, rel: string, method: string) {
    return { href: `${this.url}${path}`, rel, method };
  }
}

function orderId(): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPRSTUVWXY';
  return Array.from(randomBytes(17), (b) => alphabet[b % alphabet.length]).join('');
}

function debugId(): string {
  return randomBytes(7).toString('hex');
}

function error(status: number, name: string, issue: string, description: string): Reply {
  return {
    status,
    body: {
      name,
      details: [{ issue, description }],
      message: 'The requested action could not be performed, semantically incorrect, or failed business validation.',
      debug_id: debugId(),
      links: [{ href: `https://developer.paypal.com/docs/api/orders/v2/#error-${issue}`, rel: 'information_link', method: 'GET' }],
    },
  };
}

function notFound(): Reply {
  return error(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 'Specified resource ID does not exist. Please check the resource ID and try again.');
}
