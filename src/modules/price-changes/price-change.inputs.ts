import { IsNotEmpty, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { MoneyInput } from '../../common/money';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { GuestAccessInput } from '../orders/order.inputs';
import { RefundTo } from '../refunds/refund-state';
import { PriceChange } from './price-change.entity';

export const PRICE_CHANGE_NOTE_MAX = 1000;

@InputType({ description: 'The seller’s new price for an item paid for and not yet bought. Give the new unit price, the new China shipping, or both.' })
export class OrderItemPriceChangeInput {
  @Field(() => ID, { description: 'An item in PURCHASING (paid for, not yet bought) with no price change waiting.' })
  itemId: string;

  @Field(() => MoneyInput, { nullable: true, description: 'The new unit price in CNY (above zero); left out, it stays as it is.' })
  unitPrice?: MoneyInput | null;

  @Field(() => MoneyInput, { nullable: true, description: 'The new China shipping for the item in CNY; left out, it stays as it is.' })
  chinaShipping?: MoneyInput | null;

  @Field({ description: `Why the price changed, as the customer will read it (1 to ${PRICE_CHANGE_NOTE_MAX} characters).` })
  @IsNotEmpty({ message: 'Say why the price changed.' })
  @MaxLength(PRICE_CHANGE_NOTE_MAX)
  note: string;

  @Field(() => RefundTo, {
    defaultValue: RefundTo.DEPOSIT,
    description: 'For a fall: where the difference goes, DEPOSIT (default) or ORIGINAL_METHOD. A guest’s always goes back where it came from.',
  })
  refundTo: RefundTo = RefundTo.DEPOSIT;
}

@InputType({ description: 'The customer’s answer to a price rise.' })
export class PriceChangeRespondInput {
  @Field(() => ID, { description: 'A price change AWAITING_RESPONSE (or ACCEPTED, to decline after all) on your order.' })
  priceChangeId: string;

  @Field({ description: 'true: accept, then pay the additional invoice with `invoicePay` by its due date. false: decline; the item is cancelled and what was paid for it refunded.' })
  accept: boolean;

  @Field(() => RefundTo, {
    defaultValue: RefundTo.DEPOSIT,
    description: 'On declining: where the refund goes, DEPOSIT (default) or ORIGINAL_METHOD. A guest’s always goes back where it came from.',
  })
  refundTo: RefundTo = RefundTo.DEPOSIT;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s order number and phone, instead of signing in.' })
  guest?: GuestAccessInput | null;
}

@ObjectType({ description: 'The result of recording or answering a price change.' })
export class PriceChangePayload {
  @Field(() => PriceChange, { nullable: true, description: 'The price change as it stands now.' })
  priceChange?: PriceChange;

  @Field(() => OrderItem, { nullable: true, description: 'The item it is about.' })
  item?: OrderItem;

  @Field(() => Order, { nullable: true, description: 'The order, with its invoices and refunds as they stand now.' })
  order?: Order;

  @Field(() => [UserError], { description: 'Why nothing changed, if so.' })
  userErrors: UserError[];
}
