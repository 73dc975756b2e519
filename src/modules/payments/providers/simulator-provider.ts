import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
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
  type CreateCardOrder,
  type WebhookRequest,
  type WebhookVerification,
} from './card-provider';
import { toWebhookEvent } from './paypal-shapes';

export const SIMULATOR_PATH = '/simulator/paypal';
const AUTH_ALGO = 'SIMULATOR-HMAC-SHA256';

export interface SimulatedOrder {
  readonly id: string;
  readonly amountJpy: bigint;
  readonly reference: string;
  readonly description: string;
  readonly returnUrl: string;
  readonly cancelUrl: string;
  approved: boolean;
  capture: CardCapture | null;
}

export interface SimulatorSettings {
  /** Public origin of this gateway: the approval page lives there. */
  baseUrl: string;
  /** True when the base URL was not configured, so the real listening port replaces it. */
  followListeningPort?: boolean;
  /** Oldest orders are forgotten past this, so a long-running dev process stays small. */
  maxOrders?: number;
}

/**
 * PAYMENT SIMULATOR: takes no money. Used when no PayPal credentials are configured (local use
 * and tests). It behaves like PayPal where the business can tell: the buyer approves on a page
 * (served by this gateway), capture works only after approval, repeats return the same capture.
 * Orders live in memory only.
 */
export class SimulatorCardProvider implements CardPaymentProvider {
  readonly name = 'simulator' as const;
  readonly followListeningPort: boolean;
  private baseUrl: string;
  private readonly maxOrders: number;
  private readonly orders = new Map<string, SimulatedOrder>();
  private readonly createdByRequest = new Map<string, string>();
  private readonly webhookKey = randomBytes(32);
  private nextCaptureFailure: CardProviderError | null = null;
  private nextRefundFailure: CardProviderError | null = null;
  /** Refunds made, by request id (a repeat with the same id replays). */
  readonly refunds = new Map<string, CardRefund & { captureId: string; reference: string }>();

  constructor(settings: SimulatorSettings) {
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
    this.followListeningPort = settings.followListeningPort ?? false;
    this.maxOrders = settings.maxOrders ?? 10_000;
  }

  setBaseUrl(url: string) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  async createOrder(input: CreateCardOrder): Promise<CardOrderCreated> {
    checkCreateOrder(input);
    const replayed = this.orders.get(this.createdByRequest.get(input.requestId) ?? '');
    const order = replayed ?? this.remember(input);
    return { providerOrderId: order.id, approvalUrl: this.approvalUrl(order.id), status: this.statusOf(order) };
  }

  async captureOrder({ providerOrderId, requestId }: CaptureCardOrder): Promise<CardCapture> {
    if (!requestId) throw new CardProviderError('INVALID_REQUEST', 'A requestId is required.');
    const order = this.require(providerOrderId);
    // One capture per order: any repeat (same or other request id) gets the first one back.
    if (order.capture) return order.capture;
    if (!order.approved) {
      throw new CardProviderError('NOT_APPROVED', 'Simulator: the buyer has not approved this order yet.', { issue: 'ORDER_NOT_APPROVED' });
    }
    const failure = this.nextCaptureFailure;
    if (failure) {
      this.nextCaptureFailure = null;
      if (failure.code === 'DECLINED') order.approved = false; // like PayPal: the buyer must approve again
      throw failure;
    }
    order.capture = {
      providerOrderId: order.id,
      captureId: `SIMCAP${randomBytes(6).toString('hex').toUpperCase()}`,
      status: 'COMPLETED',
      amountJpy: order.amountJpy,
      reference: order.reference,
    };
    return order.capture;
  }

  async refundCapture(input: RefundCardCapture): Promise<CardRefund> {
    checkRefund(input);
    const replayed = this.refunds.get(input.requestId);
    if (replayed) return { refundId: replayed.refundId, status: replayed.status, amountJpy: replayed.amountJpy };
    const order = [...this.orders.values()].find((o) => o.capture?.captureId === input.captureId);
    if (!order?.capture) throw new CardProviderError('NOT_FOUND', `Simulator: no capture ${input.captureId}.`, { issue: 'INVALID_RESOURCE_ID' });
    const failure = this.nextRefundFailure;
    if (failure) {
      this.nextRefundFailure = null;
      throw failure;
    }
    const refunded = [...this.refunds.values()].filter((r) => r.captureId === input.captureId).reduce((sum, r) => sum + r.amountJpy, 0n);
    if (refunded + input.amountJpy > order.capture.amountJpy) {
      throw new CardProviderError('REFUND_REFUSED', `Simulator: only ¥${order.capture.amountJpy - refunded} of the capture is left to refund.`, {
        issue: refunded >= order.capture.amountJpy ? 'CAPTURE_FULLY_REFUNDED' : 'REFUND_AMOUNT_EXCEEDED',
      });
    }
    const refund = { refundId: `SIMREF${randomBytes(6).toString('hex').toUpperCase()}`, status: 'COMPLETED' as const, amountJpy: input.amountJpy, captureId: input.captureId, reference: input.reference };
    this.refunds.set(input.requestId, refund);
    return { refundId: refund.refundId, status: refund.status, amountJpy: refund.amountJpy };
  }

  /** Makes the next refund fail, e.g. `new CardProviderError('UNAVAILABLE', …)`. */
  failNextRefund(error: CardProviderError) {
    this.nextRefundFailure = error;
  }

  async getOrder(providerOrderId: string): Promise<CardOrder> {
    const order = this.require(providerOrderId);
    return {
      providerOrderId: order.id,
      status: this.statusOf(order),
      amountJpy: order.amountJpy,
      reference: order.reference,
      capture: order.capture,
    };
  }

  async verifyWebhook({ headers, rawBody }: WebhookRequest): Promise<WebhookVerification> {
    const raw = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(String(rawBody ?? ''), 'utf8');
    const id = headerValue(headers, 'paypal-transmission-id');
    const time = headerValue(headers, 'paypal-transmission-time');
    const sig = headerValue(headers, 'paypal-transmission-sig');
    if (!id || !time || !sig || headerValue(headers, 'paypal-auth-algo') !== AUTH_ALGO) return { verified: false };
    const expected = Buffer.from(this.sign(id, time, raw), 'base64');
    const given = Buffer.from(sig, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { verified: false };
    let event;
    try {
      event = toWebhookEvent(JSON.parse(raw.toString('utf8')));
    } catch {
      return { verified: false };
    }
    return event ? { verified: true, event } : { verified: false };
  }

  // --- what the simulator's page and tests do in place of the buyer and of PayPal ---

  /** The buyer approves on the simulator page. */
  approve(providerOrderId: string): SimulatedOrder {
    const order = this.require(providerOrderId);
    order.approved = true;
    return order;
  }

  find(providerOrderId: string): SimulatedOrder | undefined {
    return this.orders.get(providerOrderId);
  }

  /** Makes the next capture fail, e.g. `new CardProviderError('DECLINED', …)`, to exercise error paths. */
  failNextCapture(error: CardProviderError) {
    this.nextCaptureFailure = error;
  }

  /** A webhook delivery this simulator will verify: `event` is sent as the JSON body. */
  signedWebhook(event: object): { headers: Record<string, string>; rawBody: Buffer } {
    const rawBody = Buffer.from(JSON.stringify(event), 'utf8');
    const id = randomUUID();
    const time = new Date().toISOString();
    return {
      rawBody,
      headers: {
        'content-type': 'application/json',
        'paypal-transmission-id': id,
        'paypal-transmission-time': time,
        'paypal-transmission-sig': this.sign(id, time, rawBody),
        'paypal-auth-algo': AUTH_ALGO,
        'paypal-cert-url': `${this.baseUrl}${SIMULATOR_PATH}/cert`,
      },
    };
  }

  /** PayPal's PAYMENT.CAPTURE.COMPLETED event for a captured order, signed. */
  captureCompletedWebhook(providerOrderId: string) {
    const capture = this.require(providerOrderId).capture;
    if (!capture) throw new Error(`Simulator order ${providerOrderId} is not captured.`);
    return this.signedWebhook({
      id: `WH-SIM-${randomBytes(8).toString('hex').toUpperCase()}`,
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: 'capture',
      event_type: 'PAYMENT.CAPTURE.COMPLETED',
      summary: `Payment completed for JPY ${capture.amountJpy}`,
      resource: {
        id: capture.captureId,
        status: capture.status,
        amount: formatJpy(capture.amountJpy),
        custom_id: capture.reference,
        final_capture: true,
        supplementary_data: { related_ids: { order_id: providerOrderId } },
      },
    });
  }

  private remember(input: CreateCardOrder): SimulatedOrder {
    const order: SimulatedOrder = {
      id: `SIM${randomBytes(7).toString('hex').toUpperCase()}`,
      amountJpy: input.amountJpy,
      reference: input.reference,
      description: clipDescription(input.description),
      returnUrl: input.returnUrl,
      cancelUrl: input.cancelUrl,
      approved: false,
      capture: null,
    };
    this.orders.set(order.id, order);
    this.createdByRequest.set(input.requestId, order.id);
    while (this.orders.size > this.maxOrders) this.orders.delete(this.orders.keys().next().value!);
    while (this.createdByRequest.size > this.maxOrders) this.createdByRequest.delete(this.createdByRequest.keys().next().value!);
    return order;
  }

  private require(providerOrderId: string): SimulatedOrder {
    const order = this.orders.get(providerOrderId);
    if (!order) throw new CardProviderError('NOT_FOUND', `Simulator: no order ${providerOrderId}.`, { issue: 'RESOURCE_NOT_FOUND' });
    return order;
  }

  private statusOf(order: SimulatedOrder) {
    return order.capture ? 'COMPLETED' : order.approved ? 'APPROVED' : 'PAYER_ACTION_REQUIRED';
  }

  private approvalUrl(orderId: string) {
    return `${this.baseUrl}${SIMULATOR_PATH}/approve?order=${encodeURIComponent(orderId)}`;
  }

  private sign(id: string, time: string, rawBody: Buffer): string {
    const digest = createHash('sha256').update(rawBody).digest('hex');
    return createHmac('sha256', this.webhookKey).update(`${id}|${time}|${digest}`).digest('base64');
  }
}
