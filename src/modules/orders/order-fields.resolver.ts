import { Args, Ctx, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import { MoreThan } from 'typeorm';
import type { Context } from '../../app/context';
import { Currency, Money } from '../../common/money';
import { Connection, decodeCursor, PageArgs, pageSize, toConnection } from '../../common/pagination';
import { Invoice } from '../invoices/invoice.entity';
import { InvoiceKind } from '../invoices/invoice-state';
import { itemActions, orderActions } from './order-actions';
import { OrderEvent } from './order-event.entity';
import { OrderItem } from './order-item.entity';
import { invoiceOf, itemsOf, orderById } from './order-loaders';
import { firstPaymentState } from './order-rules';
import { Order } from './order.entity';
import { ItemAction, OrderAction } from './order.types';

@ObjectType()
export class OrderEventConnection extends Connection(OrderEvent) {}

@Resolver(() => Order)
export class OrderFieldsResolver {
  @FieldResolver(() => [OrderItem], { description: 'Every item, cancelled ones included, in the order entered.' })
  items(@Root() order: Order, @Ctx() ctx: Context): Promise<OrderItem[]> {
    return itemsOf(ctx, order.id);
  }

  @FieldResolver(() => Invoice, { nullable: true, description: 'Goods, China shipping and service fee; issued by the quote.' })
  firstInvoice(@Root() order: Order, @Ctx() ctx: Context): Promise<Invoice | null> {
    return invoiceOf(ctx, order.id, InvoiceKind.FIRST);
  }

  @FieldResolver(() => Invoice, { nullable: true, description: 'International shipping and later costs; issued after packing.' })
  secondInvoice(@Root() order: Order, @Ctx() ctx: Context): Promise<Invoice | null> {
    return invoiceOf(ctx, order.id, InvoiceKind.SECOND);
  }

  @FieldResolver(() => [OrderAction], { description: 'What the viewer can do now; computed from the rules the mutations enforce.' })
  async availableActions(@Root() order: Order, @Ctx() ctx: Context): Promise<OrderAction[]> {
    const [items, invoice] = await Promise.all([itemsOf(ctx, order.id), invoiceOf(ctx, order.id, InvoiceKind.FIRST)]);
    return orderActions(ctx.viewer, order, items, firstPaymentState(invoice), ctx.app.clock.now());
  }

  @FieldResolver(() => OrderEventConnection, { description: 'The timeline, oldest first: who did what, when.' })
  async events(@Root() order: Order, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<OrderEventConnection> {
    const size = pageSize(page.first);
    const cursor = decodeCursor(page.after, 1);
    const rows = await ctx.app.ds.getRepository(OrderEvent).find({
      where: { orderId: order.id, ...(cursor ? { id: MoreThan(String(cursor[0])) } : {}) },
      order: { id: 'ASC' },
      take: size + 1,
    });
    return toConnection(rows, size, (e) => [e.id]);
  }
}

@Resolver(() => OrderItem)
export class OrderItemFieldsResolver {
  @FieldResolver(() => Money, { nullable: true, description: 'Per unit, in CNY; set by the quote.' })
  unitPrice(@Root() item: OrderItem): Money | null {
    return item.unitPriceCny === null ? null : Money.of(item.unitPriceCny, Currency.CNY);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'The seller’s shipping to our warehouse, in CNY; set by the quote.' })
  chinaShipping(@Root() item: OrderItem): Money | null {
    return item.chinaShippingCny === null ? null : Money.of(item.chinaShippingCny, Currency.CNY);
  }

  @FieldResolver(() => [ItemAction], { description: 'What the viewer can do with this item now.' })
  async availableActions(@Root() item: OrderItem, @Ctx() ctx: Context): Promise<ItemAction[]> {
    const [order, invoice] = await Promise.all([orderById(ctx, item.orderId), invoiceOf(ctx, item.orderId, InvoiceKind.FIRST)]);
    return order ? itemActions(ctx.viewer, order, item, firstPaymentState(invoice), ctx.app.clock.now()) : [];
  }
}
