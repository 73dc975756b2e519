import { registerEnumType } from 'type-graphql';
import type { TransitionTable } from '../../common/state-machine';

export enum InvoiceKind {
  FIRST = 'FIRST', // 1次決済: goods, China-domestic shipping, service fee
  SECOND = 'SECOND', // 2次決済: international shipping and costs known after packing
  ADDITIONAL = 'ADDITIONAL', // 追加請求: a seller raised an item's price after the first payment (one per rise)
}
registerEnumType(InvoiceKind, {
  name: 'InvoiceKind',
  valuesConfig: {
    ADDITIONAL: { description: 'A seller raised an item’s price or China shipping after the first payment: the difference, one invoice per rise (`Order.priceChanges`).' },
  },
});

export enum InvoiceStatus {
  OPEN = 'OPEN', // issued, not yet paid in full (amountPaid may be above zero)
  PAID = 'PAID', // paid in full
  VOID = 'VOID', // its order was cancelled before it was paid
}
registerEnumType(InvoiceStatus, { name: 'InvoiceStatus' });

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
registerEnumType(InvoiceLineKind, { name: 'InvoiceLineKind' });
