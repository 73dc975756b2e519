import { In, type EntityManager } from 'typeorm';
import type { App } from '../app/app';
import { addDays } from '../common/clock';
import { inTransaction } from '../common/transaction';
import { Order } from '../modules/orders/order.entity';
import { CancelReason, OrderStatus } from '../modules/orders/order-state';
import { SYSTEM } from '../modules/orders/order-events';
import { MONEY_ON_ITS_WAY_SQL } from '../modules/payments/payment-state';

const BATCH = 50;

/**
 * Seed 003: an application is cancelled 7 days after it was submitted if it was never quoted,
 * and 7 days after the quote if the first invoice is not paid in full — a partly paid one too,
 * its paid part refunded (the order's CANCELLED hook). Not while money is on its way (a
 * reported transfer, a held card capture): such an order waits in the TRANSFER_CONFIRMATION
 * queue, flagged overdue, for staff to confirm or reject it. Safe in several processes at
 * once: each batch locks its orders with SKIP LOCKED and re-checks them under the lock, so
 * each is cancelled once. Returns how many it cancelled.
 */
export async function autoCancelUnpaid(app: App, now: Date): Promise<number> {
  const unquotedBefore = addDays(now, -app.config.QUOTE_DEADLINE_DAYS);
  const sweeps: { reason: CancelReason; note: string; due: (tx: EntityManager, skipped: string[]) => Promise<Order[]> }[] = [
    {
      reason: CancelReason.NOT_QUOTED,
      note: `Not quoted within ${app.config.QUOTE_DEADLINE_DAYS} days of the application.`,
      due: (tx, skipped) =>
        dueOrders(tx, `o.status = 'SUBMITTED' AND o.submitted_at <= $1`, 'o.submitted_at', [unquotedBefore], skipped),
    },
    {
      reason: CancelReason.UNPAID_TIMEOUT,
      note: 'Not paid within 7 days of the quote.',
      due: (tx, skipped) =>
        dueOrders(
          tx,
          `o.status = 'AWAITING_FIRST_PAYMENT' AND EXISTS (SELECT 1 FROM invoice i WHERE i.order_id = o.id AND i.kind = 'FIRST' AND i.status = 'OPEN' AND i.due_at <= $1
             AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.invoice_id = i.id AND ${MONEY_ON_ITS_WAY_SQL}))`,
          'o.quoted_at',
          [now],
          skipped,
        ),
    },
  ];
  let cancelled = 0;
  for (const sweep of sweeps) {
    const skipped: string[] = [];
    for (;;) {
      const batch = await inTransaction(app.ds, async (tx) => {
        const orders = await sweep.due(tx, skipped);
        let done = 0;
        for (const order of orders) {
          // Re-checked under the lock: money may have set out since the batch was read.
          if (order.status === OrderStatus.AWAITING_FIRST_PAYMENT && (await app.orders.firstPayment(tx, order.id)).pending) {
            skipped.push(order.id);
            continue;
          }
          await app.lifecycle.cancelOrder(tx, order, { actor: SYSTEM, at: now, reason: sweep.reason, note: sweep.note });
          done++;
        }
        return { seen: orders.length, done };
      });
      cancelled += batch.done;
      if (batch.seen < BATCH) break;
    }
  }
  return cancelled;
}

/** Due orders, oldest first, locked (SKIP LOCKED: another process has the rest). */
async function dueOrders(tx: EntityManager, where: string, oldest: string, params: unknown[], skipped: string[]): Promise<Order[]> {
  const rows: { id: string }[] = await tx.query(
    `SELECT o.id FROM customer_order o WHERE ${where} AND NOT (o.id = ANY($2::uuid[])) ORDER BY ${oldest}, o.id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
    [...params, skipped],
  );
  if (!rows.length) return [];
  const orders = await tx.getRepository(Order).findBy({ id: In(rows.map((r) => r.id)) });
  const byId = new Map(orders.map((o) => [o.id, o]));
  return rows.map((r) => byId.get(r.id)!);
}
