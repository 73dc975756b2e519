import type { Invoice } from '../invoices/invoice.entity';
import type { OrderPaymentState } from '../orders/order-actions';
import type { Payment } from './payment.entity';
import { isMoneyOnItsWay, PaymentMethod, PaymentStatus } from './payment-state';

/**
 * From an order's payments (one loader query), what `availableActions` needs: the same rules
 * the payment mutations enforce, so a client never shows a button that then fails.
 */
export function orderPaymentState(payments: Payment[], first: Invoice | null, second: Invoice | null, additional: Invoice[] = []): OrderPaymentState & { firstPending: number } {
  const onItsWay = (invoice: Invoice | null) => (invoice ? payments.filter((p) => p.invoiceId === invoice.id && isMoneyOnItsWay(p)).length : 0);
  return {
    firstPending: onItsWay(first),
    secondInvoice: second,
    secondPending: onItsWay(second) > 0,
    additional: additional.map((invoice) => ({ invoice, pending: onItsWay(invoice) > 0 })),
    transferToReport: payments.some((p) => p.method === PaymentMethod.BANK_TRANSFER && p.status === PaymentStatus.PENDING),
    transferReported: payments.some((p) => p.method === PaymentMethod.BANK_TRANSFER && p.status === PaymentStatus.REPORTED),
  };
}
