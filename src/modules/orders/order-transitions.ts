import type { EntityManager } from 'typeorm';
import { assertTransition } from '../../common/state-machine';
import { Invoice } from '../invoices/invoice.entity';
import { INVOICE_TRANSITIONS, InvoiceStatus } from '../invoices/invoice-state';
import { OrderItem } from './order-item.entity';
import { Order } from './order.entity';
import { CancelReason, ITEM_TRANSITIONS, ItemStatus, ORDER_TRANSITIONS, OrderStatus } from './order-state';
import { recordEvent, type Actor } from './order-events';

/** The stage timestamp each order status stamps when entered. */
const STAMPS: Partial<Record<OrderStatus, keyof Order>> = {
  AWAITING_FIRST_PAYMENT: 'quotedAt',
  PURCHASING: 'firstPaidAt',
  AWAITING_ARRIVAL: 'purchasedAt',
  INSPECTING: 'arrivedAt',
  AWAITING_SECOND_PAYMENT: 'secondInvoicedAt',
  PREPARING_SHIPMENT: 'secondPaidAt',
  SHIPPED: 'shippedAt',
  COMPLETED: 'completedAt',
  CANCELLED: 'cancelledAt',
};

export interface TransitionOptions {
  actor: Actor;
  at: Date;
  reason?: CancelReason;
  note?: string | null;
  data?: Record<string, unknown>;
}

/**
 * The only writer of `order.status`. The caller holds the order's row lock; the update is
 * also guarded on the old status so a missed lock can never move an order twice.
 */
export async function transitionOrder(tx: EntityManager, order: Order, to: OrderStatus, options: TransitionOptions): Promise<void> {
  const from = order.status;
  assertTransition(ORDER_TRANSITIONS, 'order', from, to);
  const changes: Partial<Order> = { status: to };
  const stamp = STAMPS[to];
  if (stamp) (changes as Record<string, unknown>)[stamp] = options.at;
  if (to === OrderStatus.CANCELLED) {
    changes.cancelReason = options.reason ?? CancelReason.OTHER;
    changes.cancelNote = options.note ?? null;
  }
  const result = await tx.getRepository(Order).update({ id: order.id, status: from }, changes);
  if (result.affected !== 1) throw new Error(`order ${order.id} left ${from} concurrently`);
  Object.assign(order, changes);
  await recordEvent(tx, {
    orderId: order.id,
    type: 'ORDER_STATUS_CHANGED',
    actor: options.actor,
    at: options.at,
    from,
    to,
    data: { ...(options.reason ? { reason: options.reason } : {}), ...(options.note ? { note: options.note } : {}), ...options.data },
  });
}

/** The only writer of `item.status`. */
export async function transitionItem(tx: EntityManager, item: OrderItem, to: ItemStatus, options: TransitionOptions): Promise<void> {
  const from = item.status;
  assertTransition(ITEM_TRANSITIONS, 'item', from, to, ['itemId']);
  const result = await tx.getRepository(OrderItem).update({ id: item.id, status: from }, { status: to });
  if (result.affected !== 1) throw new Error(`item ${item.id} left ${from} concurrently`);
  item.status = to;
  await recordEvent(tx, {
    orderId: item.orderId,
    itemId: item.id,
    type: 'ITEM_STATUS_CHANGED',
    actor: options.actor,
    at: options.at,
    from,
    to,
    data: { ...(options.reason ? { reason: options.reason } : {}), ...(options.note ? { note: options.note } : {}), ...options.data },
  });
}

/** The only writer of `invoice.status`. */
export async function transitionInvoice(tx: EntityManager, invoice: Invoice, to: InvoiceStatus, options: TransitionOptions): Promise<void> {
  const from = invoice.status;
  assertTransition(INVOICE_TRANSITIONS, 'invoice', from, to);
  const changes: Partial<Invoice> = { status: to, ...(to === InvoiceStatus.PAID ? { paidAt: options.at } : {}) };
  const result = await tx.getRepository(Invoice).update({ id: invoice.id, status: from }, changes);
  if (result.affected !== 1) throw new Error(`invoice ${invoice.id} left ${from} concurrently`);
  Object.assign(invoice, changes);
  await recordEvent(tx, {
    orderId: invoice.orderId,
    type: `INVOICE_${to}`,
    actor: options.actor,
    at: options.at,
    from,
    to,
    data: { invoiceId: invoice.id, kind: invoice.kind, ...options.data },
  });
}
