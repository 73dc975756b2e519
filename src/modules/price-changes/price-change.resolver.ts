import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { groupBy } from '../../app/loaders';
import { unauthenticated } from '../../common/errors';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { Invoice } from '../invoices/invoice.entity';
import { OrderItem } from '../orders/order-item.entity';
import { additionalInvoicesOf, itemsOf } from '../orders/order-loaders';
import { Order } from '../orders/order.entity';
import { PriceChange } from './price-change.entity';
import { OrderItemPriceChangeInput, PriceChangePayload, PriceChangeRespondInput } from './price-change.inputs';

@Resolver()
export class PriceChangeResolver {
  @Authorized(Role.STAFF)
  @Mutation(() => PriceChangePayload, {
    description:
      'Staff: the seller changed the price or China shipping of an item paid for and not yet bought. A rise issues an ADDITIONAL invoice for the difference ' +
      '(first invoice’s rate, service fee on the difference) due in PRICE_CHANGE_DUE_DAYS, and the item waits for the customer; a fall is refunded at once.',
  })
  orderItemPriceChange(@Arg('input', { description: 'The item, its new unit price and/or China shipping, a note for the customer, and where a fall’s refund goes.' }) input: OrderItemPriceChangeInput, @Ctx() ctx: Context): Promise<PriceChangePayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.priceChanges.record(tx, ctx.viewer!, input));
  }

  @Mutation(() => PriceChangePayload, {
    description:
      'Customer or guest (staff may record the answer for them): accept a price rise, then pay its additional invoice with `invoicePay`, or decline it: ' +
      'the item is cancelled and what was paid for it refunded. Unanswered or unpaid by its due date, it is declined.',
  })
  priceChangeRespond(@Arg('input', { description: 'The price change, accept or decline, where a refund goes, and a guest’s proof of access.' }) input: PriceChangeRespondInput, @Ctx() ctx: Context): Promise<PriceChangePayload> {
    if (!ctx.viewer && !input.guest) throw unauthenticated();
    const access = { viewer: ctx.viewer, ip: ctx.ip, guest: input.guest };
    return mutation(ctx.app.ds, (tx) => ctx.app.priceChanges.respond(tx, access, input));
  }
}

@Resolver(() => Order)
export class OrderPriceChangesResolver {
  @FieldResolver(() => [PriceChange], { description: 'The seller’s price changes after the first payment, oldest first.' })
  priceChanges(@Root() order: Order, @Ctx() ctx: Context): Promise<PriceChange[]> {
    return ctx.loaders.get<string, PriceChange[]>('order.priceChanges', async (ids) => groupBy(ids, await ctx.app.priceChanges.forOrders(ids), (c) => c.orderId)).load(order.id);
  }
}

@Resolver(() => PriceChange)
export class PriceChangeFieldsResolver {
  @FieldResolver(() => OrderItem, { description: 'The item whose price changed.' })
  async item(@Root() change: PriceChange, @Ctx() ctx: Context): Promise<OrderItem> {
    return (await itemsOf(ctx, change.orderId)).find((i) => i.id === change.itemId)!;
  }

  @FieldResolver(() => Invoice, { nullable: true, description: 'A rise’s ADDITIONAL invoice (pay it with `invoicePay`); null for a fall.' })
  async invoice(@Root() change: PriceChange, @Ctx() ctx: Context): Promise<Invoice | null> {
    if (!change.invoiceId) return null;
    return (await additionalInvoicesOf(ctx, change.orderId)).find((i) => i.id === change.invoiceId) ?? null;
  }
}
