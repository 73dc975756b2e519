import type { App } from '../../app/app';
import { StateMachine, type BaseMove } from '../../common/state-machine';
import type { Actor } from '../orders/order-events';
import { Withdrawal } from './withdrawal.entity';
import { WITHDRAWAL_TRANSITIONS, WithdrawalStatus } from './withdrawal-state';

export interface WithdrawalMove extends BaseMove {
  actor: Actor;
  changes?: Partial<Withdrawal>;
}

/**
 * A payout's lifecycle (REQUESTED → COMPLETED | REJECTED). The caller holds the row lock (and
 * the order's first, when the payout belongs to one). Entering REJECTED gives the money back to
 * whoever it belongs to: a customer's held amount returns to the deposit (WITHDRAWAL_RELEASE);
 * a guest's refund payout, which no deposit can take, is opened again awaiting new account details.
 */
export function withdrawalMachine(app: App) {
  return new StateMachine<Withdrawal, WithdrawalStatus, WithdrawalMove>({
    name: 'withdrawal',
    entity: Withdrawal,
    table: WITHDRAWAL_TRANSITIONS,
    stamp: (_withdrawal, _to, move) => ({ decidedAt: move.at, decidedBy: move.actor.id }),
    record: (tx, withdrawal, from, to, move) => app.withdrawals.record(tx, withdrawal, `WITHDRAWAL_${to}`, move.actor, move.at, from),
    onEnter: { REJECTED: (tx, withdrawal, move) => app.withdrawals.giveBack(tx, withdrawal, move) },
    notes: {
      onEnter: {
        REJECTED: 'a customer’s held amount back to the deposit (WITHDRAWAL_RELEASE); a guest’s refund payout opened again (REQUESTED, awaiting account details)',
      },
    },
  });
}
