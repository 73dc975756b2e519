import { createHash, timingSafeEqual } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import type { RateLimits } from '../../app/rate-limits';
import { normalizePhone } from '../../common/phone';
import { Order } from './order.entity';

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
  /** Failures per order number (`guestOrder`) and per client address (`guestClient`): src/app/rate-limits.ts. */
  constructor(private readonly limits: RateLimits) {}

  /** The unclaimed guest order, or null. Locks it when `forUpdate` (mutations). */
  async find(tx: EntityManager, ip: string, orderNumber: string, phone: string, forUpdate = false, includeClaimed = false): Promise<Order | null> {
    const number = normalizeOrderNumber(orderNumber);
    await this.takeAttempt(number, ip);
    const order = await tx.getRepository(Order).findOne({
      where: { orderNumber: number, ...(includeClaimed ? {} : { customerId: IsNull() }) },
      ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (order && samePhone(order.contactPhone, phone)) {
      await Promise.all([this.limits.reward('guestOrder', number), this.limits.reward('guestClient', ip)]);
      return order;
    }
    return null;
  }

  /**
   * Every lookup takes an attempt before it looks and a success gives it back, so only
   * failures stay counted. Taking first (rather than checking, then counting failures) is what
   * makes lookups running at once — ten aliased `guestOrder` fields in one request — each
   * count: none of them can pass a check made before the others failed.
   */
  private async takeAttempt(number: string, ip: string) {
    const message = 'Too many failed attempts.';
    await this.limits.consume('guestOrder', number, 1, message);
    try {
      await this.limits.consume('guestClient', ip, 1, message);
    } catch (error) {
      await this.limits.reward('guestOrder', number);
      throw error;
    }
  }
}

function samePhone(stored: string, given: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(stored), digest(normalizePhone(given) ?? `invalid:${given}`));
}
