import { registerEnumType } from 'type-graphql';
import type { TransitionTable } from '../../common/state-machine';

export enum OrderStatus {
  SUBMITTED = 'SUBMITTED', // application received; staff have not quoted it yet
  AWAITING_FIRST_PAYMENT = 'AWAITING_FIRST_PAYMENT', // quoted; the first invoice is open (7 days)
  PURCHASING = 'PURCHASING', // first payment received; staff are buying the items
  AWAITING_ARRIVAL = 'AWAITING_ARRIVAL', // everything buyable is bought; waiting at the China warehouse
  INSPECTING = 'INSPECTING', // goods arrived; staff count, open and photograph them
  AWAITING_SECOND_PAYMENT = 'AWAITING_SECOND_PAYMENT', // packed; the second invoice (international shipping) is open
  PREPARING_SHIPMENT = 'PREPARING_SHIPMENT', // second payment received; the parcel is being prepared
  SHIPPED = 'SHIPPED', // handed to the carrier with a tracking number
  COMPLETED = 'COMPLETED', // receipt reported, or 30 days after shipping
  CANCELLED = 'CANCELLED', // by the customer, by staff, or unpaid 7 days after the quote
}
registerEnumType(OrderStatus, { name: 'OrderStatus' });

export const ORDER_TRANSITIONS: TransitionTable<OrderStatus> = {
  SUBMITTED: [OrderStatus.AWAITING_FIRST_PAYMENT, OrderStatus.CANCELLED],
  AWAITING_FIRST_PAYMENT: [OrderStatus.PURCHASING, OrderStatus.CANCELLED],
  PURCHASING: [OrderStatus.AWAITING_ARRIVAL, OrderStatus.CANCELLED],
  AWAITING_ARRIVAL: [OrderStatus.INSPECTING, OrderStatus.CANCELLED],
  INSPECTING: [OrderStatus.AWAITING_SECOND_PAYMENT, OrderStatus.CANCELLED],
  AWAITING_SECOND_PAYMENT: [OrderStatus.PREPARING_SHIPMENT, OrderStatus.CANCELLED],
  PREPARING_SHIPMENT: [OrderStatus.SHIPPED, OrderStatus.CANCELLED],
  SHIPPED: [OrderStatus.COMPLETED],
  COMPLETED: [],
  CANCELLED: [],
};

/** The statuses a client groups orders by (the seed's tabs). */
export enum OrderStatusGroup {
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(OrderStatusGroup, { name: 'OrderStatusGroup' });

export const STATUS_GROUPS: Record<OrderStatusGroup, OrderStatus[]> = {
  IN_PROGRESS: Object.values(OrderStatus).filter((s) => s !== OrderStatus.COMPLETED && s !== OrderStatus.CANCELLED),
  COMPLETED: [OrderStatus.COMPLETED],
  CANCELLED: [OrderStatus.CANCELLED],
};

export enum ItemStatus {
  BEFORE_PAYMENT = 'BEFORE_PAYMENT', // 支払前: quantity may change, seller questions may be asked
  PURCHASING = 'PURCHASING', // paid for; staff are to buy it
  PURCHASED = 'PURCHASED', // bought from the seller
  UNAVAILABLE = 'UNAVAILABLE', // could not be bought (sold out, seller unreachable); refunded
  ARRIVED = 'ARRIVED', // received and inspected at the warehouse
  CANCELLED = 'CANCELLED', // cancelled by the customer or staff; refunded if it was paid
}
registerEnumType(ItemStatus, { name: 'ItemStatus' });

export const ITEM_TRANSITIONS: TransitionTable<ItemStatus> = {
  BEFORE_PAYMENT: [ItemStatus.PURCHASING, ItemStatus.CANCELLED],
  PURCHASING: [ItemStatus.PURCHASED, ItemStatus.UNAVAILABLE, ItemStatus.CANCELLED],
  PURCHASED: [ItemStatus.ARRIVED, ItemStatus.CANCELLED],
  ARRIVED: [ItemStatus.CANCELLED],
  UNAVAILABLE: [],
  CANCELLED: [],
};

/** Items that still count: they are bought, billed and shipped. */
export const LIVE_ITEM_STATUSES = [ItemStatus.BEFORE_PAYMENT, ItemStatus.PURCHASING, ItemStatus.PURCHASED, ItemStatus.ARRIVED];

export enum CancelReason {
  CUSTOMER_REQUEST = 'CUSTOMER_REQUEST', // the customer cancelled, or asked and staff agreed
  ALL_ITEMS_CANCELLED = 'ALL_ITEMS_CANCELLED', // the customer cancelled the last item
  UNPAID_TIMEOUT = 'UNPAID_TIMEOUT', // first invoice unpaid 7 days after the quote
  NOT_QUOTED = 'NOT_QUOTED', // no quote within 7 days of the application (seed 003)
  PURCHASE_FAILED = 'PURCHASE_FAILED', // nothing could be bought
  PRICE_CHANGE_DECLINED = 'PRICE_CHANGE_DECLINED', // the customer declined (or let lapse) a seller's price rise
  FORWARDING_FAILED = 'FORWARDING_FAILED', // the goods cannot be shipped to Japan
  PROHIBITED_ITEM = 'PROHIBITED_ITEM', // the goods may not be exported or imported
  DUPLICATE_ORDER = 'DUPLICATE_ORDER',
  OTHER = 'OTHER',
}
registerEnumType(CancelReason, { name: 'CancelReason' });

export enum ShippingPriority {
  SPEED = 'SPEED', // fastest method, e.g. EMS
  ECONOMY = 'ECONOMY', // cheapest method, e.g. sea or SAL
}
registerEnumType(ShippingPriority, { name: 'ShippingPriority' });
