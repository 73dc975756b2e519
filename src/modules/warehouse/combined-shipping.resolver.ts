import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { Order } from '../orders/order.entity';
import { InvoiceSecondIssueCombinedInput, OrderShipCombinedInput, ShipmentGroupPayload, ShipmentGroupView } from './combined-shipping.inputs';

@Resolver()
export class CombinedShippingResolver {
  @Authorized(Role.STAFF)
  @Mutation(() => ShipmentGroupPayload, {
    description:
      'Staff: 2–10 inspected orders of one customer to one address packed as one parcel. The parcel is priced once; each order gets its own second ' +
      'invoice with its share (split by units received, adding up exactly to the parcel price).',
  })
  invoiceSecondIssueCombined(@Arg('input', { description: 'The orders and the one packed parcel.' }) input: InvoiceSecondIssueCombinedInput, @Ctx() ctx: Context): Promise<ShipmentGroupPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.combinedShipping.issue(tx, ctx.viewer!, input));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => ShipmentGroupPayload, { description: 'Staff: the combined parcel was handed to the carrier; every order of it ships with the same tracking number.' })
  orderShipCombined(@Arg('input', { description: 'The group, the carrier and the tracking number.' }) input: OrderShipCombinedInput, @Ctx() ctx: Context): Promise<ShipmentGroupPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.combinedShipping.ship(tx, ctx.viewer!, input));
  }
}

@Resolver(() => Order)
export class OrderShipmentGroupResolver {
  @FieldResolver(() => ShipmentGroupView, { nullable: true, description: 'The combined parcel this order ships in, if any.' })
  shipmentGroup(@Root() order: Order, @Ctx() ctx: Context): Promise<ShipmentGroupView | null> {
    return ctx.loaders.get<string, ShipmentGroupView | null>('order.shipmentGroup', (ids) => ctx.app.combinedShipping.viewsForOrders(ids)).load(order.id);
  }
}
