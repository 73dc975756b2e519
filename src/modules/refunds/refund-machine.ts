import type { App } from '../../app/app';
import { Currency, formatMinor } from '../../common/money';
import { StateMachine, type BaseMove } from '../../common/state-machine';
import { recordEvent, type Actor } from '../orders/order-events';
import { Refund } from './refund.entity';
import { REFUND_TRANSITIONS, RefundStatus } from './refund-state';

export interface RefundMove extends BaseMove {
  actor: Actor;
  changes?: Partial<Refund>;
}

/**
 * A card refund's lifecycle (PENDING → SUCCEEDED | FAILED), the caller holding the order's and
 * the refund's locks. Entering FAILED sends the money somewhere it can go: the customer's
 * deposit, or for a guest a bank payout awaiting their account details — never lost, never twice.
 */
export function refundMachine(app: App) {
  return new StateMachine<Refund, RefundStatus, RefundMove>({
    name: 'refund',
    entity: Refund,
    table: REFUND_TRANSITIONS,
    stamp: (_refund, _to, move) => ({ completedAt: move.at, claimedUntil: null }),
    record: (tx, refund, from, to, move) =>
      recordEvent(tx, {
        orderId: refund.orderId, type: `REFUND_${to}`, actor: move.actor, at: move.at, from, to,
        data: { refundId: refund.id, paymentId: refund.paymentId, amount: formatMinor(refund.amountMinor, Currency.JPY), ...(to === RefundStatus.FAILED ? { reason: refund.failureReason, fallback: refund.accountId ? 'DEPOSIT' : 'BANK_ACCOUNT' } : {}), ...move.data },
      }),
    onEnter: { FAILED: (tx, refund, move) => app.refunds.fallBack(tx, refund, move) },
    notes: { onEnter: { FAILED: 'the amount to the customer’s deposit (REFUND entry); a guest’s to a bank payout (withdrawal) awaiting their account details' } },
  });
}
