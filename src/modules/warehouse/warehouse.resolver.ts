import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { groupBy } from '../../app/loaders';
import { unauthenticated } from '../../common/errors';
import { Connection, PageArgs } from '../../common/pagination';
import { mutation } from '../../common/transaction';
import { Role } from '../accounts/account.entity';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { OrderPayload } from '../orders/order.types';
import { PublicArrivalReport } from './arrival-report.entity';
import { Carrier, carrierName, trackingUrl } from './carriers';
import {
  Inspection, InvoiceSecondIssueInput, OrderItemArrivalInput, OrderItemPurchaseInput, OrderItemUnavailableInput, OrderReceiptReportInput,
  OrderShipInput, Shipment, WarehouseItemPayload,
} from './warehouse.inputs';

@ObjectType({ description: 'A page of published receipt comments, newest first.' })
export class PublicArrivalReportConnection extends Connection(PublicArrivalReport) {}

@Resolver()
export class WarehouseResolver {
  @Authorized(Role.STAFF)
  @Mutation(() => WarehouseItemPayload, { description: 'Staff: the item was bought (perhaps fewer than ordered; the rest is refunded to the deposit).' })
  orderItemPurchase(@Arg('input', { description: 'The item and how many were bought.' }) input: OrderItemPurchaseInput, @Ctx() ctx: Context): Promise<WarehouseItemPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.warehouse.purchase(tx, ctx.viewer!, input));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => WarehouseItemPayload, { description: 'Staff: the item cannot be bought; it is cancelled and what was paid for it refunded to the deposit.' })
  orderItemUnavailable(@Arg('input', { description: 'The item, why, and where the refund goes.' }) input: OrderItemUnavailableInput, @Ctx() ctx: Context): Promise<WarehouseItemPayload> {
    return mutation(ctx.app.ds, (tx) => ctx.app.warehouse.unavailable(tx, ctx.viewer!, input));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => WarehouseItemPayload, { description: 'Staff: the item arrived: received quantity, inspection note and photos (multipart request).' })
  orderItemArrival(@Arg('input', { description: 'The item, the count, a note and photos.' }) input: OrderItemArrivalInput, @Ctx() ctx: Context): Promise<WarehouseItemPayload> {
    return ctx.app.warehouse.arrival(ctx.viewer!, input);
  }

  @Authorized(Role.STAFF)
  @Mutation(() => OrderPayload, { description: 'Staff: after packing, issue the second invoice (international shipping by the rate tables, plus extra lines).' })
  invoiceSecondIssue(@Arg('input', { description: 'The order, the packed parcel (weight, size, method) and extra lines.' }) input: InvoiceSecondIssueInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.warehouse.issueSecondInvoice(tx, ctx.viewer!, input) }));
  }

  @Authorized(Role.STAFF)
  @Mutation(() => OrderPayload, { description: 'Staff: handed to the carrier with a tracking number.' })
  orderShip(@Arg('input', { description: 'The order, the carrier and the tracking number.' }) input: OrderShipInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.warehouse.ship(tx, ctx.viewer!, input) }));
  }

  @Mutation(() => OrderPayload, { description: 'The parcel arrived: completes the order. The comment may be published as a recent arrival report.' })
  orderReceiptReport(@Arg('input', { description: 'The order and an optional comment.' }) input: OrderReceiptReportInput, @Ctx() ctx: Context): Promise<OrderPayload> {
    if (!ctx.viewer && !input.guest) throw unauthenticated();
    return mutation(ctx.app.ds, async (tx) => ({ order: await ctx.app.warehouse.receipt(tx, { viewer: ctx.viewer, ip: ctx.ip, guest: input.guest }, input) }));
  }

  @Query(() => PublicArrivalReportConnection, { description: 'The latest published receipt comments (date and text only).' })
  recentArrivalReports(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<PublicArrivalReportConnection> {
    return ctx.app.warehouse.recentArrivalReports(page.first, page.after);
  }
}

@Resolver(() => OrderItem)
export class OrderItemWarehouseResolver {
  @FieldResolver(() => Inspection, { nullable: true, description: 'Once arrived: what the warehouse counted and photographed (after an exchange: the replacement’s inspection).' })
  async inspection(@Root() item: OrderItem, @Ctx() ctx: Context): Promise<Inspection | null> {
    if (item.inspectedAt === null || item.receivedQuantity === null) return null;
    const photos = await ctx.loaders
      .get<string, import('../attachments/attachment.entity').Attachment[]>('item.inspectionPhotos', async (ids) => groupBy(ids, await ctx.app.warehouse.inspectionPhotos(ids), (a) => a.itemId!))
      .load(item.id);
    const bought = item.purchasedQuantity ?? item.quantity;
    return {
      receivedQuantity: item.receivedQuantity, shortfall: Math.max(0, bought - item.receivedQuantity), note: item.inspectionNote, photos, inspectedAt: item.inspectedAt,
      exchangeRequestId: item.inspectionRequestId,
    };
  }
}

@Resolver(() => Order)
export class OrderShipmentResolver {
  @FieldResolver(() => Shipment, { nullable: true, description: 'Carrier and tracking once shipped.' })
  shipment(@Root() order: Order): Shipment | null {
    if (!order.shipmentCarrier || !order.trackingNumber || !order.shippedAt) return null;
    const carrier = order.shipmentCarrier as Carrier;
    return { carrier, carrierName: carrierName(carrier), trackingNumber: order.trackingNumber, trackingUrl: trackingUrl(carrier, order.trackingNumber), shippedAt: order.shippedAt };
  }
}
