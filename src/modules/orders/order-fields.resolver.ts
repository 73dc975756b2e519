import { Args, Ctx, FieldResolver, ObjectType, Resolver, Root } from 'type-graphql';
import type { Context } from '../../app/context';
import { Connection, PageArgs } from '../../common/pagination';
import { Invoice } from '../invoices/invoice.entity';
import { InvoiceKind } from '../invoices/invoice-state';
import { itemActions, orderActions } from './order-actions';
import { hasOpenReturnRequest } from '../warehouse/return-request-loaders';
import { OrderEvent } from './order-event.entity';
import { OrderItem } from './order-item.entity';
import { additionalInvoicesOf, eventsOf, factsOf, invoiceOf, itemsOf, orderById } from './order-loaders';
import { firstPaymentState } from './order-rules';
import { Order } from './order.entity';
import { ItemAction, OrderAction } from './order.types';
import { orderPaymentState } from '../payments/payment-actions';
import { paymentsOfOrder } from '../payments/payment-loaders';

@ObjectType({ description: 'A page of an order’s timeline.' })
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

  @FieldResolver(() => [Invoice], { description: 'One per seller’s price rise after the first payment (`priceChanges`), oldest first; a declined one is VOID.' })
  additionalInvoices(@Root() order: Order, @Ctx() ctx: Context): Promise<Invoice[]> {
    return additionalInvoicesOf(ctx, order.id);
  }

  @FieldResolver(() => [OrderAction], { description: 'What the viewer can do now; computed from the rules the mutations enforce.' })
  async availableActions(@Root() order: Order, @Ctx() ctx: Context): Promise<OrderAction[]> {
    const [items, invoice, second, additional, payments, facts] = await Promise.all([
      itemsOf(ctx, order.id), invoiceOf(ctx, order.id, InvoiceKind.FIRST), invoiceOf(ctx, order.id, InvoiceKind.SECOND), additionalInvoicesOf(ctx, order.id), paymentsOfOrder(ctx, order.id),
      factsOf(ctx, order.id),
    ]);
    const paying = orderPaymentState(payments, invoice, second, additional);
    return orderActions(ctx.viewer, order, items, firstPaymentState(invoice, paying.firstPending), ctx.app.clock.now(), paying, facts);
  }

  @FieldResolver(() => OrderEventConnection, { description: 'The timeline, oldest first: who did what, when.' })
  async events(@Root() order: Order, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context): Promise<OrderEventConnection> {
    return eventsOf(ctx, order.id, page.first, page.after);
  }
}

@Resolver(() => OrderItem)
export class OrderItemFieldsResolver {
  @FieldResolver(() => [ItemAction], { description: 'What the viewer can do with this item now.' })
  async availableActions(@Root() item: OrderItem, @Ctx() ctx: Context): Promise<ItemAction[]> {
    const [order, invoice, payments] = await Promise.all([orderById(ctx, item.orderId), invoiceOf(ctx, item.orderId, InvoiceKind.FIRST), paymentsOfOrder(ctx, item.orderId)]);
    const pending = orderPaymentState(payments, invoice, null).firstPending;
    return order ? itemActions(ctx.viewer, order, item, firstPaymentState(invoice, pending), ctx.app.clock.now(), await hasOpenReturnRequest(ctx, item.id)) : [];
  }
}
