import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../app/context';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { OrderCancelByStaffInput, OrderQuoteInput } from './order.inputs';
import { OrderPayload } from './order.types';

@Resolver()
export class OrderStaffResolver {
  @Authorized(Role.STAFF)
  @Mutation(() => OrderPayload, { description: 'Staff: price each item in CNY at a stated rate; issues the first invoice (due in 7 days).' })
  orderQuote(@Arg('input', { description: 'The order, the exchange rate and each item’s prices.' }) input: OrderQuoteInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.orders.quote(tx, ctx.viewer!, input) }));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => OrderPayload, { description: 'Staff: cancel an order with a reason, while no money has been received.' })
  orderCancelByStaff(@Arg('input', { description: 'The order, the reason and a note for the customer.' }) input: OrderCancelByStaffInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.orders.cancelByStaff(tx, ctx.viewer!, input) }));
  }
}
