import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { Order } from '../orders/order.entity';
import { Refund } from './refund.entity';

@Resolver(() => Order)
export class OrderRefundsResolver {
  @FieldResolver(() => [Refund], { description: 'Refunds to the card (through PayPal), oldest first; bank payouts of refunds are in `withdrawals`.' })
  refunds(@Root() order: Order, @Ctx() ctx: Context): Promise<Refund[]> {
    return ctx.loaders.get<string, Refund[]>('order.refunds', (ids) => ctx.app.refunds.forOrders(ids)).load(order.id);
  }
}
