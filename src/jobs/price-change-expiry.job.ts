import type { App } from '../app/app';
import { inTransaction } from '../common/transaction';
import { recordEvent, SYSTEM } from '../modules/orders/order-events';

const BATCH = 200;
const HOURS_BEFORE = 24;

/**
 * A seller's price rise not accepted and paid by its due date (PRICE_CHANGE_DUE_DAYS) is
 * declined: the item is cancelled and what was paid for it refunded, through the same
 * transition as the customer's own decline. Not while money for it is on its way.
 */
export function declinePriceChangesPastDue(app: App, now: Date): Promise<number> {
  return app.priceChanges.declinePastDue(now);
}

/**
 * 24 hours before a waiting price rise is declined, the customer is reminded once (a
 * PRICE_CHANGE_REMINDER timeline event, which the outbox turns into the notification and the
 * mail). Safe in several processes: SKIP LOCKED on the orders, the NOT EXISTS re-read under them.
 */
export async function remindPriceChangesDue(app: App, now: Date): Promise<number> {
  const until = new Date(now.getTime() + HOURS_BEFORE * 3_600_000);
  let reminded = 0;
  for (;;) {
    const done = await inTransaction(app.ds, async (tx) => {
      const due: { id: string; order_id: string; item_id: string; due_at: Date; difference: string }[] = await tx.query(
        `SELECT c.id, c.order_id, c.item_id, c.due_at, c.difference::text AS difference FROM price_change c JOIN customer_order o ON o.id = c.order_id
          WHERE c.status IN ('AWAITING_RESPONSE', 'ACCEPTED') AND c.due_at > $1 AND c.due_at <= $2
            AND NOT EXISTS (SELECT 1 FROM order_event e WHERE e.order_id = c.order_id AND e.type = 'PRICE_CHANGE_REMINDER' AND e.data->>'priceChangeId' = c.id::text)
          ORDER BY c.due_at, c.id LIMIT ${BATCH} FOR UPDATE OF o SKIP LOCKED`,
        [now, until],
      );
      for (const c of due) {
        await recordEvent(tx, { orderId: c.order_id, itemId: c.item_id, type: 'PRICE_CHANGE_REMINDER', actor: SYSTEM, at: now, data: { priceChangeId: c.id, dueAt: c.due_at.toISOString(), difference: c.difference } });
      }
      return due.length;
    });
    reminded += done;
    if (done < BATCH) return reminded;
  }
}
