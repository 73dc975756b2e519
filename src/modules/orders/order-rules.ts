import { DomainError, UserErrorCode } from '../../common/errors';
import { humanize } from '../../common/state-machine';
import type { Invoice } from '../invoices/invoice.entity';
import type { OrderItem } from './order-item.entity';
import type { Order } from './order.entity';
import { ItemStatus, OrderStatus } from './order-state';

/**
 * The business rules on what may change when, as functions that return the refusal (or
 * null). Mutations throw the refusal; `availableActions` offers an action only when its rule
 * returns null — so a client never shows a button that then fails.
 */

/** Money on the first invoice: received (settled) or on its way (reported/pending). */
export interface FirstPaymentState {
  invoice: Invoice | null;
  received: boolean;
  pending: boolean;
}

export function firstPaymentState(invoice: Invoice | null, pendingPayments = 0): FirstPaymentState {
  return { invoice, received: (invoice?.amountPaidMinor ?? 0n) > 0n, pending: pendingPayments > 0 };
}

const BEFORE_FIRST_PAYMENT = [OrderStatus.SUBMITTED, OrderStatus.AWAITING_FIRST_PAYMENT];

/** Quantity changes and item cancellation: item before payment, and no money in or on its way. */
export function refuseItemChange(order: Order, item: OrderItem, pay: FirstPaymentState): DomainError | null {
  if (item.status !== ItemStatus.BEFORE_PAYMENT || !BEFORE_FIRST_PAYMENT.includes(order.status)) {
    return new DomainError(UserErrorCode.ITEM_NOT_CHANGEABLE, `This item is ${humanize(item.status)}: only items before payment can be changed. Ask staff by message.`, ['input', 'itemId']);
  }
  if (pay.received || pay.pending) {
    return new DomainError(UserErrorCode.PAYMENT_IN_PROGRESS, 'A payment for this order has been made or reported, so its items can no longer be changed. Ask staff by message.', ['input', 'itemId']);
  }
  return null;
}

/** The customer's own cancellation: any time before a first payment is received. */
export function refuseCustomerCancel(order: Order, pay: FirstPaymentState): DomainError | null {
  if (!BEFORE_FIRST_PAYMENT.includes(order.status) || pay.received) {
    return new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, `The order is ${humanize(order.status)}: after the first payment, send a cancellation request instead.`, ['input', 'orderId']);
  }
  if (pay.pending) {
    return new DomainError(UserErrorCode.PAYMENT_IN_PROGRESS, 'A payment for this order is being confirmed; send a cancellation request or a message instead.', ['input', 'orderId']);
  }
  return null;
}

/** Paid and not yet shipped: the customer asks (a cancellation request), staff decide. */
export const CANCELLATION_REQUEST_WINDOW = [
  OrderStatus.PURCHASING,
  OrderStatus.AWAITING_ARRIVAL,
  OrderStatus.INSPECTING,
  OrderStatus.AWAITING_SECOND_PAYMENT,
  OrderStatus.PREPARING_SHIPMENT,
];

/**
 * Staff cancel any order not yet shipped; whatever was paid is refunded to the deposit. Not
 * while a payment is on its way (confirm or reject it first, so no money arrives afterwards).
 */
export function refuseStaffCancel(order: Order, pay: FirstPaymentState): DomainError | null {
  if (!BEFORE_FIRST_PAYMENT.includes(order.status) && !CANCELLATION_REQUEST_WINDOW.includes(order.status)) {
    return new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, `The order is ${humanize(order.status)} and can no longer be cancelled.`, ['input', 'orderId']);
  }
  if (pay.pending) {
    return new DomainError(UserErrorCode.PAYMENT_IN_PROGRESS, 'A payment for this order awaits confirmation: confirm or reject it first.', ['input', 'orderId']);
  }
  return null;
}

export function refuseCancellationRequest(order: Order): DomainError | null {
  if (!CANCELLATION_REQUEST_WINDOW.includes(order.status)) {
    const message = BEFORE_FIRST_PAYMENT.includes(order.status)
      ? 'Nothing has been paid yet: cancel the order directly.'
      : `The order is ${humanize(order.status)}: it can no longer be cancelled. Send a message instead.`;
    return new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, message, ['input', 'orderId']);
  }
  return null;
}

const ADDRESS_CHANGEABLE = [
  OrderStatus.SUBMITTED,
  OrderStatus.AWAITING_FIRST_PAYMENT,
  OrderStatus.PURCHASING,
  OrderStatus.AWAITING_ARRIVAL,
  OrderStatus.INSPECTING,
  OrderStatus.AWAITING_SECOND_PAYMENT,
];

/** Sony seed: the delivery address can change until shipment preparation starts. */
export function refuseAddressChange(order: Order): DomainError | null {
  if (!ADDRESS_CHANGEABLE.includes(order.status)) {
    return new DomainError(UserErrorCode.ADDRESS_NOT_CHANGEABLE, 'Shipment preparation has started: the delivery address can no longer be changed here. Ask staff by message.', ['input', 'orderId']);
  }
  return null;
}

export function refuseQuote(order: Order): DomainError | null {
  if (order.status !== OrderStatus.SUBMITTED) {
    return new DomainError(UserErrorCode.INVALID_STATE, `The order is ${humanize(order.status)}; only a submitted order can be quoted.`, ['input', 'orderId']);
  }
  return null;
}
