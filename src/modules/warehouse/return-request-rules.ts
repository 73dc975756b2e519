import { DomainError, UserErrorCode } from '../../common/errors';
import { humanize } from '../../common/state-machine';
import type { OrderItem } from '../orders/order-item.entity';
import type { Order } from '../orders/order.entity';
import { ItemStatus, OrderStatus } from '../orders/order-state';

/** After inspection and before the second invoice is paid: the parcel is not packed for good yet. */
export const EXCHANGE_REQUEST_WINDOW = [OrderStatus.INSPECTING, OrderStatus.AWAITING_SECOND_PAYMENT];

/**
 * The customer may ask for an exchange or return of an arrived item while the order is
 * inspected or its second invoice unpaid, one request at a time per item. `openRequest` is
 * unknown (undefined) where the caller has not loaded the item's requests.
 */
export function refuseExchangeRequest(order: Order, item: OrderItem, openRequest?: boolean): DomainError | null {
  if (item.status !== ItemStatus.ARRIVED) {
    return new DomainError(UserErrorCode.EXCHANGE_NOT_ALLOWED, `This item is ${humanize(item.status)}: an exchange or return can be asked once it has arrived and been inspected.`, ['input', 'itemId']);
  }
  if (!EXCHANGE_REQUEST_WINDOW.includes(order.status)) {
    return new DomainError(
      UserErrorCode.EXCHANGE_NOT_ALLOWED,
      `The order is ${humanize(order.status)}: exchanges and returns are asked after inspection and before the second payment. Send a message instead.`,
      ['input', 'itemId'],
    );
  }
  if (openRequest) {
    return new DomainError(UserErrorCode.EXCHANGE_ALREADY_REQUESTED, 'An exchange or return of this item is already in progress.', ['input', 'itemId']);
  }
  return null;
}
