import {
  ArrayMaxSize, ArrayMinSize, IsEmail, IsIn, IsNotEmpty, IsOptional, IsUrl, Matches, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { MoneyInput } from '../../common/money';
import { RefundTo } from '../refunds/refund-state';
import { CancelReason, OrderStatusGroup, ShippingPriority } from './order-state';
import { PREFECTURES } from './prefectures';

export const MAX_ITEMS_PER_ORDER = 50;
export const MAX_QUANTITY = 999;
const PHONE = /^\+?[\d\s\-()]{9,20}$/;

@InputType({ description: 'A delivery address in Japan.' })
export class DeliveryAddressInput {
  @Field({ description: 'Who receives the parcel (at most 100 characters).' })
  @IsNotEmpty({ message: 'Enter the recipient’s name.' })
  @MaxLength(100)
  recipient: string;

  @Field({ description: 'NNN-NNNN, e.g. 150-0001.' })
  @Matches(/^\d{3}-\d{4}$/, { message: 'Write the postal code as NNN-NNNN, e.g. 150-0001.' })
  postalCode: string;

  @Field({ description: 'One of the 47 prefectures, e.g. 東京都.' })
  @IsIn(PREFECTURES as unknown as string[], { message: 'Choose one of the 47 prefectures, e.g. 東京都.' })
  prefecture: string;

  @Field({ description: 'City, ward, town or village.' })
  @IsNotEmpty({ message: 'Enter the city.' })
  @MaxLength(100)
  city: string;

  @Field({ description: 'Street address: district, block and number.' })
  @IsNotEmpty({ message: 'Enter the street address.' })
  @MaxLength(200)
  line1: string;

  @Field(() => String, { nullable: true, description: 'Building and room, if any.' })
  @IsOptional()
  @MaxLength(200)
  line2?: string | null;

  @Field({ description: 'The recipient’s phone number, e.g. 090-1234-5678 (the carrier calls it).' })
  @Matches(PHONE, { message: 'Enter a phone number such as 090-1234-5678.' })
  phone: string;
}

@InputType({ description: 'One product to buy.' })
export class OrderItemInput {
  @Field({ description: 'The product page (http or https), e.g. on Taobao, Tmall or 1688.' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: true }, { message: 'Give the product page as an http(s) address.' })
  @MaxLength(2000)
  productUrl: string;

  @Field({ description: 'The product name, as on the product page.' })
  @IsNotEmpty({ message: 'Enter the product name.' })
  @MaxLength(200)
  title: string;

  @Field(() => String, { nullable: true, description: 'Colour, size, …' })
  @IsOptional()
  @MaxLength(300)
  options?: string | null;

  @Field(() => Int, { description: 'How many, 1 to 999.' })
  @Min(1, { message: 'The quantity must be at least 1.' })
  @Max(MAX_QUANTITY)
  quantity: number;

  @Field(() => String, { nullable: true, description: 'Anything staff should know when buying it (at most 1,000 characters).' })
  @IsOptional()
  @MaxLength(1000)
  note?: string | null;
}

@InputType({ description: 'How a guest (no account) is reached; required when submitting without a token.' })
export class GuestContactInput {
  @Field({ description: 'Where order notices go.' })
  @IsEmail({}, { message: 'Enter a valid e-mail address.' })
  @MaxLength(254)
  email: string;

  @Field({ description: 'A Japanese phone number, e.g. 090-1234-5678; with the order number it opens the order later.' })
  @Matches(PHONE, { message: 'Enter a phone number such as 090-1234-5678.' })
  phone: string;
}

@InputType({ description: 'A guest proves access to their order with its number and the phone given when ordering.' })
export class GuestAccessInput {
  @Field({ description: 'The order number, as in the confirmation e-mail.' })
  orderNumber: string;

  @Field({ description: 'The phone number given when ordering (hyphens and spaces do not matter).' })
  phone: string;
}

@InputType({ description: 'An order application: what to buy and where to send it.' })
export class OrderSubmitInput {
  @Field(() => [OrderItemInput], { description: 'The products, 1 to 50.' })
  @ArrayMinSize(1, { message: 'Add at least one item.' })
  @ArrayMaxSize(MAX_ITEMS_PER_ORDER, { message: `An order holds at most ${MAX_ITEMS_PER_ORDER} items.` })
  @ValidateNested({ each: true })
  items: OrderItemInput[];

  @Field(() => DeliveryAddressInput, { description: 'Where the parcel goes in Japan.' })
  @ValidateNested()
  deliveryAddress: DeliveryAddressInput;

  @Field(() => ShippingPriority, { description: 'Speed or cost for the international shipping.' })
  shippingPriority: ShippingPriority;

  @Field(() => GuestContactInput, { nullable: true, description: 'Only without a token.' })
  @IsOptional()
  @ValidateNested()
  guest?: GuestContactInput | null;
}

@InputType({ description: 'Staff: the price of one item.' })
export class ItemQuoteInput {
  @Field(() => ID, { description: 'The item priced.' })
  itemId: string;

  @Field(() => MoneyInput, { description: 'Per unit, in CNY.' })
  unitPrice: MoneyInput;

  @Field(() => MoneyInput, { description: 'The seller’s shipping to our warehouse, in CNY (may be 0).' })
  chinaShipping: MoneyInput;
}

@InputType({ description: 'Staff: the quote of an order.' })
export class OrderQuoteInput {
  @Field(() => ID, { description: 'The order to quote (SUBMITTED).' })
  orderId: string;

  @Field({ description: 'JPY per 1 CNY, up to 4 decimals, e.g. "21.37".' })
  exchangeRate: string;

  @Field(() => [ItemQuoteInput], { description: 'Every item that is not cancelled, once.' })
  items: ItemQuoteInput[];
}

@InputType({ description: 'A new quantity for an item before payment.' })
export class OrderItemQuantityChangeInput {
  @Field(() => ID, { description: 'The item to change.' })
  itemId: string;

  @Field(() => Int, { description: '0 cancels the item.' })
  quantity: number;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'The order to cancel.' })
export class OrderCancelInput {
  @Field(() => ID, { description: 'The order.' })
  orderId: string;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'Staff: an order to cancel, and why.' })
export class OrderCancelByStaffInput {
  @Field(() => ID, { description: 'The order.' })
  orderId: string;

  @Field(() => CancelReason, { description: 'Why it is cancelled.' })
  reason: CancelReason;

  @Field({ description: 'Shown to the customer in the timeline.' })
  @IsNotEmpty({ message: 'Say why the order is cancelled.' })
  @MaxLength(1000)
  note: string;

  @Field(() => RefundTo, {
    defaultValue: RefundTo.DEPOSIT,
    description: 'Where the refunded money goes: DEPOSIT (default) or ORIGINAL_METHOD (card through PayPal, bank transfer to a bank payout). A guest’s always goes back where it came from.',
  })
  refundTo: RefundTo = RefundTo.DEPOSIT;
}

@InputType({ description: 'A new delivery address for an order.' })
export class OrderDeliveryAddressChangeInput {
  @Field(() => ID, { description: 'The order.' })
  orderId: string;

  @Field(() => DeliveryAddressInput, { description: 'The new address; replaces the old one.' })
  @ValidateNested()
  deliveryAddress: DeliveryAddressInput;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'A guest order to move into the signed-in account.' })
export class GuestOrderClaimInput {
  @Field({ description: 'The order number.' })
  orderNumber: string;

  @Field({ description: 'The phone number given when ordering.' })
  phone: string;
}

export enum StaffQueue {
  QUOTE = 'QUOTE',
  TRANSFER_CONFIRMATION = 'TRANSFER_CONFIRMATION',
  UNANSWERED_MESSAGE = 'UNANSWERED_MESSAGE',
  SELLER_QUESTION = 'SELLER_QUESTION',
  PURCHASE = 'PURCHASE',
  ARRIVAL = 'ARRIVAL',
  SECOND_INVOICE = 'SECOND_INVOICE',
  SHIPMENT = 'SHIPMENT',
  CANCELLATION_REQUEST = 'CANCELLATION_REQUEST',
  REPLY_OVERDUE = 'REPLY_OVERDUE',
  DELIVERY_PROBLEM = 'DELIVERY_PROBLEM',
  PRICE_CHANGE_RESPONSE = 'PRICE_CHANGE_RESPONSE',
}

@InputType({ description: 'Which orders to list; every field optional.' })
export class OrdersFilter {
  @Field(() => OrderStatusGroup, { nullable: true, description: 'Only orders in this group (tab); null for all.' })
  statusGroup?: OrderStatusGroup | null;

  @Field(() => String, { nullable: true, description: 'Staff only: an order number, e-mail or phone.' })
  search?: string | null;

  @Field(() => StaffQueue, { nullable: true, description: 'Staff only: orders waiting on staff for this step, oldest first (UNANSWERED_MESSAGE and SELLER_QUESTION: the one waiting longest first).' })
  awaiting?: StaffQueue | null;
}
