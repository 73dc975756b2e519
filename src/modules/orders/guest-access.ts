import { createHash, timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { IsNull, type EntityManager } from 'typeorm';
import { normalizePhone } from '../../common/phone';
import { Order } from './order.entity';

/** Failed guesses allowed per order number and per client before lookups are refused. */
export const GUEST_FAILURES_PER_ORDER = 10;
export const GUEST_FAILURES_PER_CLIENT = 30;
const WINDOW_SECONDS = 60 * 60;

/** "k7q4m2xd", "K7Q4 M2XD" and "K7Q4-M2XD" are the same order number. */
export function normalizeOrderNumber(raw: string): string {
  const s = raw.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return s.length === 8 ? `${s.slice(0, 4)}-${s.slice(4)}` : s;
}

/**
 * A guest proves access with the order number and the phone given when ordering. Guessing
 * does not pay: failures are counted per order number and per client address, and once
 * either is spent even the right phone is refused until the window passes. The phone is
 * compared in constant time. An unknown number and a wrong phone look alike to the caller.
 */
export class GuestAccessGuard {
  private readonly perOrder = new RateLimiterMemory({ keyPrefix: 'guest-order', points: GUEST_FAILURES_PER_ORDER, duration: WINDOW_SECONDS });
  private readonly perClient = new RateLimiterMemory({ keyPrefix: 'guest-client', points: GUEST_FAILURES_PER_CLIENT, duration: WINDOW_SECONDS });

  /** The unclaimed guest order, or null. Locks it when `forUpdate` (mutations). */
  async find(tx: EntityManager, ip: string, orderNumber: string, phone: string, forUpdate = false): Promise<Order | null> {
    const number = normalizeOrderNumber(orderNumber);
    await this.assertNotBlocked(number, ip);
    const order = await tx.getRepository(Order).findOne({
      where: { orderNumber: number, customerId: IsNull() },
      ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (order && samePhone(order.contactPhone, phone)) return order;
    await Promise.all([this.perOrder.penalty(number), this.perClient.penalty(ip)]);
    return null;
  }

  private async assertNotBlocked(number: string, ip: string) {
    const [order, client] = await Promise.all([this.perOrder.get(number), this.perClient.get(ip)]);
    const blocked = [order, client].filter((r) => r && r.consumedPoints >= (r === order ? GUEST_FAILURES_PER_ORDER : GUEST_FAILURES_PER_CLIENT));
    if (blocked.length) {
      const retryAfter = Math.ceil(Math.max(...blocked.map((r) => r!.msBeforeNext)) / 1000);
      throw new GraphQLError(`Too many failed attempts. Try again in ${retryAfter} seconds.`, {
        extensions: { code: 'RATE_LIMITED', retryAfter },
      });
    }
  }
}

function samePhone(stored: string, given: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(stored), digest(normalizePhone(given) ?? `invalid:${given}`));
}
