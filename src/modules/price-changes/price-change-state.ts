import { registerEnumType } from 'type-graphql';
import type { TransitionTable } from '../../common/state-machine';

export enum PriceChangeStatus {
  AWAITING_RESPONSE = 'AWAITING_RESPONSE', // a rise: the item waits for the customer to accept (and pay) or decline
  ACCEPTED = 'ACCEPTED', // the customer accepted; the additional invoice waits for payment by the same due date
  APPLIED = 'APPLIED', // the new price holds: a rise paid, or a fall refunded at once
  DECLINED = 'DECLINED', // declined by the customer, or unanswered/unpaid by the due date: the item was cancelled and refunded
  WITHDRAWN = 'WITHDRAWN', // the item left the order another way first (unavailable, cancelled, the order cancelled)
}
registerEnumType(PriceChangeStatus, {
  name: 'PriceChangeStatus',
  description: 'Where a seller’s price change after the first payment stands.',
  valuesConfig: {
    AWAITING_RESPONSE: { description: 'A rise: the item is not bought until the customer accepts and pays the additional invoice, or declines, by `dueAt`.' },
    ACCEPTED: { description: 'The customer accepted; the additional invoice waits for payment by `dueAt` (unpaid then, the change is declined).' },
    APPLIED: { description: 'The new price holds: a rise was paid, or a fall was refunded at once. The item can be bought.' },
    DECLINED: { description: 'Declined by the customer, or not answered or paid by `dueAt`: the item was cancelled and what was paid for it refunded.' },
    WITHDRAWN: { description: 'The item left the order another way first (unavailable, cancelled, the order cancelled); its additional invoice was voided.' },
  },
});

/** The states in which the item waits for the customer. */
export const PENDING_PRICE_CHANGE: PriceChangeStatus[] = [PriceChangeStatus.AWAITING_RESPONSE, PriceChangeStatus.ACCEPTED];

export const PRICE_CHANGE_TRANSITIONS: TransitionTable<PriceChangeStatus> = {
  AWAITING_RESPONSE: [PriceChangeStatus.ACCEPTED, PriceChangeStatus.APPLIED, PriceChangeStatus.DECLINED, PriceChangeStatus.WITHDRAWN],
  ACCEPTED: [PriceChangeStatus.APPLIED, PriceChangeStatus.DECLINED, PriceChangeStatus.WITHDRAWN],
  APPLIED: [],
  DECLINED: [],
  WITHDRAWN: [],
};
