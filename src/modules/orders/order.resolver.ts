import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, ID, Info, Mutation, Query, Resolver } from 'type-graphql';
import { requestedPage } from '../../app/look-ahead';
import { rememberThreadPage } from '../messaging/message-loaders';
import type { Context } from '../../app/context';
import { unauthenticated } from '../../common/errors';
import { PageArgs } from '../../common/pagination';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { Order } from './order.entity';
import { remember, rememberPage } from './order-loaders';
import {
  GuestAccessInput, GuestOrderClaimInput, OrderCancelInput, OrderDeliveryAddressChangeInput, OrderItemQuantityChangeInput, OrderSubmitInput, OrdersFilter,
} from './order.inputs';
import type { OrderAccess } from './order.service';
import { OrderConnection, OrderItemPayload, OrderPayload } from './order.types';

function access(ctx: Context, guest?: GuestAccessInput | null): OrderAccess {
  if (!ctx.viewer && !guest) throw unauthenticated('Sign in, or give the order number and phone (guest).');
  return { viewer: ctx.viewer, ip: ctx.ip, guest };
}

@Resolver()
export class OrderResolver {
  @Authorized()
  @Query(() => Order, { nullable: true, description: 'One order: customers see their own, staff any. Missing and not-yours look the same (null).' })
  async order(@Arg('id', () => ID, { description: 'The order’s id.' }) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Order | null> {
    // The detail screen shows the thread: read its page in the order's own statement.
    const page = requestedPage(info, 'messages');
    const read = await ctx.app.orderQueries.findVisible(ctx.viewer!, id, page ? { afterKey: page.afterKey, limit: page.first + 1 } : undefined);
    if (!read) return null;
    if (page && read.thread) rememberThreadPage(ctx, read.order.id, page.first, page.after, read.thread);
    return remember(ctx, [read])[0];
  }

  @Authorized()
  @Query(() => OrderConnection, { description: 'Customers: their orders, newest first. Staff: every order; search and work queues.' })
  async orders(
    @Arg('filter', () => OrdersFilter, { nullable: true, description: 'Which orders; null for all of the viewer’s.' }) filter: OrdersFilter | null,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<OrderConnection> {
    return rememberPage(ctx, await ctx.app.orderQueries.list(ctx.viewer!, filter, page.first, page.after));
  }

  @Query(() => Order, {
    nullable: true,
    description: 'A guest’s order by its number and the phone given when ordering. Wrong phone and unknown number both answer null; repeated failures are refused (RATE_LIMITED).',
  })
  guestOrder(@Arg('orderNumber', { description: 'The order number, as in the confirmation e-mail.' }) orderNumber: string, @Arg('phone', { description: 'The phone number given when ordering.' }) phone: string, @Ctx() ctx: Context): Promise<Order | null> {
    return ctx.app.guestAccess.find(ctx.app.ds.manager, ctx.ip, orderNumber, phone);
  }

  @Mutation(() => OrderPayload, { description: 'Send an order application. Without a token, `guest` (e-mail, phone) is required.' })
  orderSubmit(@Arg('input', { description: 'The items, delivery address and shipping priority (and `guest` without a token).' }) input: OrderSubmitInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.orders.submit(tx, { viewer: ctx.viewer, ip: ctx.ip }, input) }));
  }

  @Mutation(() => OrderItemPayload, { description: 'Before the first payment: change an item’s quantity (0 cancels it). The first invoice is recomputed.' })
  orderItemQuantityChange(@Arg('input', { description: 'The item and its new quantity.' }) input: OrderItemQuantityChangeInput, @Ctx() ctx: Context): Promise<OrderItemPayload> {
    const who = access(ctx, input.guest);
    return mutation(ctx.app.ds, (tx) => ctx.app.orders.changeItemQuantity(tx, who, input));
  }

  @Mutation(() => OrderPayload, { description: 'Cancel the whole order, any time before the first payment is received.' })
  orderCancel(@Arg('input', { description: 'The order to cancel.' }) input: OrderCancelInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    const who = access(ctx, input.guest);
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.orders.cancel(tx, who, input.orderId) }));
  }

  @Mutation(() => OrderPayload, { description: 'Change where the parcel goes, until shipment preparation starts.' })
  orderDeliveryAddressChange(@Arg('input', { description: 'The order and its new address.' }) input: OrderDeliveryAddressChangeInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    const who = access(ctx, input.guest);
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.orders.changeDeliveryAddress(tx, who, input) }));
  }

  @Authorized(Role.CUSTOMER)
  @Mutation(() => OrderPayload, { description: 'Attach an order placed as a guest to your account (order number + phone).' })
  guestOrderClaim(@Arg('input', { description: 'The order number and the phone given when ordering.' }) input: GuestOrderClaimInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.orders.claim(tx, ctx.viewer!, ctx.ip, input) }));
  }
}
