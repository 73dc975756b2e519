import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { groupBy } from '../../app/loaders';
import { DomainError, unauthenticated, UserErrorCode } from '../../common/errors';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { Order } from '../orders/order.entity';
import { CancellationRequest, CancellationRequestStatus } from './cancellation-request.entity';
import { CancellationRequestDecideInput, CancellationRequestPayload, CancelReasonCount, OrderCancellationRequestInput } from './cancellation.inputs';

@Resolver()
export class CancellationResolver {
  @Mutation(() => CancellationRequestPayload, { description: 'After the first payment, until shipment: ask staff to cancel the order or some items.' })
  orderCancellationRequest(@Arg('input', { description: 'The order, why, and optionally which items.' }) input: OrderCancellationRequestInput, @Ctx() ctx: Context): Promise<CancellationRequestPayload> {
    if (!ctx.viewer && !input.guest) throw unauthenticated();
    const access = { viewer: ctx.viewer, ip: ctx.ip, guest: input.guest };
    return mutation(ctx.app.ds, async (tx) => ({ cancellationRequest: await ctx.app.cancellations.request(tx, access, input) }));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => CancellationRequestPayload, { description: 'Staff: approve (cancel and refund to the deposit) or reject a cancellation request, with a note.' })
  cancellationRequestDecide(@Arg('input', { description: 'The request, approve or not, a note, and where a refund goes.' }) input: CancellationRequestDecideInput, @Ctx() ctx: Context): Promise<CancellationRequestPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ cancellationRequest: await ctx.app.cancellations.decide(tx, ctx.viewer!, input) }));
  }

  @Authorized(Role.STAFF)
  @Query(() => [CancelReasonCount], { description: 'Staff: cancelled orders per reason, cancelled in [from, to).' })
  cancellationCounts(@Arg('from', { description: 'Start of the period (inclusive).' }) from: Date, @Arg('to', { description: 'End of the period (exclusive).' }) to: Date, @Ctx() ctx: Context): Promise<CancelReasonCount[]> {
    if (to.getTime() <= from.getTime()) throw new DomainError(UserErrorCode.INVALID, '`to` must be after `from`.', ['to']);
    return ctx.app.cancellations.countsByReason(from, to);
  }
}

@Resolver(() => Order)
export class OrderCancellationResolver {
  @FieldResolver(() => [CancellationRequest], { description: 'Cancellation requests on this order, oldest first.' })
  cancellationRequests(@Root() order: Order, @Ctx() ctx: Context): Promise<CancellationRequest[]> {
    return ctx.loaders
      .get<string, CancellationRequest[]>('order.cancellationRequests', async (ids) => groupBy(ids, await ctx.app.cancellations.pendingFor(ids), (r) => r.orderId))
      .load(order.id);
  }
}

@Resolver(() => CancellationRequest)
export class CancellationRequestFieldsResolver {
  @FieldResolver(() => Int, {
    nullable: true,
    description: 'While PENDING: whole hours since the customer sent it (seed 002: a request unanswered for 48 hours is worth chasing); null once decided.',
  })
  waitingHours(@Root() request: CancellationRequest, @Ctx() ctx: Context): number | null {
    if (request.status !== CancellationRequestStatus.PENDING) return null;
    return Math.max(0, Math.floor((ctx.app.clock.now().getTime() - request.requestedAt.getTime()) / 3_600_000));
  }
}
