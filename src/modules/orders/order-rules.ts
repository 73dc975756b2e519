import { DomainError, UserErrorCode } from '../../common/errors';
import { humanize } from '../../common/state-machine';
import type { Invoice } from '../invoices/invoice.entity';
import type { OrderFacts } from '../lifecycle/order-facts';
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

/**
 * Before shipment the customer always has exactly one way out, and each refusal names the
 * other: `orderCancel` while no money was received or is on its way; a cancellation request
 * (staff decide) from then until shipment.
 */
export function refuseCustomerCancel(order: Order, pay: FirstPaymentState): DomainError | null {
  if (!BEFORE_FIRST_PAYMENT.includes(order.status)) {
    return CANCELLATION_REQUEST_WINDOW.includes(order.status)
      ? new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, `The order is ${humanize(order.status)}: after the first payment, send a cancellation request (staff decide).`, ['input', 'orderId'])
      : closedForCancellation(order);
  }
  if (pay.received) {
    return new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, 'Part of the first invoice has been paid: send a cancellation request, and staff refund what was received.', ['input', 'orderId']);
  }
  if (pay.pending) {
    return new DomainError(UserErrorCode.PAYMENT_IN_PROGRESS, 'A payment for this order is being confirmed: send a cancellation request instead.', ['input', 'orderId']);
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

/** Whether money of the first invoice was received or is on its way (then only staff may cancel). */
function moneyIn(order: Order, pay: FirstPaymentState): boolean {
  return order.status === OrderStatus.AWAITING_FIRST_PAYMENT && (pay.received || pay.pending);
}

/**
 * Asking staff to cancel: from the moment money is received or on its way until shipment, one
 * request at a time (`pendingRequest`, when known). Until the first invoice is paid in full,
 * only the whole order (its items are still being priced together).
 */
export function refuseCancellationRequest(order: Order, pay: FirstPaymentState, perItem = false, pendingRequest = false): DomainError | null {
  if (!CANCELLATION_REQUEST_WINDOW.includes(order.status) && !moneyIn(order, pay)) {
    return BEFORE_FIRST_PAYMENT.includes(order.status)
      ? new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, 'Nothing has been paid yet: cancel the order directly.', ['input', 'orderId'])
      : closedForCancellation(order);
  }
  if (perItem && order.status === OrderStatus.AWAITING_FIRST_PAYMENT) {
    return new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, 'Until the first invoice is paid in full, ask to cancel the whole order (leave out itemIds).', ['input', 'itemIds']);
  }
  if (pendingRequest) {
    return new DomainError(UserErrorCode.CANCELLATION_ALREADY_REQUESTED, 'A cancellation request for this order is already waiting for staff.', ['input', 'orderId']);
  }
  return null;
}

/**
 * Staff cancel any order not yet shipped (on their own, or approving a request); whatever was
 * received is refunded. Not while a payment is on its way: confirm or reject it first, so no
 * money arrives afterwards.
 */
export function refuseStaffCancel(order: Order, pay: FirstPaymentState): DomainError | null {
  if (!BEFORE_FIRST_PAYMENT.includes(order.status) && !CANCELLATION_REQUEST_WINDOW.includes(order.status)) {
    return new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, `The order is ${humanize(order.status)} and can no longer be cancelled: reject the request or resolve a delivery problem instead.`, ['input', 'orderId']);
  }
  if (pay.pending) {
    return new DomainError(UserErrorCode.PAYMENT_IN_PROGRESS, 'A payment for this order awaits confirmation: confirm or reject it first.', ['input', 'orderId']);
  }
  return null;
}

/** Approving a cancellation request is a staff cancellation (of the order or some items). */
export const refuseApproval = refuseStaffCancel;

function closedForCancellation(order: Order): DomainError {
  return new DomainError(
    UserErrorCode.ORDER_NOT_CANCELLABLE,
    `The order is ${humanize(order.status)}: it can no longer be cancelled. ${order.status === OrderStatus.SHIPPED ? 'Report a delivery problem if something went wrong.' : 'Send a message instead.'}`,
    ['input', 'orderId'],
  );
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

/** The second invoice is issued once every item has arrived and been inspected, with no exchange or return open. */
export function refuseSecondInvoice(order: Order, facts: Pick<OrderFacts, 'openReturns'>): DomainError | null {
  if (order.status !== OrderStatus.INSPECTING) {
    return new DomainError(UserErrorCode.INVALID_STATE, 'The second invoice is issued once every item has arrived and been inspected.', ['input', 'orderId']);
  }
  return facts.openReturns.length ? openExchange() : null;
}

/**
 * A single order ships once its second invoice is paid, with no exchange or return open and no
 * cancellation request undecided (decide it first: the customer asked not to receive it).
 * A grouped order ships with its group (`orderShipCombined`).
 */
export function refuseShipment(order: Order, facts: OrderFacts): DomainError | null {
  if (order.status !== OrderStatus.PREPARING_SHIPMENT) {
    return new DomainError(UserErrorCode.INVALID_STATE, 'Only an order whose second invoice is paid can ship.', ['input', 'orderId']);
  }
  if (facts.grouped) return new DomainError(UserErrorCode.SHIPMENT_GROUPED, 'This order ships in a combined parcel: ship the whole group with orderShipCombined.', ['input', 'orderId']);
  if (facts.openReturns.length) return openExchange();
  if (facts.cancellationPending) {
    return new DomainError(UserErrorCode.CANCELLATION_ALREADY_REQUESTED, 'The customer asked to cancel this order: decide the cancellation request before shipping.', ['input', 'orderId']);
  }
  return null;
}

export function refuseReceiptReport(order: Order): DomainError | null {
  if (order.status !== OrderStatus.SHIPPED) {
    return new DomainError(UserErrorCode.INVALID_STATE, 'Receipt can be reported once the order has shipped.', ['input', 'orderId']);
  }
  return null;
}

function openExchange(): DomainError {
  return new DomainError(UserErrorCode.EXCHANGE_IN_PROGRESS, 'An exchange or return of an item is in progress: settle it first.', ['input', 'orderId']);
}
