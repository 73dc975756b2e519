import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { Connection } from '../../common/pagination';
import { OrderItem } from './order-item.entity';
import { Order } from './order.entity';
import { StaffQueue } from './order.inputs';

registerEnumType(StaffQueue, { name: 'StaffQueue', description: 'What an order waits on staff for.' });

/** What the viewer can do with an order now (the seed's green buttons). */
export enum OrderAction {
  PAY_FIRST_INVOICE = 'PAY_FIRST_INVOICE',
  REPORT_BANK_TRANSFER = 'REPORT_BANK_TRANSFER',
  CHANGE_ITEMS = 'CHANGE_ITEMS',
  ASK_SELLER = 'ASK_SELLER',
  CANCEL_ORDER = 'CANCEL_ORDER',
  REQUEST_CANCELLATION = 'REQUEST_CANCELLATION',
  CHANGE_DELIVERY_ADDRESS = 'CHANGE_DELIVERY_ADDRESS',
  PAY_SECOND_INVOICE = 'PAY_SECOND_INVOICE',
  REPORT_RECEIPT = 'REPORT_RECEIPT',
  SEND_MESSAGE = 'SEND_MESSAGE',
  // staff
  QUOTE = 'QUOTE',
  CANCEL_BY_STAFF = 'CANCEL_BY_STAFF',
}
registerEnumType(OrderAction, { name: 'OrderAction' });

export enum ItemAction {
  CHANGE_QUANTITY = 'CHANGE_QUANTITY',
  CANCEL_ITEM = 'CANCEL_ITEM',
  ASK_SELLER = 'ASK_SELLER',
  REQUEST_EXCHANGE = 'REQUEST_EXCHANGE',
  REQUEST_RETURN = 'REQUEST_RETURN',
}
registerEnumType(ItemAction, { name: 'ItemAction' });

@ObjectType()
export class OrderConnection extends Connection(Order) {}

@ObjectType()
export class OrderPayload {
  @Field(() => Order, { nullable: true })
  order?: Order;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class OrderItemPayload {
  @Field(() => OrderItem, { nullable: true, description: 'The changed item (cancelled when the quantity became 0).' })
  item?: OrderItem;

  @Field(() => Order, { nullable: true, description: 'Its order, with the recomputed first invoice.' })
  order?: Order;

  @Field(() => [UserError])
  userErrors: UserError[];
}
