import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { groupBy } from '../../app/loaders';
import { limitMessageSend } from '../../app/security/message-limits';
import { unauthenticated } from '../../common/errors';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { Order } from '../orders/order.entity';
import { DeliveryProblem } from './delivery-problem.entity';
import { DeliveryProblemPayload, OrderDeliveryProblemReportInput, OrderDeliveryProblemResolveInput, OrderProblemReportInput } from './delivery-problem.inputs';

@Resolver()
export class DeliveryProblemResolver {
  @Mutation(() => DeliveryProblemPayload, {
    description:
      'After shipment, before completion: a problem with the delivery (lost, damaged, wrong goods …). Sent to staff as a message with up to 3 photos ' +
      '(multipart request) and opens a delivery problem; the order is not auto-completed while it is open. One open problem per order.',
  })
  async orderProblemReport(@Arg('input', { description: 'The order, what went wrong, a description and photos.' }) input: OrderProblemReportInput, @Ctx() ctx: Context): Promise<DeliveryProblemPayload> {
    if (!ctx.viewer && !input.guest) throw unauthenticated();
    await limitMessageSend(ctx, { guest: input.guest, files: input.photos });
    return ctx.app.deliveryProblems.reportByCustomer({ viewer: ctx.viewer, ip: ctx.ip, guest: input.guest }, input);
  }

  @Authorized(Role.STAFF)
  @Mutation(() => DeliveryProblemPayload, { description: 'Staff: record a delivery problem of a shipped order (from the carrier, a returned parcel …). One open problem per order.' })
  orderDeliveryProblemReport(@Arg('input', { description: 'The order, what went wrong and what is known.' }) input: OrderDeliveryProblemReportInput, @Ctx() ctx: Context): Promise<DeliveryProblemPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.deliveryProblems.reportByStaff(tx, ctx.viewer!, input));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => DeliveryProblemPayload, {
    description:
      'Staff: resolve the open delivery problem with a note: RESHIP (new carrier and tracking number on the order; auto-completion counts 30 days from now), ' +
      'REFUND (an amount in JPY to the deposit, at most what the order’s invoices received and have not refunded) or CLOSE.',
  })
  orderDeliveryProblemResolve(@Arg('input', { description: 'The problem, how it is resolved, and the reship or refund details.' }) input: OrderDeliveryProblemResolveInput, @Ctx() ctx: Context): Promise<DeliveryProblemPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.deliveryProblems.resolve(tx, ctx.viewer!, input));
  }
}

@Resolver(() => Order)
export class OrderDeliveryProblemsResolver {
  @FieldResolver(() => [DeliveryProblem], { description: 'Problems with the delivery after shipment, oldest first; at most one is OPEN.' })
  deliveryProblems(@Root() order: Order, @Ctx() ctx: Context): Promise<DeliveryProblem[]> {
    return ctx.loaders
      .get<string, DeliveryProblem[]>('order.deliveryProblems', async (ids) => groupBy(ids, await ctx.app.deliveryProblems.forOrders(ids), (p) => p.orderId))
      .load(order.id);
  }
}
