import { registerEnumType } from 'type-graphql';
import type { TransitionTable } from '../../common/state-machine';

export enum InvoiceKind {
  FIRST = 'FIRST', // 1次決済: goods, China-domestic shipping, service fee
  SECOND = 'SECOND', // 2次決済: international shipping and costs known after packing
  ADDITIONAL = 'ADDITIONAL', // 追加請求: a seller raised an item's price after the first payment (one per rise)
}
registerEnumType(InvoiceKind, {
  name: 'InvoiceKind',
  description: 'Which of an order’s bills.',
  valuesConfig: {
    FIRST: { description: '1次決済: goods, China-domestic shipping and the service fee; issued by the quote, due in 7 days.' },
    SECOND: { description: '2次決済: international shipping and costs known after packing; issued once the parcel is packed and weighed.' },
    ADDITIONAL: { description: 'A seller raised an item’s price or China shipping after the first payment: the difference, one invoice per rise (`Order.priceChanges`).' },
  },
});

export enum InvoiceStatus {
  OPEN = 'OPEN', // issued, not yet paid in full (amountPaid may be above zero)
  PAID = 'PAID', // paid in full
  VOID = 'VOID', // its order was cancelled before it was paid
}
registerEnumType(InvoiceStatus, {
  name: 'InvoiceStatus',
  description: 'Where an invoice stands, in lifecycle order; PAID and VOID are final.',
  valuesConfig: {
    OPEN: { description: 'Issued, not yet paid in full (`amountPaid` may be above zero).' },
    PAID: { description: 'Paid in full.' },
    VOID: { description: 'Its order was cancelled before it was paid.' },
  },
});

export const INVOICE_TRANSITIONS: TransitionTable<InvoiceStatus> = {
  OPEN: [InvoiceStatus.PAID, InvoiceStatus.VOID],
  PAID: [],
  VOID: [],
};

export enum InvoiceLineKind {
  GOODS = 'GOODS',
  CHINA_SHIPPING = 'CHINA_SHIPPING',
  SERVICE_FEE = 'SERVICE_FEE',
  INTERNATIONAL_SHIPPING = 'INTERNATIONAL_SHIPPING',
  OTHER = 'OTHER',
}
registerEnumType(InvoiceLineKind, {
  name: 'InvoiceLineKind',
  description: 'What an invoice line charges for.',
  valuesConfig: {
    GOODS: { description: 'An item’s price × quantity, converted from CNY at the invoice’s rate.' },
    CHINA_SHIPPING: { description: 'The seller’s shipping of an item to our China warehouse, converted from CNY.' },
    SERVICE_FEE: { description: 'Our fee: a percentage of the goods, with a minimum (the line’s description states both).' },
    INTERNATIONAL_SHIPPING: { description: 'Shipping the parcel to Japan, by weight and method (second invoice).' },
    OTHER: { description: 'Any other cost staff add, described on the line (e.g. local shipping of a return or exchange).' },
  },
});
