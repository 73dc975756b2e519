import type { App } from '../app/app';

/**
 * Card captures a crash left half done: payments CAPTURING for over a minute are finished by
 * asking PayPal (`CardCaptures.recover` in src/modules/payments/card-capture.ts). Safe in several
 * processes at once (SKIP LOCKED, re-stamped under the lock). Returns how many it finished.
 */
export function recoverCardCaptures(app: App, now: Date): Promise<number> {
  return app.payments.cards.captures.recover(now);
}
