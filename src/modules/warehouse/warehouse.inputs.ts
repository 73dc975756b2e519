import { IsNotEmpty, IsOptional, MaxLength } from 'class-validator';
import { RefundTo } from '../refunds/refund-state';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { GraphQLUpload, type FileUploadPromise } from '../attachments/upload.scalar';
import { Attachment } from '../attachments/attachment.entity';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { GuestAccessInput } from '../orders/order.inputs';
import { ShippingMethod } from '../shipping/shipping-method';
import { Carrier } from './carriers';

@InputType()
export class OrderItemPurchaseInput {
  @Field(() => ID)
  itemId: string;

  @Field(() => Int, { description: 'How many were actually bought (the rest is refunded to the deposit).' })
  quantityBought: number;
}

export enum UnavailableReason {
  SOLD_OUT = 'SOLD_OUT',
  SELLER_UNREACHABLE = 'SELLER_UNREACHABLE',
  PRICE_CHANGED = 'PRICE_CHANGED',
  PROHIBITED = 'PROHIBITED',
  OTHER = 'OTHER',
}
registerEnumType(UnavailableReason, { name: 'UnavailableReason' });

@InputType()
export class OrderItemUnavailableInput {
  @Field(() => ID)
  itemId: string;

  @Field(() => UnavailableReason)
  reason: UnavailableReason;

  @Field(() => String, { nullable: true, description: 'Shown to the customer.' })
  @IsOptional()
  @MaxLength(1000)
  note?: string | null;

  @Field(() => RefundTo, {
    defaultValue: RefundTo.DEPOSIT,
    description: 'Where the refunded money goes: DEPOSIT (default) or ORIGINAL_METHOD (card through PayPal, bank transfer to a bank payout). A guest’s always goes back where it came from.',
  })
  refundTo: RefundTo = RefundTo.DEPOSIT;
}

@InputType()
export class OrderItemArrivalInput {
  @Field(() => ID)
  itemId: string;

  @Field(() => Int, { description: 'Counted at the warehouse; less than bought shows as a shortfall.' })
  receivedQuantity: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  note?: string | null;

  @Field(() => [GraphQLUpload], { nullable: true, description: 'Inspection photos: up to 10 JPG/PNG/GIF/WEBP/PDF files of 10 MB (multipart request).' })
  photos?: FileUploadPromise[] | null;
}

@InputType()
export class InvoiceLineInput {
  @Field()
  @IsNotEmpty()
  @MaxLength(200)
  description: string;

  @Field({ description: 'Yen, e.g. "500".' })
  amount: string;
}

/** The packed parcel and its shipping method, shared by single and combined second invoices. */
@InputType() // unreachable on its own, so not emitted: only its subclasses are
export abstract class PackedParcelInput {
  @Field(() => ShippingMethod, { nullable: true, description: 'Default: the method for the shipping priority (required for combined orders whose priorities differ).' })
  method?: ShippingMethod | null;

  @Field({ description: 'Measured after packing, e.g. "2.35".' })
  weightKg: string;

  @Field()
  lengthCm: string;

  @Field()
  widthCm: string;

  @Field()
  heightCm: string;
}

@InputType()
export class InvoiceSecondIssueInput extends PackedParcelInput {
  @Field(() => ID)
  orderId: string;

  @Field(() => [InvoiceLineInput], { defaultValue: [], description: 'Other costs: packing, exchange shipping, …' })
  extraLines: InvoiceLineInput[];
}

@InputType()
export class OrderShipInput {
  @Field(() => ID)
  orderId: string;

  @Field(() => Carrier)
  carrier: Carrier;

  @Field()
  trackingNumber: string;
}

@InputType()
export class OrderReceiptReportInput {
  @Field(() => ID)
  orderId: string;

  @Field(() => String, { nullable: true, description: 'A short comment about the service.' })
  @IsOptional()
  @MaxLength(300)
  comment?: string | null;

  @Field({ defaultValue: false, description: 'Publish the comment as a recent arrival report (date and text only).' })
  publishComment: boolean;

  @Field(() => GuestAccessInput, { nullable: true })
  guest?: GuestAccessInput | null;
}

@ObjectType({ description: 'What the warehouse counted and photographed for one item.' })
export class Inspection {
  @Field(() => Int)
  receivedQuantity: number;

  @Field(() => Int, { description: 'Bought but not received (0 when complete).' })
  shortfall: number;

  @Field(() => String, { nullable: true })
  note: string | null;

  @Field(() => [Attachment])
  photos: Attachment[];

  @Field()
  inspectedAt: Date;

  @Field(() => ID, { nullable: true, description: 'The exchange whose replacement this inspection is of; null for the first arrival.' })
  exchangeRequestId: string | null;
}

@ObjectType()
export class Shipment {
  @Field(() => Carrier)
  carrier: Carrier;

  @Field()
  carrierName: string;

  @Field()
  trackingNumber: string;

  @Field()
  trackingUrl: string;

  @Field()
  shippedAt: Date;
}

@ObjectType()
export class WarehouseItemPayload {
  @Field(() => OrderItem, { nullable: true })
  item?: OrderItem;

  @Field(() => Order, { nullable: true })
  order?: Order;

  @Field(() => [UserError])
  userErrors: UserError[];
}
