import { IsNotEmpty, IsOptional, MaxLength } from 'class-validator';
import { RefundTo } from '../refunds/refund-state';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { MoneyInput } from '../../common/money';
import { GraphQLUpload, type FileUploadPromise } from '../attachments/upload.scalar';
import { Message } from '../messaging/message.entity';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { GuestAccessInput } from '../orders/order.inputs';
import { ItemReturnRequest } from './return-request.entity';
import { ItemExchangeKind, LocalShippingPayer } from './return-request-state';

@InputType({ description: 'The customer’s request to exchange or return an arrived item.' })
export class ItemExchangeRequestInput {
  @Field(() => ID, { description: 'The item (ARRIVED), inspected and before the second payment.' })
  itemId: string;

  @Field(() => ItemExchangeKind, { description: 'Exchange or return.' })
  kind: ItemExchangeKind;

  @Field({ description: 'What is wrong (sent to the order’s thread with the photos).' })
  @IsNotEmpty({ message: 'Say what is wrong with the item.' })
  @MaxLength(2000)
  reason: string;

  @Field(() => [GraphQLUpload], { nullable: true, description: 'Up to 3 photos or PDFs (JPG, PNG, GIF, WEBP, PDF), 10 MB each, as for messages. Multipart request spec.' })
  photos?: FileUploadPromise[] | null;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'Staff: the seller’s answer to an exchange or return.' })
export class ItemExchangeDecideInput {
  @Field(() => ID, { description: 'The REQUESTED exchange or return.' })
  requestId: string;

  @Field({ description: 'The seller’s answer.' })
  sellerAccepted: boolean;

  @Field({ description: 'Shown to the customer.' })
  @IsNotEmpty({ message: 'Write a note to the customer.' })
  @MaxLength(1000)
  note: string;

  @Field(() => MoneyInput, {
    nullable: true,
    description:
      'Accepted only: the China-domestic shipping of the return (to the seller) or of the exchange (both ways), in CNY ' +
      '(converted at the order’s first-invoice rate, half up) or JPY. Leave out when there is none.',
  })
  @IsOptional()
  localShippingCost?: MoneyInput | null;

  @Field(() => LocalShippingPayer, { nullable: true, description: 'Who pays the local shipping; required when it is above zero.' })
  chargeTo?: LocalShippingPayer | null;

  @Field(() => RefundTo, {
    defaultValue: RefundTo.DEPOSIT,
    description: 'Where the refunded money goes: DEPOSIT (default) or ORIGINAL_METHOD (card through PayPal, bank transfer to a bank payout). A guest’s always goes back where it came from.',
  })
  refundTo: RefundTo = RefundTo.DEPOSIT;
}

@InputType({ description: 'The replacement of an accepted exchange arrived: inspected like an arrival (count, note, photos).' })
export class ItemExchangeCompleteInput {
  @Field(() => ID, { description: 'The SELLER_ACCEPTED exchange.' })
  requestId: string;

  @Field(() => Int, { description: 'Units of the replacement counted at the warehouse (0 to the quantity bought); less shows as a shortfall.' })
  receivedQuantity: number;

  @Field(() => String, { nullable: true, description: 'How the replacement looked at inspection (shown to the customer, as the item’s inspection note).' })
  @IsOptional()
  @MaxLength(1000)
  note?: string | null;

  @Field(() => [GraphQLUpload], {
    nullable: true,
    description: 'Inspection photos of the replacement: up to 10 JPG/PNG/GIF/WEBP/PDF files of 10 MB (multipart request). They become the item’s inspection photos.',
  })
  photos?: FileUploadPromise[] | null;
}

@ObjectType({ description: 'The request after the change, with its item and order, or userErrors.' })
export class ItemReturnRequestPayload {
  @Field(() => ItemReturnRequest, { nullable: true, description: 'The request after the change; null when refused.' })
  returnRequest?: ItemReturnRequest;

  @Field(() => OrderItem, { nullable: true, description: 'Its item after the change; null when refused.' })
  item?: OrderItem;

  @Field(() => Order, { nullable: true, description: 'Its order after the change; null when refused.' })
  order?: Order;

  @Field(() => Message, { nullable: true, description: 'The thread message carrying a new request and its photos.' })
  message?: Message;

  @Field(() => [UserError], { description: 'Why the request was refused; empty on success.' })
  userErrors: UserError[];
}
