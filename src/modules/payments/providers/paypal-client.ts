import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  CardProviderError,
  checkCreateOrder,
  checkRefund,
  clipDescription,
  formatJpy,
  headerValue,
  type CaptureCardOrder,
  type CardCapture,
  type CardOrder,
  type CardOrderCreated,
  type CardPaymentProvider,
  type CardRefund,
  type RefundCardCapture,
  type CardProviderErrorCode,
  type CreateCardOrder,
  type WebhookRequest,
  type WebhookVerification,
} from './card-provider';
import { approvalLink, captureOf, toCardOrder, toCardRefund, toWebhookEvent } from './paypal-shapes';

export interface PayPalSettings {
  clientId: string;
  clientSecret: string;
  /** The id PayPal gave the webhook subscription; verification is bound to it. */
  webhookId: string;
  /** https://api-m.sandbox.paypal.com or https://api-m.paypal.com (or a local fake in tests). */
  apiBase: string;
  /** Per attempt; a timed-out POST is retried with the same PayPal-Request-Id. */
  timeoutMs?: number;
  /** Attempts per request for network errors, timeouts, 429 and 5xx (first try included). */
  maxAttempts?: number;
  /** First backoff; doubles each retry, plus jitter. */
  retryBaseMs?: number;
  log?: Logger;
}

type Json = Record<string, any>;
interface RawResponse {
  status: number;
  json: Json;
  debugId?: string;
}

const DECLINED_ISSUES = new Set([
  'INSTRUMENT_DECLINED',
  'TRANSACTION_REFUSED',
  'PAYER_CANNOT_PAY',
  'REDIRECT_PAYER_FOR_ALTERNATE_FUNDING',
  'MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED',
  'PAYEE_BLOCKED_TRANSACTION',
  'COMPLIANCE_VIOLATION',
]);
const NOT_APPROVED_ISSUES = new Set(['ORDER_NOT_APPROVED', 'PAYER_ACTION_REQUIRED']);
const CLOSED_ISSUES = new Set(['ORDER_EXPIRED', 'ORDER_COMPLETED_OR_VOIDED', 'ORDER_IS_VOIDED', 'ORDER_ALREADY_COMPLETED']);
// Payments v2 refund refusals: retrying cannot help.
const REFUND_ISSUES = new Set([
  'CAPTURE_FULLY_REFUNDED',
  'REFUND_AMOUNT_EXCEEDED',
  'REFUND_TIME_LIMIT_EXCEEDED',
  'REFUND_NOT_ALLOWED',
  'REFUND_NOT_PERMITTED_DUE_TO_CHARGEBACK',
  'PENDING_CAPTURE',
  'CAPTURE_DISPUTED_PARTIAL_REFUND_NOT_ALLOWED',
  'PARTIAL_REFUND_NOT_ALLOWED',
  'REFUND_FAILED_INSUFFICIENT_FUNDS',
  'REFUND_CAPTURE_CURRENCY_MISMATCH',
  'MAX_NUMBER_OF_REFUNDS_EXCEEDED',
  'REFUND_IS_RESTRICTED',
]);

/**
 * PayPal Orders v2 over Node's fetch. No SDK: PayPal's old Node SDK (@paypal/checkout-server-sdk)
 * is deprecated, and owning the HTTP calls gives us the PayPal-Request-Id, timeout, retry and
 * token rules below in ~300 lines with no new dependency.
 */
export class PayPalCardProvider implements CardPaymentProvider {
  readonly name = 'paypal' as const;
  private readonly apiBase: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private token: { value: string; refreshAt: number } | null = null;
  private tokenInFlight: Promise<string> | null = null;

  constructor(private readonly settings: PayPalSettings) {
    this.apiBase = settings.apiBase.replace(/\/+$/, '');
    this.timeoutMs = settings.timeoutMs ?? 15_000;
    this.maxAttempts = Math.max(1, settings.maxAttempts ?? 3);
    this.retryBaseMs = settings.retryBaseMs ?? 250;
  }

  async createOrder(input: CreateCardOrder): Promise<CardOrderCreated> {
    checkCreateOrder(input);
    const order = await this.call('POST', '/v2/checkout/orders', {
      requestId: input.requestId,
      body: {
        intent: 'CAPTURE',
        purchase_units: [
          {
            reference_id: input.reference,
            custom_id: input.reference,
            description: clipDescription(input.description),
            amount: formatJpy(input.amountJpy),
          },
        ],
        payment_source: {
          paypal: {
            experience_context: {
              return_url: input.returnUrl,
              cancel_url: input.cancelUrl,
              user_action: 'PAY_NOW',
              shipping_preference: 'NO_SHIPPING',
              // Card or balance only: an eCheck would leave the capture PENDING for days.
              payment_method_preference: 'IMMEDIATE_PAYMENT_REQUIRED',
              locale: 'ja-JP',
            },
          },
        },
      },
    });
    const created = toCardOrder(order);
    return { providerOrderId: created.providerOrderId, approvalUrl: approvalLink(order), status: created.status };
  }

  async captureOrder({ providerOrderId, requestId }: CaptureCardOrder): Promise<CardCapture> {
    if (!requestId) throw new CardProviderError('INVALID_REQUEST', 'A requestId is required.');
    let order: Json;
    try {
      order = await this.call('POST', `/v2/checkout/orders/${encodeURIComponent(providerOrderId)}/capture`, {
        requestId,
        body: {},
      });
    } catch (error) {
      // Captured earlier under another request id (e.g. by a webhook handler): same money, same answer.
      if (error instanceof CardProviderError && error.details.issue === 'ORDER_ALREADY_CAPTURED') {
        const existing = await this.getOrder(providerOrderId);
        if (existing.capture) return existing.capture;
      }
      throw error;
    }
    const capture = captureOf(order);
    if (!capture) throw new CardProviderError('UNEXPECTED_RESPONSE', 'PayPal capture response without capture.');
    return capture;
  }

  /** Payments v2 refund of a capture (partial when `amountJpy` is less than what is left). */
  async refundCapture(input: RefundCardCapture): Promise<CardRefund> {
    checkRefund(input);
    const refund = await this.call('POST', `/v2/payments/captures/${encodeURIComponent(input.captureId)}/refund`, {
      requestId: input.requestId,
      body: {
        amount: formatJpy(input.amountJpy),
        custom_id: input.reference,
        invoice_id: `refund-${input.reference}`,
        ...(input.noteToPayer ? { note_to_payer: [...input.noteToPayer].slice(0, 255).join('') } : {}),
      },
    });
    return toCardRefund(refund, input.amountJpy);
  }

  async getOrder(providerOrderId: string): Promise<CardOrder> {
    return toCardOrder(await this.call('GET', `/v2/checkout/orders/${encodeURIComponent(providerOrderId)}`, {}));
  }

  /**
   * Asks PayPal to check the signature. Throws only when PayPal cannot be reached (answer the
   * webhook with a 5xx then, and PayPal delivers it again).
   */
  async verifyWebhook({ headers, rawBody }: WebhookRequest): Promise<WebhookVerification> {
    const rawText = Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : String(rawBody ?? '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawText);
    } catch {
      return { verified: false };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { verified: false };
    const fields = {
      auth_algo: headerValue(headers, 'paypal-auth-algo'),
      cert_url: headerValue(headers, 'paypal-cert-url'),
      transmission_id: headerValue(headers, 'paypal-transmission-id'),
      transmission_sig: headerValue(headers, 'paypal-transmission-sig'),
      transmission_time: headerValue(headers, 'paypal-transmission-time'),
      webhook_id: this.settings.webhookId,
    };
    if (Object.values(fields).some((v) => !v)) return { verified: false };
    // The event goes back byte for byte: re-serialising it can change what the signature covers.
    const rawJson = `${JSON.stringify(fields).slice(0, -1)},"webhook_event":${rawText}}`;
    let answer: Json;
    try {
      answer = await this.call('POST', '/v1/notifications/verify-webhook-signature', { rawJson });
    } catch (error) {
      if (error instanceof CardProviderError && error.code === 'INVALID_REQUEST') return { verified: false };
      throw error;
    }
    if (answer.verification_status !== 'SUCCESS') return { verified: false };
    const event = toWebhookEvent(parsed);
    if (!event) {
      this.settings.log?.warn('PayPal webhook verified but not readable as an event');
      return { verified: false };
    }
    return { verified: true, event };
  }

  /** One API call: bearer token (refreshed once on a 401), PayPal-Request-Id on POST, retries. */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    options: { requestId?: string; body?: unknown; rawJson?: string },
  ): Promise<Json> {
    const requestId = method === 'POST' ? (options.requestId ?? randomUUID()) : undefined;
    const body = method === 'POST' ? (options.rawJson ?? JSON.stringify(options.body ?? {})) : undefined;
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.accessToken();
      const response = await this.send(method, path, body, {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json', prefer: 'return=representation' } : {}),
        ...(requestId ? { 'paypal-request-id': requestId } : {}),
      });
      if (response.status === 401 && !refreshed) {
        this.dropToken(token);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return response.json;
      throw toError(response, `${method} ${path.replace(/\/orders\/[^/]+/, '/orders/{id}').replace(/\/captures\/[^/]+/, '/captures/{id}')}`);
    }
  }

  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.value;
    this.tokenInFlight ??= this.fetchToken().finally(() => {
      this.tokenInFlight = null;
    });
    return this.tokenInFlight;
  }

  private dropToken(value: string) {
    if (this.token?.value === value) this.token = null;
  }

  private async fetchToken(): Promise<string> {
    const basic = Buffer.from(`${this.settings.clientId}:${this.settings.clientSecret}`).toString('base64');
    const response = await this.send('POST', '/v1/oauth2/token', 'grant_type=client_credentials', {
      authorization: `Basic ${basic}`,
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      'paypal-request-id': randomUUID(),
    });
    if (response.status === 401 || response.status === 403) {
      throw new CardProviderError(
        'AUTH_FAILED',
        'PayPal refused the client credentials: check PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET (and PAYPAL_API_BASE: sandbox and live credentials differ).',
        { httpStatus: response.status, issue: response.json.error, debugId: response.debugId },
      );
    }
    if (response.status !== 200) throw toError(response, 'POST /v1/oauth2/token');
    const { access_token: value, expires_in: expiresIn } = response.json;
    if (typeof value !== 'string' || typeof expiresIn !== 'number') {
      throw new CardProviderError('UNEXPECTED_RESPONSE', 'PayPal token response without access_token/expires_in.');
    }
    // Renew a minute early (or halfway, for a short-lived token) so no call carries a dying token.
    const ttlMs = expiresIn * 1000;
    this.token = { value, refreshAt: Date.now() + ttlMs - Math.min(60_000, ttlMs / 2) };
    return value;
  }

  /** The HTTP exchange, retried on network errors, timeouts, 429 and 5xx with exponential backoff. */
  private async send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<RawResponse> {
    for (let attempt = 1; ; attempt++) {
      let response: RawResponse | undefined;
      let failure: string | undefined;
      try {
        const res = await fetch(`${this.apiBase}${path}`, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
        const text = await res.text();
        response = { status: res.status, json: parseJson(text), debugId: res.headers.get('paypal-debug-id') ?? undefined };
      } catch (error) {
        // fetch rejects with a DOMException (timeout) or TypeError (network): not always `instanceof Error` across realms
        failure = (error as { name?: string })?.name === 'TimeoutError' ? 'timeout' : 'network error';
      }
      if (response && response.status !== 429 && response.status < 500) return response;
      if (attempt >= this.maxAttempts) {
        if (response) return response;
        throw new CardProviderError('UNAVAILABLE', `PayPal unreachable (${failure}) on ${method} ${path} after ${attempt} attempts.`);
      }
      const what = response ? `HTTP ${response.status}` : failure;
      const delay = this.retryBaseMs * 2 ** (attempt - 1) * (1 + Math.random() / 2);
      this.settings.log?.warn({ method, path, attempt, failure: what, retryInMs: Math.round(delay) }, 'PayPal call failed: retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function parseJson(text: string): Json {
  if (!text) return {};
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/** PayPal's error body ({name, message, details[{issue, description}], debug_id}) as a typed error. */
function toError(response: RawResponse, what: string): CardProviderError {
  const { status, json } = response;
  const detail = Array.isArray(json.details) ? json.details[0] : undefined;
  const issue: string | undefined = detail?.issue ?? json.name ?? json.error;
  const debugId: string | undefined = json.debug_id ?? response.debugId;
  let code: CardProviderErrorCode;
  if (status === 401 || status === 403) code = 'AUTH_FAILED';
  else if (status === 404) code = 'NOT_FOUND';
  else if (status === 409 || status === 429 || status >= 500) code = 'UNAVAILABLE';
  else if (issue && REFUND_ISSUES.has(issue)) code = 'REFUND_REFUSED';
  else if (issue && DECLINED_ISSUES.has(issue)) code = 'DECLINED';
  else if (issue && NOT_APPROVED_ISSUES.has(issue)) code = 'NOT_APPROVED';
  else if (issue && CLOSED_ISSUES.has(issue)) code = 'ORDER_CLOSED';
  else if (status === 400 || status === 422) code = 'INVALID_REQUEST';
  else code = 'UNEXPECTED_RESPONSE';
  const text = detail?.description ?? json.message ?? json.error_description ?? '';
  const message = `PayPal ${status}${issue ? ` ${issue}` : ''} on ${what}${text ? `: ${text}` : ''}${debugId ? ` (debug id ${debugId})` : ''}`;
  return new CardProviderError(code, message, { httpStatus: status, issue, debugId });
}
