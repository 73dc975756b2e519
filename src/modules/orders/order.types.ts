import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { Connection } from '../../common/pagination';
import { OrderItem } from './order-item.entity';
import { Order } from './order.entity';
import { StaffQueue } from './order.inputs';

registerEnumType(StaffQueue, {
  name: 'StaffQueue',
  description: 'What an order waits on staff for.',
  valuesConfig: {
    QUOTE: { description: 'SUBMITTED orders to quote.' },
    TRANSFER_CONFIRMATION: { description: 'A reported bank transfer to confirm or reject.' },
    UNANSWERED_MESSAGE: { description: 'The customer’s latest message has no staff reply after it; completing or cancelling the order takes it out until the customer writes again, and the thread closing (30 days after) for good. Longest waiting first.' },
    SELLER_QUESTION: { description: 'A question for the seller (askSellerBeforePurchase) is not answered yet, on an order not completed or cancelled. Longest waiting first.' },
    PURCHASE: { description: 'PURCHASING orders: items to buy.' },
    ARRIVAL: { description: 'AWAITING_ARRIVAL orders: goods to receive at the warehouse.' },
    SECOND_INVOICE: { description: 'INSPECTING orders: to pack, weigh and bill the second invoice.' },
    SHIPMENT: { description: 'PREPARING_SHIPMENT orders: parcels to hand to the carrier.' },
    CANCELLATION_REQUEST: { description: 'A cancellation request waits for a decision (its `waitingHours` say how long; seed 002: chase after 48).' },
    REPLY_OVERDUE: { description: 'A reply deadline staff set has passed without the customer’s reply (seed 001): staff may now cancel.' },
    DELIVERY_PROBLEM: { description: 'A delivery problem is open: reship, refund or close it.' },
    PRICE_CHANGE_RESPONSE: { description: 'A seller’s price rise waits for the customer to accept and pay or decline (`Order.priceChanges`); the item is not bought meanwhile. Chase the customer before its `dueAt`.' },
  },
});

/** What the viewer can do with an order now (the seed's green buttons). */
export enum OrderAction {
  PAY_FIRST_INVOICE = 'PAY_FIRST_INVOICE',
  REPORT_BANK_TRANSFER = 'REPORT_BANK_TRANSFER',
  CHANGE_ITEMS = 'CHANGE_ITEMS',
  ASK_SELLER = 'ASK_SELLER',
  CANCEL_ORDER = 'CANCEL_ORDER',
  REQUEST_CANCELLATION = 'REQUEST_CANCELLATION',
  CHANGE_DELIVERY_ADDRESS = 'CHANGE_DELIVERY_ADDRESS',
  RESPOND_PRICE_CHANGE = 'RESPOND_PRICE_CHANGE',
  PAY_ADDITIONAL_INVOICE = 'PAY_ADDITIONAL_INVOICE',
  PAY_SECOND_INVOICE = 'PAY_SECOND_INVOICE',
  REPORT_RECEIPT = 'REPORT_RECEIPT',
  REPORT_PROBLEM = 'REPORT_PROBLEM',
  SEND_MESSAGE = 'SEND_MESSAGE',
  // staff
  QUOTE = 'QUOTE',
  CONFIRM_TRANSFER = 'CONFIRM_TRANSFER',
  CHANGE_ITEM_PRICE = 'CHANGE_ITEM_PRICE',
  PURCHASE_ITEM = 'PURCHASE_ITEM',
  MARK_UNAVAILABLE = 'MARK_UNAVAILABLE',
  MARK_ARRIVED = 'MARK_ARRIVED',
  DECIDE_EXCHANGE = 'DECIDE_EXCHANGE',
  COMPLETE_EXCHANGE = 'COMPLETE_EXCHANGE',
  ISSUE_SECOND_INVOICE = 'ISSUE_SECOND_INVOICE',
  SHIP = 'SHIP',
  DECIDE_CANCELLATION = 'DECIDE_CANCELLATION',
  ANSWER_SELLER_QUESTION = 'ANSWER_SELLER_QUESTION',
  REPORT_DELIVERY_PROBLEM = 'REPORT_DELIVERY_PROBLEM',
  RESOLVE_DELIVERY_PROBLEM = 'RESOLVE_DELIVERY_PROBLEM',
  CANCEL_BY_STAFF = 'CANCEL_BY_STAFF',
}
registerEnumType(OrderAction, {
  name: 'OrderAction',
  description: 'A step the viewer can take on the order now; offered only when the mutation behind it would succeed with valid input.',
  valuesConfig: {
    PAY_FIRST_INVOICE: { description: 'invoicePay on the first invoice.' },
    REPORT_BANK_TRANSFER: { description: 'paymentBankTransferReport: say the chosen transfer was sent.' },
    CHANGE_ITEMS: { description: 'orderItemQuantityChange: before any payment.' },
    ASK_SELLER: { description: 'messageSend with askSellerBeforePurchase, about an item before payment.' },
    CANCEL_ORDER: { description: 'orderCancel: while nothing has been received or is on its way.' },
    REQUEST_CANCELLATION: { description: 'orderCancellationRequest: once money is received or on its way, until shipment.' },
    CHANGE_DELIVERY_ADDRESS: { description: 'orderDeliveryAddressChange: until shipment preparation starts.' },
    RESPOND_PRICE_CHANGE: { description: 'priceChangeRespond: accept or decline a seller’s price rise waiting for your answer (`Order.priceChanges`).' },
    PAY_ADDITIONAL_INVOICE: { description: 'invoicePay on an additional invoice (a price rise); paying it accepts the rise.' },
    PAY_SECOND_INVOICE: { description: 'invoicePay on the second invoice.' },
    REPORT_RECEIPT: { description: 'orderReceiptReport: the parcel arrived (also while a delivery problem is open; staff still resolve it).' },
    REPORT_PROBLEM: { description: 'orderProblemReport: something went wrong with the shipped parcel; while no problem is open.' },
    SEND_MESSAGE: { description: 'messageSend: the thread is open.' },
    QUOTE: { description: 'Staff: orderQuote.' },
    CONFIRM_TRANSFER: { description: 'Staff: paymentConfirm or paymentReject of a reported transfer.' },
    CHANGE_ITEM_PRICE: { description: 'Staff: orderItemPriceChange of an item paid for and not yet bought, with no price change waiting.' },
    PURCHASE_ITEM: { description: 'Staff: orderItemPurchase of an item with no open seller question and no price change waiting.' },
    MARK_UNAVAILABLE: { description: 'Staff: orderItemUnavailable.' },
    MARK_ARRIVED: { description: 'Staff: orderItemArrival of a bought item.' },
    DECIDE_EXCHANGE: { description: 'Staff: itemExchangeDecide with the seller’s answer.' },
    COMPLETE_EXCHANGE: { description: 'Staff: itemExchangeComplete once the replacement is inspected.' },
    ISSUE_SECOND_INVOICE: { description: 'Staff: invoiceSecondIssue.' },
    SHIP: { description: 'Staff: orderShip.' },
    DECIDE_CANCELLATION: { description: 'Staff: cancellationRequestDecide. Rejecting is always possible; approving when CANCEL_BY_STAFF is offered too (the same rule).' },
    ANSWER_SELLER_QUESTION: { description: 'Staff: messageSend about the item with the seller’s answer.' },
    REPORT_DELIVERY_PROBLEM: { description: 'Staff: orderDeliveryProblemReport, after shipment while no problem is open.' },
    RESOLVE_DELIVERY_PROBLEM: { description: 'Staff: orderDeliveryProblemResolve of the open delivery problem (RESHIP, REFUND or CLOSE).' },
    CANCEL_BY_STAFF: { description: 'Staff: orderCancelByStaff; whatever was received is refunded.' },
  },
});

export enum ItemAction {
  CHANGE_QUANTITY = 'CHANGE_QUANTITY',
  CANCEL_ITEM = 'CANCEL_ITEM',
  ASK_SELLER = 'ASK_SELLER',
  REQUEST_EXCHANGE = 'REQUEST_EXCHANGE',
  REQUEST_RETURN = 'REQUEST_RETURN',
}
registerEnumType(ItemAction, {
  name: 'ItemAction',
  description: 'A step the viewer can take on an item now; offered only when the mutation behind it would succeed.',
  valuesConfig: {
    CHANGE_QUANTITY: { description: 'orderItemQuantityChange: before any payment.' },
    CANCEL_ITEM: { description: 'orderItemQuantityChange with quantity 0: before any payment.' },
    ASK_SELLER: { description: 'messageSend with askSellerBeforePurchase about this item, before it is paid for.' },
    REQUEST_EXCHANGE: { description: 'itemExchangeRequest (EXCHANGE): the item arrived and was inspected, before the second payment.' },
    REQUEST_RETURN: { description: 'itemExchangeRequest (RETURN): the item arrived and was inspected, before the second payment.' },
  },
});

@ObjectType({ description: 'A page of orders.' })
export class OrderConnection extends Connection(Order) {}

@ObjectType({ description: 'The order as changed, or userErrors.' })
export class OrderPayload {
  @Field(() => Order, { nullable: true, description: 'The order after the change; null when refused.' })
  order?: Order;

  @Field(() => [UserError], { description: 'Why the change was refused; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'The changed item and its order, or userErrors.' })
export class OrderItemPayload {
  @Field(() => OrderItem, { nullable: true, description: 'The changed item (cancelled when the quantity became 0).' })
  item?: OrderItem;

  @Field(() => Order, { nullable: true, description: 'Its order, with the recomputed first invoice.' })
  order?: Order;

  @Field(() => [UserError], { description: 'Why the change was refused; empty on success.' })
  userErrors: UserError[];
}
