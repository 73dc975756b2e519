import { DomainError, UserErrorCode } from '../../common/errors';
import { humanize } from '../../common/state-machine';
import type { OrderFacts } from '../lifecycle/order-facts';
import type { Order } from '../orders/order.entity';
import { OrderStatus } from '../orders/order-state';

/**
 * The rules of delivery problems, used by the mutations and by `availableActions` alike
 * (REPORT_PROBLEM for the customer, REPORT_DELIVERY_PROBLEM and RESOLVE_DELIVERY_PROBLEM for staff).
 */

/**
 * A problem is reported while the parcel is on its way (the order SHIPPED, not yet completed),
 * one at a time per order: a second report adds to the open one by message.
 */
export function refuseDeliveryProblemReport(order: Order, facts: Pick<OrderFacts, 'openDeliveryProblem'>): DomainError | null {
  if (order.status !== OrderStatus.SHIPPED) {
    return new DomainError(
      UserErrorCode.INVALID_STATE,
      `The order is ${humanize(order.status)}: delivery problems are reported after shipment and before the order is completed. Send a message instead.`,
      ['input', 'orderId'],
    );
  }
  if (facts.openDeliveryProblem) {
    return new DomainError(UserErrorCode.DELIVERY_PROBLEM_OPEN, 'A delivery problem of this order is already open and staff are on it: add to it by message.', ['input', 'orderId']);
  }
  return null;
}

/** Staff resolve the open problem (CLOSE always works; RESHIP and REFUND have their own rules below). */
export function refuseDeliveryProblemResolution(facts: Pick<OrderFacts, 'openDeliveryProblem'>, problemId?: string): DomainError | null {
  if (!facts.openDeliveryProblem || (problemId !== undefined && facts.openDeliveryProblem.id !== problemId)) {
    return new DomainError(UserErrorCode.INVALID_STATE, 'This delivery problem is already resolved.', ['input', 'problemId']);
  }
  return null;
}

/** A new parcel goes out only while the order is SHIPPED: once the customer reported receipt, refund or close instead. */
export function refuseReship(order: Order): DomainError | null {
  if (order.status !== OrderStatus.SHIPPED) {
    return new DomainError(
      UserErrorCode.INVALID_STATE,
      `The order is ${humanize(order.status)}: the customer has received it, so it is not shipped again. Refund or close the problem instead.`,
      ['input', 'resolution'],
    );
  }
  return null;
}

/** A refund is above zero and at most what was received on the order's invoices and not refunded yet. */
export function refuseProblemRefund(amount: bigint, refundable: bigint): DomainError | null {
  if (amount <= 0n) return new DomainError(UserErrorCode.INVALID, 'Give the amount to refund, above zero, in JPY.', ['input', 'refundAmount', 'amount']);
  if (amount > refundable) {
    return new DomainError(UserErrorCode.REFUND_EXCEEDS_PAID, `Only ¥${refundable} received on this order’s invoices is not refunded yet.`, ['input', 'refundAmount', 'amount']);
  }
  return null;
}
