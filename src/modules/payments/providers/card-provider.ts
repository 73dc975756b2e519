/**
 * What the business needs from a card-payment provider (PayPal, or the local simulator).
 * No database here: the payments module records what these calls return.
 */

export type CardProviderName = 'paypal' | 'simulator';

/** PayPal's order statuses (Orders v2). */
export type CardOrderStatus =
  | 'CREATED' // created, the buyer has not acted yet
  | 'SAVED' // saved for later (not used by us)
  | 'PAYER_ACTION_REQUIRED' // created with a payment source: the buyer must open the approval URL
  | 'APPROVED' // the buyer approved: we may capture
  | 'VOIDED' // cancelled by PayPal (e.g. expired): can never be captured
  | 'COMPLETED'; // captured

/** PayPal's capture statuses. Only COMPLETED means the money is ours. */
export type CardCaptureStatus =
  | 'COMPLETED' // the funds are captured
  | 'PENDING' // captured but held by PayPal (review, eCheck): a webhook settles it later
  | 'DECLINED' // the funding source refused the capture
  | 'FAILED' // the capture failed
  | 'REFUNDED'
  | 'PARTIALLY_REFUNDED';

export interface CreateCardOrder {
  /** Whole yen, > 0. */
  amountJpy: bigint;
  /** Our payment id: PayPal keeps it as reference_id and custom_id and hands it back. */
  reference: string;
  /** Shown to the buyer on PayPal's page (at most 127 characters are sent). */
  description: string;
  returnUrl: string;
  cancelUrl: string;
  /** Idempotency key (sent as PayPal-Request-Id): the same key returns the same order. */
  requestId: string;
}

export interface CardOrderCreated {
  providerOrderId: string;
  /** Where the buyer's browser goes to approve the payment. */
  approvalUrl: string;
  status: CardOrderStatus;
}

export interface CaptureCardOrder {
  providerOrderId: string;
  /** Idempotency key (sent as PayPal-Request-Id): a retry with it replays the first capture. */
  requestId: string;
}

export interface CardCapture {
  providerOrderId: string;
  captureId: string;
  status: CardCaptureStatus;
  amountJpy: bigint;
  /** Our payment id, as given to createOrder. */
  reference: string;
}

/** PayPal's refund statuses (Payments v2). COMPLETED and PENDING are accepted refunds; the others are not. */
export type CardRefundStatus =
  | 'COMPLETED' // the money went back to the buyer
  | 'PENDING' // accepted, still being processed by PayPal (e.g. the funding was an eCheck)
  | 'CANCELLED' // cancelled by PayPal
  | 'FAILED'; // the refund failed

export interface RefundCardCapture {
  captureId: string;
  /** Whole yen, > 0; at most what is left of the capture. */
  amountJpy: bigint;
  /** Idempotency key (sent as PayPal-Request-Id): a retry with it replays the first refund. */
  requestId: string;
  /** Our refund id, kept by PayPal as custom_id (and invoice_id) of the refund. */
  reference: string;
  /** Shown to the buyer (at most 255 characters are sent). */
  noteToPayer?: string;
}

export interface CardRefund {
  refundId: string;
  status: CardRefundStatus;
  amountJpy: bigint;
}

export interface CardOrder {
  providerOrderId: string;
  status: CardOrderStatus;
  amountJpy: bigint;
  reference: string;
  /** The order's capture, once captured. */
  capture: CardCapture | null;
}

/** A webhook notification whose signature the provider confirmed. */
export interface CardWebhookEvent {
  /** The provider's event id: the same event may be delivered more than once, dedupe on it. */
  id: string;
  /** e.g. PAYMENT.CAPTURE.COMPLETED, PAYMENT.CAPTURE.DENIED, CHECKOUT.ORDER.APPROVED */
  eventType: string;
  providerOrderId: string | null;
  captureId: string | null;
  captureStatus: CardCaptureStatus | null;
  amountJpy: bigint | null;
  reference: string | null;
  /** The event's resource as sent, for anything not extracted above. */
  resource: Record<string, unknown>;
}

export interface WebhookRequest {
  /** Node's IncomingHttpHeaders fit: names are matched case-insensitively. */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received (before any JSON parsing): signatures cover these bytes. */
  rawBody: Buffer | string;
}

export interface WebhookVerification {
  verified: boolean;
  event?: CardWebhookEvent;
}

export interface CardPaymentProvider {
  readonly name: CardProviderName;
  /** Creates an order for the buyer to approve; nothing is charged yet. */
  createOrder(input: CreateCardOrder): Promise<CardOrderCreated>;
  /**
   * Takes the money of an approved order. Safe to repeat: the same requestId replays the first
   * result, and an order captured earlier (under another requestId) returns its existing capture.
   */
  captureOrder(input: CaptureCardOrder): Promise<CardCapture>;
  getOrder(providerOrderId: string): Promise<CardOrder>;
  /**
   * Gives (part of) a capture back to the buyer's card. Safe to repeat with the same requestId
   * (the first refund is replayed). Partial refunds may follow each other up to the captured amount.
   */
  refundCapture(input: RefundCardCapture): Promise<CardRefund>;
  /** `verified: false` for anything not provably sent by the provider; never throws for a bad request. */
  verifyWebhook(request: WebhookRequest): Promise<WebhookVerification>;
}

export type CardProviderErrorCode =
  | 'DECLINED' // the buyer's card/funding was refused: they may approve again with another one
  | 'NOT_APPROVED' // the buyer has not approved the order (yet)
  | 'ORDER_CLOSED' // expired or voided: create a new order
  | 'NOT_FOUND' // no such order
  | 'INVALID_REQUEST' // our request was wrong (a bug, or an amount PayPal refuses)
  | 'UNAVAILABLE' // network, timeout, 5xx or rate limit after retries: try again with the same requestId
  | 'AUTH_FAILED' // our credentials were refused: an operator must fix the configuration
  | 'REFUND_REFUSED' // PayPal will not refund this capture (fully refunded, amount above what is left, too old, not allowed)
  | 'UNEXPECTED_RESPONSE'; // the provider answered something we cannot read

/**
 * A provider failure. Messages carry PayPal's error name/issue and debug id (for PayPal support),
 * never our credentials or tokens.
 */
export class CardProviderError extends Error {
  override readonly name = 'CardProviderError';
  constructor(
    readonly code: CardProviderErrorCode,
    message: string,
    readonly details: { httpStatus?: number; issue?: string; debugId?: string } = {},
  ) {
    super(message);
  }

  /** Worth retrying later with the same requestId. */
  get retryable(): boolean {
    return this.code === 'UNAVAILABLE';
  }
}

const MAX_DESCRIPTION = 127; // PayPal's limit for purchase_units[].description

/** Refuses what PayPal would refuse anyway, before any network call. */
export function checkCreateOrder(input: CreateCardOrder): void {
  if (typeof input.amountJpy !== 'bigint' || input.amountJpy <= 0n) {
    throw new CardProviderError('INVALID_REQUEST', 'The amount must be a positive whole number of yen.');
  }
  if (!input.reference || input.reference.length > 127) {
    throw new CardProviderError('INVALID_REQUEST', 'The reference must be 1 to 127 characters.');
  }
  if (!input.requestId) throw new CardProviderError('INVALID_REQUEST', 'A requestId is required.');
  for (const [field, url] of [['returnUrl', input.returnUrl], ['cancelUrl', input.cancelUrl]] as const) {
    if (!/^https?:\/\//.test(url ?? '')) throw new CardProviderError('INVALID_REQUEST', `${field} must be an http(s) URL.`);
  }
}

/** Refuses a refund PayPal would refuse anyway, before any network call. */
export function checkRefund(input: RefundCardCapture): void {
  if (typeof input.amountJpy !== 'bigint' || input.amountJpy <= 0n) throw new CardProviderError('INVALID_REQUEST', 'A refund must be a positive whole number of yen.');
  if (!input.captureId) throw new CardProviderError('INVALID_REQUEST', 'A refund needs the capture id.');
  if (!input.requestId) throw new CardProviderError('INVALID_REQUEST', 'A requestId is required.');
}

export function clipDescription(description: string): string {
  return [...description].slice(0, MAX_DESCRIPTION).join('');
}

/**
 * PayPal amounts are decimal strings; JPY has no minor unit, so "1200" is 1,200 yen.
 * Parsed as text into a bigint: a float would lose yen above 2^53.
 */
export function parseJpy(amount: unknown): bigint {
  const { currency_code: currency, value } = (amount ?? {}) as { currency_code?: unknown; value?: unknown };
  if (currency !== 'JPY') {
    throw new CardProviderError('UNEXPECTED_RESPONSE', `Expected a JPY amount, got ${String(currency)}.`);
  }
  const match = typeof value === 'string' ? /^(\d{1,30})(?:\.0+)?$/.exec(value) : null;
  if (!match) throw new CardProviderError('UNEXPECTED_RESPONSE', `Not a whole-yen amount: ${String(value)}.`);
  return BigInt(match[1]);
}

export function formatJpy(amountJpy: bigint): { currency_code: 'JPY'; value: string } {
  return { currency_code: 'JPY', value: amountJpy.toString() };
}

/** Case-insensitive header lookup (first value of a repeated header). */
export function headerValue(headers: WebhookRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
