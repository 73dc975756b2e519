import type { App } from '../app/app';
import { addDays } from '../common/clock';
import { inTransaction } from '../common/transaction';
import { SYSTEM, recordEvent } from '../modules/orders/order-events';

const BATCH = 200;
const HOURS_BEFORE = 48;

/**
 * Reminds customers 48 hours before the first invoice's due date (the quote told them the date;
 * this is the last warning before the auto-cancel). One PAYMENT_REMINDER timeline event per
 * order, which the outbox turns into the notification and the mail. Safe in several processes
 * (SKIP LOCKED, and the NOT EXISTS re-checked under the lock). Returns how many it reminded.
 */
export async function remindPaymentDue(app: App, now: Date): Promise<number> {
  const until = addDays(now, HOURS_BEFORE / 24);
  let reminded = 0;
  for (;;) {
    const done = await inTransaction(app.ds, async (tx) => {
      const due: { order_id: string; due_at: Date }[] = await tx.query(
        `SELECT o.id AS order_id, i.due_at FROM customer_order o JOIN invoice i ON i.order_id = o.id AND i.kind = 'FIRST'
          WHERE o.status = 'AWAITING_FIRST_PAYMENT' AND i.status = 'OPEN' AND i.due_at > $1 AND i.due_at <= $2
            AND NOT EXISTS (SELECT 1 FROM order_event e WHERE e.order_id = o.id AND e.type = 'PAYMENT_REMINDER')
          ORDER BY i.due_at, o.id LIMIT ${BATCH} FOR UPDATE OF o SKIP LOCKED`,
        [now, until],
      );
      for (const row of due) {
        await recordEvent(tx, { orderId: row.order_id, type: 'PAYMENT_REMINDER', actor: SYSTEM, at: now, data: { dueAt: row.due_at.toISOString() } });
      }
      return due.length;
    });
    reminded += done;
    if (done < BATCH) return reminded;
  }
}
