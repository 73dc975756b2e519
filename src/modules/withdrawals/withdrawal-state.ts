import { registerEnumType } from 'type-graphql';
import type { TransitionTable } from '../../common/state-machine';

export enum WithdrawalStatus {
  REQUESTED = 'REQUESTED', // waiting for staff to transfer (or, without a bank account yet, for the customer's details)
  COMPLETED = 'COMPLETED', // staff transferred the money (transfer reference recorded)
  REJECTED = 'REJECTED', // staff did not transfer (note recorded); a deposit hold was given back
}
registerEnumType(WithdrawalStatus, {
  name: 'WithdrawalStatus',
  description: 'Where a payout to a bank account stands.',
  valuesConfig: {
    REQUESTED: { description: 'Waiting for staff to transfer the money; without a bank account yet, waiting for the customer’s account details first.' },
    COMPLETED: { description: 'Staff transferred the money; `transferReference` says which transfer.' },
    REJECTED: { description: 'Staff did not transfer it (`decisionNote` says why). A deposit withdrawal’s held amount went back to the deposit; a guest’s refund payout was opened again, waiting for new account details.' },
  },
});

export enum WithdrawalSource {
  DEPOSIT = 'DEPOSIT', // the customer asked to take money out of their deposit
  REFUND = 'REFUND', // a refund to where the money came from (a bank transfer, or a card refund PayPal refused)
}
registerEnumType(WithdrawalSource, {
  name: 'WithdrawalSource',
  description: 'Why money is paid out to a bank account.',
  valuesConfig: {
    DEPOSIT: { description: 'The customer asked to withdraw part of their deposit (`depositWithdrawalRequest`).' },
    REFUND: { description: 'A refund sent back to where the money came from: a bank transfer, or a card refund PayPal refused for a guest.' },
  },
});

/** REQUESTED → COMPLETED | REJECTED; both final. */
export const WITHDRAWAL_TRANSITIONS: TransitionTable<WithdrawalStatus> = {
  REQUESTED: [WithdrawalStatus.COMPLETED, WithdrawalStatus.REJECTED],
  COMPLETED: [],
  REJECTED: [],
};
