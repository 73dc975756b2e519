import { loadOrderFacts, type OrderFacts } from '../lifecycle/order-facts';
import type { Context } from '../../app/context';
import { pagesPerParent } from '../../app/loaders';
import { rowJson } from '../../app/row-json';
import type { ConnectionShape } from '../../common/pagination';
import { Invoice } from '../invoices/invoice.entity';
import { InvoiceKind } from '../invoices/invoice-state';
import { OrderEvent } from './order-event.entity';
import { OrderItem } from './order-item.entity';
import { Order } from './order.entity';
import type { OrderRead } from './order-read-model';
import type { MessageSide } from '../messaging/message.entity';

/**
 * The order with its items, invoices and unread counts (order-read-model.ts): one statement
 * for all the orders a request touches. `order` and `orders` prime it with what they read.
 */
function reads(ctx: Context) {
  return ctx.loaders.get<string, OrderRead | null>('order.read', async (ids) => {
    const byId = new Map((await ctx.app.orderReads.byIds(ctx.app.ds, ids)).map((r) => [r.order.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

function readOf(ctx: Context, orderId: string): Promise<OrderRead | null> {
  return reads(ctx).load(orderId);
}

/** Keeps what a query read for the fields that follow, and hands back the orders. */
export function remember(ctx: Context, read: OrderRead[]): Order[] {
  const loader = reads(ctx);
  for (const r of read) loader.prime(r.order.id, r);
  return read.map((r) => r.order);
}

/** A page of orders read with their bundles, as the page of orders the schema returns. */
export function rememberPage(ctx: Context, page: ConnectionShape<OrderRead>): ConnectionShape<Order> {
  const orders = remember(ctx, page.nodes);
  return { ...page, nodes: orders, edges: page.edges.map((e, i) => ({ cursor: e.cursor, node: orders[i] })) };
}

/** All items of each order (cancelled ones too), in the customer's order. */
export async function itemsOf(ctx: Context, orderId: string): Promise<OrderItem[]> {
  return (await readOf(ctx, orderId))?.bundle.items ?? [];
}

export async function invoiceOf(ctx: Context, orderId: string, kind: InvoiceKind): Promise<Invoice | null> {
  return (await readOf(ctx, orderId))?.bundle.invoices.find((i) => i.kind === kind) ?? null;
}

/** Price rises' invoices (InvoiceKind.ADDITIONAL), oldest first (by creation: the test clock may stand still). */
export async function additionalInvoicesOf(ctx: Context, orderId: string): Promise<Invoice[]> {
  const invoices = (await readOf(ctx, orderId))?.bundle.invoices ?? [];
  return invoices.filter((i) => i.kind === InvoiceKind.ADDITIONAL).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

/** Messages from the other side that `reader` has not read yet. */
export async function unreadCountOf(ctx: Context, orderId: string, reader: MessageSide): Promise<number> {
  return (await readOf(ctx, orderId))?.bundle.unread[reader] ?? 0;
}

export async function orderById(ctx: Context, orderId: string): Promise<Order | null> {
  return (await readOf(ctx, orderId))?.order ?? null;
}

/**
 * A page of each order's timeline, oldest first; one statement for all the orders of a request
 * that ask for the same page (each order's first `first + 1` events after the cursor).
 */
export function eventsOf(ctx: Context, orderId: string, first: number, after: string | null | undefined): Promise<ConnectionShape<OrderEvent>> {
  return ctx.loaders
    .get<string, ConnectionShape<OrderEvent>>(`order.events:${first}:${after ?? ''}`, (ids) => {
      const events = rowJson(ctx.app.ds, OrderEvent);
      return pagesPerParent(ctx.app.ds, {
        table: events.table,
        parent: 'order_id',
        key: 'id',
        select: `${events.sql('r')} AS row`,
        read: (row) => events.read(row.row),
        parentIds: ids,
        first,
        after,
        parentOf: (e) => e.orderId,
        keyOf: (e) => e.id,
      });
    })
    .load(orderId);
}

/** What other modules hold that decides the next steps (lifecycle/order-facts.ts); one statement per request. */
export function factsOf(ctx: Context, orderId: string): Promise<OrderFacts> {
  return ctx.loaders.get<string, OrderFacts>('order.facts', (ids) => loadOrderFacts(ctx.app.ds.manager, ids)).load(orderId);
}
