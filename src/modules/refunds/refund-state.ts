import { registerEnumType } from 'type-graphql';
import type { TransitionTable } from '../../common/state-machine';

/** Where a staff action sends the money it refunds. */
export enum RefundTo {
  DEPOSIT = 'DEPOSIT', // the customer's deposit (a guest has none: their refund goes back to where it came from)
  ORIGINAL_METHOD = 'ORIGINAL_METHOD', // back to the card (PayPal refund) or bank (payout), deposit-paid parts to the deposit
}
registerEnumType(RefundTo, {
  name: 'RefundTo',
  description: 'Where a refund goes (docs/payments.md, "Refunds").',
  valuesConfig: {
    DEPOSIT: { description: 'The customer’s deposit (the default). A guest has no deposit: a guest’s refund always goes back to where it came from.' },
    ORIGINAL_METHOD: {
      description:
        'Where the money came from: card payments are refunded through PayPal, bank transfers are paid back to a bank account (a payout in the withdrawals queue), ' +
        'deposit payments go back to the deposit. Split over several payments: card first, then bank transfers, then the deposit; the newest payment first.',
    },
  },
});

export enum RefundStatus {
  PENDING = 'PENDING', // recorded with the staff action; a job asks PayPal after the commit (retried)
  SUCCEEDED = 'SUCCEEDED', // PayPal accepted the refund (the card shows it within days)
  FAILED = 'FAILED', // PayPal refused it for good: the money went to the deposit (a guest's to a bank payout)
}
registerEnumType(RefundStatus, {
  name: 'RefundStatus',
  description: 'Where a card refund through PayPal stands.',
  valuesConfig: {
    PENDING: { description: 'Recorded; the gateway is asking PayPal (retried until PayPal answers).' },
    SUCCEEDED: { description: 'PayPal accepted the refund; the card company shows it within about 3–7 days.' },
    FAILED: { description: 'PayPal refused it for good (`failureReason`); the amount went to the deposit instead (a guest’s to a bank payout, see `fallback`).' },
  },
});

/** Where a refused card refund's money went. */
export enum RefundFallback {
  DEPOSIT = 'DEPOSIT',
  BANK_ACCOUNT = 'BANK_ACCOUNT',
}
registerEnumType(RefundFallback, {
  name: 'RefundFallback',
  description: 'Where the money of a card refund PayPal refused went instead.',
  valuesConfig: {
    DEPOSIT: { description: 'Credited to the customer’s deposit (a REFUND entry referencing the refund).' },
    BANK_ACCOUNT: { description: 'A guest’s: a bank payout (withdrawal) waiting for the guest’s account details.' },
  },
});

/** PENDING → SUCCEEDED | FAILED; both final. */
export const REFUND_TRANSITIONS: TransitionTable<RefundStatus> = {
  PENDING: [RefundStatus.SUCCEEDED, RefundStatus.FAILED],
  SUCCEEDED: [],
  FAILED: [],
};
