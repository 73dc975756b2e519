import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { RefundTo } from '../refunds/refund-state';
import { UserError } from '../../common/errors';
import { CancelReason } from '../orders/order-state';
import { GuestAccessInput } from '../orders/order.inputs';
import { CancellationRequest } from './cancellation-request.entity';

@InputType({ description: 'A request to staff to cancel a paid order, or some of its items.' })
export class OrderCancellationRequestInput {
  @Field(() => ID, { description: 'The order: money received or on its way, not shipped yet.' })
  orderId: string;

  @Field({ description: 'Why (shown to staff).' })
  reason: string;

  @Field(() => [ID], { nullable: true, description: 'Only these items; leave out to cancel the whole order.' })
  itemIds?: string[] | null;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'Staff: the decision on a cancellation request.' })
export class CancellationRequestDecideInput {
  @Field(() => ID, { description: 'The PENDING request.' })
  requestId: string;

  @Field({ description: 'true: cancel and refund (where `refundTo` says); false: refuse.' })
  approve: boolean;

  @Field({ description: 'Shown to the customer.' })
  note: string;

  @Field(() => RefundTo, {
    defaultValue: RefundTo.DEPOSIT,
    description: 'Where the refunded money goes: DEPOSIT (default) or ORIGINAL_METHOD (card through PayPal, bank transfer to a bank payout). A guest’s always goes back where it came from.',
  })
  refundTo: RefundTo = RefundTo.DEPOSIT;
}

@ObjectType({ description: 'The request after the change, or userErrors.' })
export class CancellationRequestPayload {
  @Field(() => CancellationRequest, { nullable: true, description: 'The request after the change; null when refused.' })
  cancellationRequest?: CancellationRequest;

  @Field(() => [UserError], { description: 'Why it was refused; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'How many orders were cancelled for one reason.' })
export class CancelReasonCount {
  @Field(() => CancelReason, { description: 'The reason.' })
  reason: CancelReason;

  @Field(() => Int, { description: 'How many orders.' })
  count: number;
}
