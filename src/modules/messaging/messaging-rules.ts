import { addDays } from '../../common/clock';
import { DomainError, UserErrorCode } from '../../common/errors';
import type { OrderItem } from '../orders/order-item.entity';
import type { Order } from '../orders/order.entity';
import { ItemStatus, OrderStatus } from '../orders/order-state';

/** Completed and cancelled orders keep their thread open this long (seed 003). */
export const MESSAGING_DAYS_AFTER_CLOSE = 30;

/** Null while the order is in progress; else when its thread closes. */
export function messagingOpenUntil(order: Order): Date | null {
  const closedAt = order.status === OrderStatus.COMPLETED ? order.completedAt : order.status === OrderStatus.CANCELLED ? order.cancelledAt : null;
  return closedAt ? addDays(closedAt, MESSAGING_DAYS_AFTER_CLOSE) : null;
}

export function refuseMessage(order: Order, now: Date): DomainError | null {
  const until = messagingOpenUntil(order);
  if (until && now.getTime() > until.getTime()) {
    return new DomainError(
      UserErrorCode.MESSAGING_CLOSED,
      `Messages on this order closed on ${until.toISOString().slice(0, 10)}, ${MESSAGING_DAYS_AFTER_CLOSE} days after it was ${order.status.toLowerCase()}. Please use the contact form.`,
      ['input', 'orderId'],
    );
  }
  return null;
}

/** Seller questions: only about an item still before payment (staff ask before buying). */
export function refuseSellerQuestion(item: OrderItem | null): DomainError | null {
  if (!item) {
    return new DomainError(UserErrorCode.INVALID, 'Choose the item the seller question is about.', ['input', 'itemId']);
  }
  if (item.status !== ItemStatus.BEFORE_PAYMENT) {
    return new DomainError(
      UserErrorCode.SELLER_QUESTION_NOT_ALLOWED,
      'Seller questions can only be asked before the item is paid for. Send a normal message instead.',
      ['input', 'askSellerBeforePurchase'],
    );
  }
  return null;
}
