import { DomainError, UserErrorCode } from '../../common/errors';
import type { OrderItem } from '../orders/order-item.entity';
import type { Order } from '../orders/order.entity';
import { OrderStatus } from '../orders/order-state';
import { cnyToJpy, parseRate, type ServiceFeeRule } from './invoice-calc';
import type { Invoice } from './invoice.entity';
import { InvoiceKind, InvoiceStatus } from './invoice-state';

/**
 * The money rules of an invoice, each written once and used by the mutations, the settlement,
 * the refunds and `availableActions` alike.
 */

/** What is still to pay on an invoice; nothing on a paid or void one, never below zero. */
export function amountDue(invoice: Pick<Invoice, 'status' | 'totalMinor' | 'amountPaidMinor'>): bigint {
  if (invoice.status !== InvoiceStatus.OPEN) return 0n;
  const due = invoice.totalMinor - invoice.amountPaidMinor;
  return due > 0n ? due : 0n;
}

/** Open past its due date (the first invoice has one: 7 days after the quote). */
export function isOverdue(invoice: Pick<Invoice, 'status' | 'dueAt'>, now: Date): boolean {
  return invoice.status === InvoiceStatus.OPEN && invoice.dueAt !== null && invoice.dueAt.getTime() <= now.getTime();
}

/** The service fee rule recorded on an invoice when it was issued (a later config change does not alter it). */
export function feeRuleOf(invoice: Pick<Invoice, 'pricing'>): ServiceFeeRule {
  const stored = invoice.pricing.serviceFee as { percentBps: number; minimumJpy: string };
  return { percentBps: stored.percentBps, minimumJpy: BigInt(stored.minimumJpy) };
}

/** Money received on the invoice and not given back. */
export function netReceived(invoice: Pick<Invoice, 'amountPaidMinor' | 'amountRefundedMinor'>): bigint {
  return invoice.amountPaidMinor - invoice.amountRefundedMinor;
}

/**
 * What the customer paid for an item and still has paid, per invoice (the refund of an item
 * leaving the order takes each part from the invoice that received it):
 * - the first invoice: the item's lines, less the part not bought (refunded at purchase, at the
 *   invoice's rate and the item's current price) and less price falls already refunded;
 * - each ADDITIONAL invoice of the item (a price rise): what it received and has not given back
 *   (the whole invoice is for the item, its fee share included).
 */
export function itemPayments(invoices: Invoice[], item: OrderItem): { invoice: Invoice; amount: bigint }[] {
  const parts: { invoice: Invoice; amount: bigint }[] = [];
  for (const invoice of invoices) {
    if (invoice.kind === InvoiceKind.FIRST) {
      const lines = invoice.storedLines.filter((l) => l.itemId === item.id).reduce((sum, l) => sum + BigInt(l.amount), 0n);
      const short = item.purchasedQuantity !== null ? item.quantity - item.purchasedQuantity : 0;
      const already = (short > 0 ? shortfallRefund(invoice, item, short) : 0n) + (item.priceFallRefundedMinor ?? 0n);
      parts.push({ invoice, amount: lines > already ? lines - already : 0n });
    } else if (invoice.kind === InvoiceKind.ADDITIONAL && invoice.storedLines.some((l) => l.itemId === item.id)) {
      parts.push({ invoice, amount: netReceived(invoice) });
    }
  }
  return parts.filter((p) => p.amount > 0n);
}

/** What the customer paid for an item and still has paid, in all (`itemPayments`). */
export function paidForItem(invoices: Invoice[], item: OrderItem): bigint {
  return itemPayments(invoices, item).reduce((sum, p) => sum + p.amount, 0n);
}

/** The refund for `short` units of an item that could not be bought: their goods price at the invoice's rate. */
export function shortfallRefund(first: Invoice, item: OrderItem, short: number): bigint {
  return cnyToJpy((item.unitPriceCny ?? 0n) * BigInt(short), parseRate(first.exchangeRate!, []));
}

/** The order status in which an invoice of each kind is paid. */
const PAYABLE_IN: Record<InvoiceKind, OrderStatus> = {
  FIRST: OrderStatus.AWAITING_FIRST_PAYMENT,
  SECOND: OrderStatus.AWAITING_SECOND_PAYMENT,
  ADDITIONAL: OrderStatus.PURCHASING, // the item waits unbought for it
};

/**
 * May this invoice be paid now: open, something due, its order waiting for it, and no money
 * already on its way (`pending`: a reported transfer or a held card capture). The refusal, or null.
 */
export function refuseInvoicePayment(order: Order, invoice: Invoice, pending: boolean): DomainError | null {
  if (invoice.status !== InvoiceStatus.OPEN || order.status !== PAYABLE_IN[invoice.kind]) {
    const why = invoice.status === InvoiceStatus.PAID ? 'is already paid' : invoice.status === InvoiceStatus.VOID ? 'was voided (the order was cancelled)' : 'cannot be paid now';
    return new DomainError(UserErrorCode.INVOICE_NOT_PAYABLE, `This invoice ${why}.`, ['input', 'invoiceId']);
  }
  if (pending) {
    return new DomainError(UserErrorCode.PAYMENT_IN_PROGRESS, 'A payment of this invoice is being confirmed. Wait for it to be confirmed or rejected.', ['input', 'invoiceId']);
  }
  if (amountDue(invoice) <= 0n) return new DomainError(UserErrorCode.NOTHING_TO_PAY, 'Nothing is due on this invoice.', ['input', 'invoiceId']);
  return null;
}
