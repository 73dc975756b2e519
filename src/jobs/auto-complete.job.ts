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
 * the same transition as a receipt report. Not while a delivery problem is open: staff are on
 * it (a RESHIP restarts the 30 days from the reship). Safe in several processes at once (SKIP
 * LOCKED, re-checked under the lock). Returns how many it completed.
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
        .andWhere(`NOT EXISTS (SELECT 1 FROM delivery_problem p WHERE p.order_id = o.id AND p.status = 'OPEN')`)
        .orderBy('o.shipped_at', 'ASC')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      // A problem reported after this statement's snapshot and before our lock: seen now, since reports lock the order first.
      const held: { order_id: string }[] = orders.length
        ? await tx.query(`SELECT order_id FROM delivery_problem WHERE order_id = ANY($1) AND status = 'OPEN'`, [orders.map((o) => o.id)])
        : [];
      const problem = new Set(held.map((r) => r.order_id));
      for (const order of orders) {
        if (problem.has(order.id)) continue;
        await app.lifecycle.order.transition(tx, order, OrderStatus.COMPLETED, { actor: SYSTEM, at: now, data: { auto: true, days: AUTO_COMPLETE_DAYS } });
      }
      return orders.length;
    });
    completed += done;
    if (done < BATCH) return completed;
  }
}
