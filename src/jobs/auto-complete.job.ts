import type { App } from '../app/app';
import { addDays } from '../common/clock';
import { inTransaction } from '../common/transaction';
import { Order } from '../modules/orders/order.entity';
import { OrderStatus } from '../modules/orders/order-state';
import { SYSTEM } from '../modules/orders/order-events';

export const AUTO_COMPLETE_DAYS = 30;
const BATCH = 50;

/**
 * Completes orders shipped 30 days ago whose receipt was never reported (seed 003), through
 * the same transition as a receipt report. Safe in several processes at once (SKIP LOCKED,
 * re-checked under the lock). Returns how many it completed.
 */
export async function autoCompleteShipped(app: App, now: Date): Promise<number> {
  const cutoff = addDays(now, -AUTO_COMPLETE_DAYS);
  let completed = 0;
  for (;;) {
    const done = await inTransaction(app.ds, async (tx) => {
      const orders = await tx
        .getRepository(Order)
        .createQueryBuilder('o')
        .where('o.status = :status', { status: OrderStatus.SHIPPED })
        .andWhere('o.shipped_at <= :cutoff', { cutoff })
        .orderBy('o.shipped_at', 'ASC')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const order of orders) {
        await app.lifecycle.order.transition(tx, order, OrderStatus.COMPLETED, { actor: SYSTEM, at: now, data: { auto: true, days: AUTO_COMPLETE_DAYS } });
      }
      return orders.length;
    });
    completed += done;
    if (done < BATCH) return completed;
  }
}
