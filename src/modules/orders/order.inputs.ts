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

@InputType()
export class DeliveryAddressInput {
  @Field()
  @IsNotEmpty({ message: 'Enter the recipient’s name.' })
  @MaxLength(100)
  recipient: string;

  @Field({ description: 'NNN-NNNN, e.g. 150-0001.' })
  @Matches(/^\d{3}-\d{4}$/, { message: 'Write the postal code as NNN-NNNN, e.g. 150-0001.' })
  postalCode: string;

  @Field({ description: 'One of the 47 prefectures, e.g. 東京都.' })
  @IsIn(PREFECTURES as unknown as string[], { message: 'Choose one of the 47 prefectures, e.g. 東京都.' })
  prefecture: string;

  @Field()
  @IsNotEmpty({ message: 'Enter the city.' })
  @MaxLength(100)
  city: string;

  @Field()
  @IsNotEmpty({ message: 'Enter the street address.' })
  @MaxLength(200)
  line1: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  line2?: string | null;

  @Field()
  @Matches(PHONE, { message: 'Enter a phone number such as 090-1234-5678.' })
  phone: string;
}

@InputType()
export class OrderItemInput {
  @Field({ description: 'The product page (http or https), e.g. on Taobao, Tmall or 1688.' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: true }, { message: 'Give the product page as an http(s) address.' })
  @MaxLength(2000)
  productUrl: string;

  @Field()
  @IsNotEmpty({ message: 'Enter the product name.' })
  @MaxLength(200)
  title: string;

  @Field(() => String, { nullable: true, description: 'Colour, size, …' })
  @IsOptional()
  @MaxLength(300)
  options?: string | null;

  @Field(() => Int)
  @Min(1, { message: 'The quantity must be at least 1.' })
  @Max(MAX_QUANTITY)
  quantity: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(1000)
  note?: string | null;
}

@InputType({ description: 'How a guest (no account) is reached; required when submitting without a token.' })
export class GuestContactInput {
  @Field()
  @IsEmail({}, { message: 'Enter a valid e-mail address.' })
  @MaxLength(254)
  email: string;

  @Field()
  @Matches(PHONE, { message: 'Enter a phone number such as 090-1234-5678.' })
  phone: string;
}

@InputType({ description: 'A guest proves access to their order with its number and the phone given when ordering.' })
export class GuestAccessInput {
  @Field()
  orderNumber: string;

  @Field()
  phone: string;
}

@InputType()
export class OrderSubmitInput {
  @Field(() => [OrderItemInput])
  @ArrayMinSize(1, { message: 'Add at least one item.' })
  @ArrayMaxSize(MAX_ITEMS_PER_ORDER, { message: `An order holds at most ${MAX_ITEMS_PER_ORDER} items.` })
  @ValidateNested({ each: true })
  items: OrderItemInput[];

  @Field(() => DeliveryAddressInput)
  @ValidateNested()
  deliveryAddress: DeliveryAddressInput;

  @Field(() => ShippingPriority)
  shippingPriority: ShippingPriority;

  @Field(() => GuestContactInput, { nullable: true, description: 'Only without a token.' })
  @IsOptional()
  @ValidateNested()
  guest?: GuestContactInput | null;
}

@InputType()
export class ItemQuoteInput {
  @Field(() => ID)
  itemId: string;

  @Field(() => MoneyInput, { description: 'Per unit, in CNY.' })
  unitPrice: MoneyInput;

  @Field(() => MoneyInput, { description: 'The seller’s shipping to our warehouse, in CNY (may be 0).' })
  chinaShipping: MoneyInput;
}

@InputType()
export class OrderQuoteInput {
  @Field(() => ID)
  orderId: string;

  @Field({ description: 'JPY per 1 CNY, up to 4 decimals, e.g. "21.37".' })
  exchangeRate: string;

  @Field(() => [ItemQuoteInput], { description: 'Every item that is not cancelled, once.' })
  items: ItemQuoteInput[];
}

@InputType()
export class OrderItemQuantityChangeInput {
  @Field(() => ID)
  itemId: string;

  @Field(() => Int, { description: '0 cancels the item.' })
  quantity: number;

  @Field(() => GuestAccessInput, { nullable: true })
  guest?: GuestAccessInput | null;
}

@InputType()
export class OrderCancelInput {
  @Field(() => ID)
  orderId: string;

  @Field(() => GuestAccessInput, { nullable: true })
  guest?: GuestAccessInput | null;
}

@InputType()
export class OrderCancelByStaffInput {
  @Field(() => ID)
  orderId: string;

  @Field(() => CancelReason)
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

@InputType()
export class OrderDeliveryAddressChangeInput {
  @Field(() => ID)
  orderId: string;

  @Field(() => DeliveryAddressInput)
  @ValidateNested()
  deliveryAddress: DeliveryAddressInput;

  @Field(() => GuestAccessInput, { nullable: true })
  guest?: GuestAccessInput | null;
}

@InputType()
export class GuestOrderClaimInput {
  @Field()
  orderNumber: string;

  @Field()
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
}

@InputType()
export class OrdersFilter {
  @Field(() => OrderStatusGroup, { nullable: true })
  statusGroup?: OrderStatusGroup | null;

  @Field(() => String, { nullable: true, description: 'Staff only: an order number, e-mail or phone.' })
  search?: string | null;

  @Field(() => StaffQueue, { nullable: true, description: 'Staff only: orders waiting on staff for this step, oldest first (UNANSWERED_MESSAGE and SELLER_QUESTION: the one waiting longest first).' })
  awaiting?: StaffQueue | null;
}
