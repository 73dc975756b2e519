import { In } from 'typeorm';
import type { Context } from '../../app/context';
import { groupBy, pagesPerParent } from '../../app/loaders';
import type { ConnectionShape } from '../../common/pagination';
import { Invoice } from '../invoices/invoice.entity';
import { InvoiceKind } from '../invoices/invoice-state';
import { OrderEvent } from './order-event.entity';
import { OrderItem } from './order-item.entity';
import { Order } from './order.entity';

/** All items of each order (cancelled ones too), in the customer's order. One query per request. */
export function itemsOf(ctx: Context, orderId: string): Promise<OrderItem[]> {
  return ctx.loaders
    .get<string, OrderItem[]>('order.items', async (ids) => {
      const rows = await ctx.app.ds.getRepository(OrderItem).find({ where: { orderId: In([...ids]) }, order: { position: 'ASC' } });
      return groupBy(ids, rows, (r) => r.orderId);
    })
    .load(orderId);
}

export async function invoiceOf(ctx: Context, orderId: string, kind: InvoiceKind): Promise<Invoice | null> {
  const invoices = await ctx.loaders
    .get<string, Invoice[]>('order.invoices', async (ids) => {
      const rows = await ctx.app.ds.getRepository(Invoice).find({ where: { orderId: In([...ids]) } });
      return groupBy(ids, rows, (r) => r.orderId);
    })
    .load(orderId);
  return invoices.find((i) => i.kind === kind) ?? null;
}

export function orderById(ctx: Context, orderId: string): Promise<Order | null> {
  return ctx.loaders
    .get<string, Order | null>('order.byId', async (ids) => {
      const rows = await ctx.app.ds.getRepository(Order).find({ where: { id: In([...ids]) } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    })
    .load(orderId);
}

/**
 * A page of each order's timeline, oldest first; one statement for all the orders of a request
 * that ask for the same page (each order's first `first + 1` events after the cursor).
 */
export function eventsOf(ctx: Context, orderId: string, first: number, after: string | null | undefined): Promise<ConnectionShape<OrderEvent>> {
  return ctx.loaders
    .get<string, ConnectionShape<OrderEvent>>(`order.events:${first}:${after ?? ''}`, (ids) =>
      pagesPerParent(ctx.app.ds.getRepository(OrderEvent), { parent: 'order_id', key: 'id', parentIds: ids, first, after, parentOf: (e) => e.orderId, keyOf: (e) => e.id }),
    )
    .load(orderId);
}
