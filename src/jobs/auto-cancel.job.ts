import type { App } from '../app/app';
import { inTransaction } from '../common/transaction';
import { Order } from '../modules/orders/order.entity';
import { CancelReason, OrderStatus } from '../modules/orders/order-state';
import { SYSTEM } from '../modules/orders/order-events';

const BATCH = 50;

/**
 * Cancels orders whose first invoice is still unpaid past its due date (7 days after the
 * quote), through the same transition as any cancellation (reason UNPAID_TIMEOUT). Not an
 * order with money received or a payment awaiting confirmation: the same rule as the
 * customer's own cancel decides. Safe in several processes at once: each batch locks its
 * orders with SKIP LOCKED and re-checks them under the lock, so each is cancelled once.
 * Returns how many it cancelled.
 */
export async function autoCancelUnpaid(app: App, now: Date): Promise<number> {
  let cancelled = 0;
  const skipped = new Set<string>();
  for (;;) {
    const batch = await inTransaction(app.ds, async (tx) => {
      const orders = await tx
        .getRepository(Order)
        .createQueryBuilder('o')
        .innerJoin('invoice', 'i', `i.order_id = o.id AND i.kind = 'FIRST' AND i.status = 'OPEN'`)
        .where('o.status = :status', { status: OrderStatus.AWAITING_FIRST_PAYMENT })
        .andWhere('i.due_at <= :now', { now })
        .andWhere(skipped.size ? 'o.id NOT IN (:...skipped)' : 'TRUE', { skipped: [...skipped] })
        .orderBy('i.due_at', 'ASC')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      let done = 0;
      for (const order of orders) {
        const pay = await app.orders.firstPayment(tx, order.id);
        if (pay.received || pay.pending) {
          skipped.add(order.id);
          continue;
        }
        await app.orders.cancelWhole(tx, order, CancelReason.UNPAID_TIMEOUT, 'Not paid within 7 days of the quote.', SYSTEM, now);
        done++;
      }
      return { seen: orders.length, done };
    });
    cancelled += batch.done;
    if (batch.seen < BATCH) return cancelled;
  }
}
