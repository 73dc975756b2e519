import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { RefundTo } from '../refunds/refund-state';
import { UserError } from '../../common/errors';
import { CancelReason } from '../orders/order-state';
import { GuestAccessInput } from '../orders/order.inputs';
import { CancellationRequest } from './cancellation-request.entity';

@InputType()
export class OrderCancellationRequestInput {
  @Field(() => ID)
  orderId: string;

  @Field({ description: 'Why (shown to staff).' })
  reason: string;

  @Field(() => [ID], { nullable: true, description: 'Only these items; leave out to cancel the whole order.' })
  itemIds?: string[] | null;

  @Field(() => GuestAccessInput, { nullable: true })
  guest?: GuestAccessInput | null;
}

@InputType()
export class CancellationRequestDecideInput {
  @Field(() => ID)
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

@ObjectType()
export class CancellationRequestPayload {
  @Field(() => CancellationRequest, { nullable: true })
  cancellationRequest?: CancellationRequest;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class CancelReasonCount {
  @Field(() => CancelReason)
  reason: CancelReason;

  @Field(() => Int)
  count: number;
}
