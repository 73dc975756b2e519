import {
  CardProviderError,
  parseJpy,
  type CardCapture,
  type CardCaptureStatus,
  type CardOrder,
  type CardOrderStatus,
  type CardRefund,
  type CardRefundStatus,
  type CardWebhookEvent,
} from './card-provider';

/**
 * Reading PayPal's JSON (Orders v2 order, capture, webhook event) into our types. Shared by the
 * PayPal client and the simulator, which speaks the same shapes.
 */

const ORDER_STATUSES = new Set<string>(['CREATED', 'SAVED', 'PAYER_ACTION_REQUIRED', 'APPROVED', 'VOIDED', 'COMPLETED']);
const CAPTURE_STATUSES = new Set<string>(['COMPLETED', 'PENDING', 'DECLINED', 'FAILED', 'REFUNDED', 'PARTIALLY_REFUNDED']);

type Json = Record<string, any>;

function orderStatus(value: unknown): CardOrderStatus {
  if (typeof value === 'string' && ORDER_STATUSES.has(value)) return value as CardOrderStatus;
  throw new CardProviderError('UNEXPECTED_RESPONSE', `Unknown PayPal order status: ${String(value)}.`);
}

function captureStatus(value: unknown): CardCaptureStatus {
  if (typeof value === 'string' && CAPTURE_STATUSES.has(value)) return value as CardCaptureStatus;
  throw new CardProviderError('UNEXPECTED_RESPONSE', `Unknown PayPal capture status: ${String(value)}.`);
}

function firstUnit(order: Json): Json {
  const unit = order?.purchase_units?.[0];
  if (!unit || typeof unit !== 'object') throw new CardProviderError('UNEXPECTED_RESPONSE', 'PayPal order without purchase unit.');
  return unit;
}

function unitReference(unit: Json): string {
  const reference = unit.custom_id ?? unit.reference_id;
  if (typeof reference !== 'string') throw new CardProviderError('UNEXPECTED_RESPONSE', 'PayPal order without reference.');
  return reference;
}

/** The order's capture (intent CAPTURE allows one), or null before capture. */
export function captureOf(order: Json): CardCapture | null {
  const unit = firstUnit(order);
  const capture = unit.payments?.captures?.[0];
  if (!capture) return null;
  if (typeof capture.id !== 'string') throw new CardProviderError('UNEXPECTED_RESPONSE', 'PayPal capture without id.');
  return {
    providerOrderId: String(order.id),
    captureId: capture.id,
    status: captureStatus(capture.status),
    amountJpy: parseJpy(capture.amount),
    reference: typeof capture.custom_id === 'string' ? capture.custom_id : unitReference(unit),
  };
}

export function toCardOrder(order: Json): CardOrder {
  if (typeof order?.id !== 'string') throw new CardProviderError('UNEXPECTED_RESPONSE', 'PayPal order without id.');
  const unit = firstUnit(order);
  const capture = captureOf(order);
  return {
    providerOrderId: order.id,
    status: orderStatus(order.status),
    // A minimal capture response has no unit amount; the capture's amount is the same money.
    amountJpy: unit.amount ? parseJpy(unit.amount) : (capture?.amountJpy ?? parseJpy(unit.amount)),
    reference: capture?.reference ?? unitReference(unit),
    capture,
  };
}

const REFUND_STATUSES = new Set<string>(['COMPLETED', 'PENDING', 'CANCELLED', 'FAILED']);

/** A Payments v2 refund (`POST /v2/payments/captures/{id}/refund` answer). */
export function toCardRefund(refund: Json, requestedJpy: bigint): CardRefund {
  if (typeof refund?.id !== 'string') throw new CardProviderError('UNEXPECTED_RESPONSE', 'PayPal refund without id.');
  if (typeof refund.status !== 'string' || !REFUND_STATUSES.has(refund.status)) {
    throw new CardProviderError('UNEXPECTED_RESPONSE', `Unknown PayPal refund status: ${String(refund.status)}.`);
  }
  // `Prefer: return=minimal` answers carry no amount: the refund is of what was asked.
  return { refundId: refund.id, status: refund.status as CardRefundStatus, amountJpy: refund.amount ? parseJpy(refund.amount) : requestedJpy };
}

/** The approval link: `payer-action` when created with payment_source, `approve` otherwise. */
export function approvalLink(order: Json): string {
  const links: Json[] = Array.isArray(order?.links) ? order.links : [];
  const link = links.find((l) => l?.rel === 'payer-action') ?? links.find((l) => l?.rel === 'approve');
  if (typeof link?.href !== 'string') throw new CardProviderError('UNEXPECTED_RESPONSE', 'PayPal order without approval link.');
  return link.href;
}

function orNull<T>(read: () => T): T | null {
  try {
    return read() ?? null;
  } catch {
    return null;
  }
}

/** Extracts what settlement needs from a PAYMENT.CAPTURE.* or CHECKOUT.ORDER.* event; null if unreadable. */
export function toWebhookEvent(body: unknown): CardWebhookEvent | null {
  const event = body as Json;
  if (typeof event?.id !== 'string' || typeof event.event_type !== 'string') return null;
  const resource: Json = event.resource && typeof event.resource === 'object' ? event.resource : {};
  const base = { id: event.id, eventType: event.event_type, resource };
  if (event.resource_type === 'capture' || event.event_type.startsWith('PAYMENT.CAPTURE.')) {
    return {
      ...base,
      providerOrderId: orNull(() => resource.supplementary_data.related_ids.order_id as string),
      captureId: typeof resource.id === 'string' ? resource.id : null,
      captureStatus: orNull(() => captureStatus(resource.status)),
      amountJpy: orNull(() => parseJpy(resource.amount)),
      reference: typeof resource.custom_id === 'string' ? resource.custom_id : null,
    };
  }
  if (event.resource_type === 'checkout-order' || event.event_type.startsWith('CHECKOUT.ORDER.')) {
    const capture = orNull(() => captureOf(resource));
    return {
      ...base,
      providerOrderId: typeof resource.id === 'string' ? resource.id : null,
      captureId: capture?.captureId ?? null,
      captureStatus: capture?.status ?? null,
      amountJpy: orNull(() => parseJpy(firstUnit(resource).amount)),
      reference: orNull(() => unitReference(firstUnit(resource))),
    };
  }
  return { ...base, providerOrderId: null, captureId: null, captureStatus: null, amountJpy: null, reference: null };
}
