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

@InputType({ description: 'Staff: an item bought from the seller.' })
export class OrderItemPurchaseInput {
  @Field(() => ID, { description: 'The item (PURCHASING).' })
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
registerEnumType(UnavailableReason, {
  name: 'UnavailableReason',
  description: 'Why staff could not buy an item.',
  valuesConfig: {
    SOLD_OUT: { description: 'The seller has none left.' },
    SELLER_UNREACHABLE: { description: 'The seller did not answer.' },
    PRICE_CHANGED: { description: 'The seller’s price is no longer the quoted one.' },
    PROHIBITED: { description: 'The goods may not be exported from China or imported into Japan.' },
    OTHER: { description: 'Another reason, stated in the note.' },
  },
});

@InputType({ description: 'Staff: an item that cannot be bought.' })
export class OrderItemUnavailableInput {
  @Field(() => ID, { description: 'The item (PURCHASING).' })
  itemId: string;

  @Field(() => UnavailableReason, { description: 'Why it cannot be bought.' })
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

@InputType({ description: 'Staff: an item received and inspected at the warehouse.' })
export class OrderItemArrivalInput {
  @Field(() => ID, { description: 'The item (PURCHASED).' })
  itemId: string;

  @Field(() => Int, { description: 'Counted at the warehouse; less than bought shows as a shortfall.' })
  receivedQuantity: number;

  @Field(() => String, { nullable: true, description: 'The inspection note, shown to the customer (at most 2,000 characters).' })
  @IsOptional()
  @MaxLength(2000)
  note?: string | null;

  @Field(() => [GraphQLUpload], { nullable: true, description: 'Inspection photos: up to 10 JPG/PNG/GIF/WEBP/PDF files of 10 MB (multipart request).' })
  photos?: FileUploadPromise[] | null;
}

@InputType({ description: 'Staff: an extra line of a second invoice.' })
export class InvoiceLineInput {
  @Field({ description: 'What the amount is for, shown to the customer (at most 200 characters).' })
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

  @Field({ description: 'Length of the packed parcel in cm, e.g. "40".' })
  lengthCm: string;

  @Field({ description: 'Width of the packed parcel in cm, e.g. "30".' })
  widthCm: string;

  @Field({ description: 'Height of the packed parcel in cm, e.g. "20".' })
  heightCm: string;
}

@InputType({ description: 'Staff: the packed parcel of one order, to bill its international shipping.' })
export class InvoiceSecondIssueInput extends PackedParcelInput {
  @Field(() => ID, { description: 'The order (INSPECTING).' })
  orderId: string;

  @Field(() => [InvoiceLineInput], { defaultValue: [], description: 'Other costs: packing, exchange shipping, …' })
  extraLines: InvoiceLineInput[];
}

@InputType({ description: 'Staff: a parcel handed to the carrier.' })
export class OrderShipInput {
  @Field(() => ID, { description: 'The order (PREPARING_SHIPMENT).' })
  orderId: string;

  @Field(() => Carrier, { description: 'Who carries it.' })
  carrier: Carrier;

  @Field({ description: 'The carrier’s tracking number; spaces and hyphens are ignored (INVALID_TRACKING_NUMBER when it does not fit the carrier).' })
  trackingNumber: string;
}

@InputType({ description: 'The customer’s report that the parcel arrived.' })
export class OrderReceiptReportInput {
  @Field(() => ID, { description: 'The order (SHIPPED).' })
  orderId: string;

  @Field(() => String, { nullable: true, description: 'A short comment about the service.' })
  @IsOptional()
  @MaxLength(300)
  comment?: string | null;

  @Field({ defaultValue: false, description: 'Publish the comment as a recent arrival report (date and text only).' })
  publishComment: boolean;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@ObjectType({ description: 'What the warehouse counted and photographed for one item.' })
export class Inspection {
  @Field(() => Int, { description: 'How many units the warehouse counted.' })
  receivedQuantity: number;

  @Field(() => Int, { description: 'Bought but not received (0 when complete).' })
  shortfall: number;

  @Field(() => String, { nullable: true, description: 'Staff’s inspection note; null if none.' })
  note: string | null;

  @Field(() => [Attachment], { description: 'The inspection photos.' })
  photos: Attachment[];

  @Field({ description: 'When the item was inspected.' })
  inspectedAt: Date;

  @Field(() => ID, { nullable: true, description: 'The exchange whose replacement this inspection is of; null for the first arrival.' })
  exchangeRequestId: string | null;
}

@ObjectType({ description: 'A parcel handed to a carrier, with its tracking.' })
export class Shipment {
  @Field(() => Carrier, { description: 'Who carries it.' })
  carrier: Carrier;

  @Field({ description: 'The carrier’s name to show, e.g. 日本郵便.' })
  carrierName: string;

  @Field({ description: 'The carrier’s tracking number.' })
  trackingNumber: string;

  @Field({ description: 'The carrier’s public tracking page for this parcel.' })
  trackingUrl: string;

  @Field({ description: 'When the parcel was handed to the carrier.' })
  shippedAt: Date;
}

@ObjectType({ description: 'The item after the staff action, with its order, or userErrors.' })
export class WarehouseItemPayload {
  @Field(() => OrderItem, { nullable: true, description: 'The item after the change; null when refused.' })
  item?: OrderItem;

  @Field(() => Order, { nullable: true, description: 'Its order after the change (its status may have moved on); null when refused.' })
  order?: Order;

  @Field(() => [UserError], { description: 'Why the action was refused; empty on success.' })
  userErrors: UserError[];
}
