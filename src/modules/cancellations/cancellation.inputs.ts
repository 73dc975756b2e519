import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
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

  @Field({ description: 'true: cancel and refund to the deposit; false: refuse.' })
  approve: boolean;

  @Field({ description: 'Shown to the customer.' })
  note: string;
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
