import { IsNotEmpty, MaxLength } from 'class-validator';
import { RefundTo } from '../refunds/refund-state';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { MoneyInput } from '../../common/money';
import { GraphQLUpload, type FileUploadPromise } from '../attachments/upload.scalar';
import { Message } from '../messaging/message.entity';
import { Order } from '../orders/order.entity';
import { GuestAccessInput } from '../orders/order.inputs';
import { Carrier } from '../warehouse/carriers';
import { DeliveryProblem, DeliveryProblemKind, DeliveryProblemResolution } from './delivery-problem.entity';

@InputType({ description: 'The customer (or guest) reports a problem with the shipped parcel; it reaches staff as a message with photos.' })
export class OrderProblemReportInput {
  @Field(() => ID, { description: 'A SHIPPED order of yours with no open problem.' })
  orderId: string;

  @Field(() => DeliveryProblemKind, { description: 'What went wrong: LOST (never arrived), DAMAGED, WRONG_ITEM, REFUSED or RETURNED_TO_SENDER.' })
  kind: DeliveryProblemKind;

  @Field({ description: 'What is wrong with the delivery (the message body; at most 2000 characters).' })
  @IsNotEmpty({ message: 'Say what is wrong with the delivery.' })
  @MaxLength(2000)
  body: string;

  @Field(() => [GraphQLUpload], { nullable: true, description: 'Photos of the problem: up to 3 JPG/PNG/GIF/WEBP/PDF files of 10 MB, as for messages (multipart request).' })
  photos?: FileUploadPromise[] | null;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s order number and phone.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'Staff record a delivery problem they learned of (from the carrier, a returned parcel, a phone call).' })
export class OrderDeliveryProblemReportInput {
  @Field(() => ID, { description: 'A SHIPPED order with no open problem.' })
  orderId: string;

  @Field(() => DeliveryProblemKind, { description: 'What went wrong.' })
  kind: DeliveryProblemKind;

  @Field({ description: 'What is known, shown to the customer (at most 2000 characters).' })
  @IsNotEmpty({ message: 'Say what happened to the parcel.' })
  @MaxLength(2000)
  note: string;
}

@InputType({ description: 'Staff resolve an open delivery problem: RESHIP (new carrier and tracking number), REFUND (an amount in JPY) or CLOSE.' })
export class OrderDeliveryProblemResolveInput {
  @Field(() => ID, { description: 'The open problem (`Order.deliveryProblems`).' })
  problemId: string;

  @Field(() => DeliveryProblemResolution, { description: 'How it is resolved.' })
  resolution: DeliveryProblemResolution;

  @Field({ description: 'Shown to the customer (at most 2000 characters).' })
  @IsNotEmpty({ message: 'Write a note to the customer.' })
  @MaxLength(2000)
  note: string;

  @Field(() => Carrier, { nullable: true, description: 'RESHIP only: the carrier of the new parcel.' })
  carrier?: Carrier | null;

  @Field(() => String, { nullable: true, description: 'RESHIP only: its tracking number, checked against the carrier’s pattern as for orderShip.' })
  trackingNumber?: string | null;

  @Field(() => MoneyInput, {
    nullable: true,
    description: 'REFUND only: the amount in JPY, at most what was received on the order’s invoices and not refunded yet. Goes where `refundTo` says.',
  })
  refundAmount?: MoneyInput | null;

  @Field(() => RefundTo, {
    defaultValue: RefundTo.DEPOSIT,
    description: 'Where the refunded money goes: DEPOSIT (default) or ORIGINAL_METHOD (card through PayPal, bank transfer to a bank payout). A guest’s always goes back where it came from.',
  })
  refundTo: RefundTo = RefundTo.DEPOSIT;
}

@ObjectType({ description: 'The result of reporting or resolving a delivery problem.' })
export class DeliveryProblemPayload {
  @Field(() => DeliveryProblem, { nullable: true, description: 'The problem as it is now.' })
  deliveryProblem?: DeliveryProblem;

  @Field(() => Order, { nullable: true, description: 'Its order.' })
  order?: Order;

  @Field(() => Message, { nullable: true, description: 'orderProblemReport: the thread message carrying the report and its photos.' })
  message?: Message;

  @Field(() => [UserError], { description: 'Why it was refused (e.g. DELIVERY_PROBLEM_OPEN); empty on success.' })
  userErrors: UserError[];
}
