import { registerEnumType } from 'type-graphql';
import type { TransitionTable } from '../../common/state-machine';

/** What the customer asks for after seeing the inspection (seed 003: 交換・返品). */
export enum ItemExchangeKind {
  EXCHANGE = 'EXCHANGE', // the seller sends a replacement; the item stays on the order
  RETURN = 'RETURN', // the item goes back to the seller; what was paid for it is refunded
}
registerEnumType(ItemExchangeKind, {
  name: 'ItemExchangeKind',
  description: 'What the customer asks for after seeing the inspection (交換・返品).',
  valuesConfig: {
    EXCHANGE: { description: 'The seller sends a replacement; the item stays on the order.' },
    RETURN: { description: 'The item goes back to the seller; what was paid for it is refunded.' },
  },
});

export enum ItemExchangeStatus {
  REQUESTED = 'REQUESTED', // the customer asked; staff are negotiating with the seller
  SELLER_ACCEPTED = 'SELLER_ACCEPTED', // the seller agreed; an exchange now waits for the replacement
  SELLER_REFUSED = 'SELLER_REFUSED', // the seller said no; nothing changes on the order
  COMPLETED = 'COMPLETED', // return refunded, or the replacement arrived and was inspected
  CLOSED = 'CLOSED', // the item or the whole order was cancelled before the request was settled
}
registerEnumType(ItemExchangeStatus, {
  name: 'ItemExchangeStatus',
  description: 'Where an exchange or return stands, in lifecycle order; SELLER_REFUSED, COMPLETED and CLOSED are final. While REQUESTED or SELLER_ACCEPTED, the parcel is held back (no second invoice, no shipment).',
  valuesConfig: {
    REQUESTED: { description: 'The customer asked; staff are negotiating with the seller.' },
    SELLER_ACCEPTED: { description: 'The seller agreed; an exchange now waits for the replacement to arrive.' },
    SELLER_REFUSED: { description: 'Final: the seller said no; nothing changes on the order.' },
    COMPLETED: { description: 'Final: the return was refunded, or the replacement arrived and was inspected.' },
    CLOSED: { description: 'Final: the item or the whole order was cancelled before the request was settled.' },
  },
});

export const ITEM_EXCHANGE_TRANSITIONS: TransitionTable<ItemExchangeStatus> = {
  REQUESTED: [ItemExchangeStatus.SELLER_ACCEPTED, ItemExchangeStatus.SELLER_REFUSED, ItemExchangeStatus.CLOSED],
  SELLER_ACCEPTED: [ItemExchangeStatus.COMPLETED, ItemExchangeStatus.CLOSED],
  SELLER_REFUSED: [],
  COMPLETED: [],
  CLOSED: [],
};

/** Requests still in the works: they hold the parcel back (no second invoice, no shipment). */
export const OPEN_EXCHANGE_STATUSES = [ItemExchangeStatus.REQUESTED, ItemExchangeStatus.SELLER_ACCEPTED];

/** Who pays the local (China-domestic) shipping of a return or exchange. */
export enum LocalShippingPayer {
  CUSTOMER = 'CUSTOMER', // netted from a return's refund, or billed on the second invoice
  OPERATOR = 'OPERATOR', // absorbed by the operator (e.g. the seller sent the wrong item)
}
registerEnumType(LocalShippingPayer, {
  name: 'LocalShippingPayer',
  description: 'Who pays the China-domestic shipping of a return or exchange.',
  valuesConfig: {
    CUSTOMER: { description: 'The customer: netted from a return’s refund, or billed on the second invoice.' },
    OPERATOR: { description: 'The operator absorbs it (e.g. the seller sent the wrong item).' },
  },
});
