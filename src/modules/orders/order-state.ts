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
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description: 'Where an order stands, in the order it passes through them; COMPLETED and CANCELLED are final.',
  valuesConfig: {
    SUBMITTED: { description: 'Application received; staff have not quoted it yet (cancelled if not quoted within 7 days).' },
    AWAITING_FIRST_PAYMENT: { description: 'Quoted: the first invoice (goods, China shipping, service fee) is open for 7 days; unpaid, the order is cancelled.' },
    PURCHASING: { description: 'First payment received; staff are buying the items from the sellers.' },
    AWAITING_ARRIVAL: { description: 'Everything buyable is bought; waiting for it at the China warehouse.' },
    INSPECTING: { description: 'Goods arrived; staff count, open and photograph them, then pack and weigh the parcel.' },
    AWAITING_SECOND_PAYMENT: { description: 'Packed: the second invoice (international shipping and costs known after packing) is open.' },
    PREPARING_SHIPMENT: { description: 'Second payment received; the parcel is being prepared for the carrier.' },
    SHIPPED: { description: 'Handed to the carrier with a tracking number (`shipment`).' },
    COMPLETED: { description: 'Final: the customer reported receipt, or 30 days passed after shipping.' },
    CANCELLED: { description: 'Final: cancelled by the customer, by staff, or unpaid 7 days after the quote (`cancelReason`); whatever was received is refunded.' },
  },
});

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
registerEnumType(OrderStatusGroup, {
  name: 'OrderStatusGroup',
  description: 'The tabs a client groups orders by.',
  valuesConfig: {
    IN_PROGRESS: { description: 'Every status but COMPLETED and CANCELLED.' },
    COMPLETED: { description: 'COMPLETED orders.' },
    CANCELLED: { description: 'CANCELLED orders.' },
  },
});

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
registerEnumType(ItemStatus, {
  name: 'ItemStatus',
  description: 'Where one item of an order stands, in the order it passes through them; UNAVAILABLE and CANCELLED are final.',
  valuesConfig: {
    BEFORE_PAYMENT: { description: '支払前: not paid yet; the quantity may change and seller questions may be asked.' },
    PURCHASING: { description: 'Paid for; staff are to buy it.' },
    PURCHASED: { description: 'Bought from the seller; on its way to the China warehouse.' },
    UNAVAILABLE: { description: 'Final: could not be bought (sold out, seller unreachable); what was paid for it is refunded.' },
    ARRIVED: { description: 'Received and inspected at the warehouse (`inspection`).' },
    CANCELLED: { description: 'Final: cancelled by the customer or staff; refunded if it was paid.' },
  },
});

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
registerEnumType(CancelReason, {
  name: 'CancelReason',
  description: 'Why an order was cancelled.',
  valuesConfig: {
    PRICE_CHANGE_DECLINED: { description: 'The customer declined a seller’s price rise, or did not answer or pay it by its due date.' },
    CUSTOMER_REQUEST: { description: 'The customer cancelled, or asked and staff agreed.' },
    ALL_ITEMS_CANCELLED: { description: 'The customer cancelled the last item.' },
    UNPAID_TIMEOUT: { description: 'The first invoice was unpaid 7 days after the quote.' },
    NOT_QUOTED: { description: 'No quote within 7 days of the application.' },
    PURCHASE_FAILED: { description: 'Nothing could be bought.' },
    FORWARDING_FAILED: { description: 'The goods cannot be shipped to Japan.' },
    PROHIBITED_ITEM: { description: 'The goods may not be exported or imported.' },
    DUPLICATE_ORDER: { description: 'Staff: the same order was placed twice.' },
    OTHER: { description: 'Staff: another reason, stated in `cancelNote`.' },
  },
});

export enum ShippingPriority {
  SPEED = 'SPEED', // fastest method, e.g. EMS
  ECONOMY = 'ECONOMY', // cheapest method, e.g. sea or SAL
}
registerEnumType(ShippingPriority, {
  name: 'ShippingPriority',
  description: 'What the customer prefers for the international shipping; it picks the default method staff ship with.',
  valuesConfig: {
    SPEED: { description: 'Fastest method, e.g. EMS (3–6 days).' },
    ECONOMY: { description: 'Cheapest method, e.g. sea parcel (weeks).' },
  },
});
