import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { Currency, formatMinor } from '../../common/money';
import { DepositEntryKind, DepositReferenceKind } from '../deposits/deposit-entry.entity';
import type { Invoice } from '../invoices/invoice.entity';
import { InvoiceKind, InvoiceStatus } from '../invoices/invoice-state';
import { OrderItem } from '../orders/order-item.entity';
import type { Order } from '../orders/order.entity';
import { ItemStatus, OrderStatus } from '../orders/order-state';
import type { Actor } from '../orders/order-events';
import { transitionInvoice, transitionItem, transitionOrder } from '../orders/order-transitions';
import type { Payment } from './payment.entity';
import { PaymentMethod, PaymentPurpose, PaymentStatus, transitionPayment } from './payment-state';

export interface Settlement {
  actor: Actor;
  at: Date;
  /** For an invoice payment: its order and invoice, both locked by the caller (order first). */
  order?: Order | null;
  invoice?: Invoice | null;
  /** Extra columns written with SETTLED (confirmed amount, capture id, staff …). */
  changes?: Partial<Payment>;
  data?: Record<string, unknown>;
}

/**
 * THE place where money becomes ours, for every method (deposit, confirmed transfer, card
 * capture). `received` is the yen that arrived, without any card fee. In the caller's
 * transaction, which holds the locks in the one order used everywhere: order → invoice →
 * payment → deposit.
 * - An invoice payment applies at most what is still due; anything above (an over-transfer,
 *   or money for an invoice voided meanwhile) goes to the customer's deposit as TRANSFER_EXCESS.
 * - A top-up credits the deposit (TOP_UP).
 * - An invoice paid in full becomes PAID, and its order moves on (see `invoicePaid`).
 */
export async function settle(tx: EntityManager, app: App, payment: Payment, received: bigint, s: Settlement): Promise<void> {
  if (received <= 0n) throw new Error(`payment ${payment.id}: nothing received`);
  let applied = received;
  let excess = 0n;
  const invoice = s.invoice ?? null;
  if (payment.purpose === PaymentPurpose.INVOICE) {
    if (!invoice || !s.order || invoice.id !== payment.invoiceId) throw new Error(`payment ${payment.id}: settle without its locked invoice`);
    applied = minBig(received, amountDue(invoice));
    excess = received - applied;
  }
  if (payment.method === PaymentMethod.DEPOSIT) {
    if (excess > 0n) throw new Error(`deposit payment ${payment.id} above the amount due`);
    await app.deposits.post(tx, {
      accountId: payment.accountId!,
      kind: DepositEntryKind.INVOICE_PAYMENT,
      amountMinor: -received,
      reference: { kind: DepositReferenceKind.PAYMENT, id: payment.id },
      actorId: null,
    });
  }
  // A guest has no deposit: an excess is recorded on the payment for staff to return by hand.
  const creditTo = payment.purpose === PaymentPurpose.INVOICE ? (s.order?.customerId ?? null) : payment.accountId;
  await transitionPayment(tx, payment, PaymentStatus.SETTLED, {
    actor: s.actor,
    at: s.at,
    changes: { ...s.changes, appliedAmountMinor: applied, excessAmountMinor: excess, settledAt: s.at },
    data: {
      applied: formatMinor(applied, Currency.JPY),
      ...(excess > 0n ? { excessToDeposit: formatMinor(excess, Currency.JPY), ...(creditTo ? {} : { excessNotCredited: true }) } : {}),
      ...s.data,
    },
  });

  if (payment.purpose === PaymentPurpose.DEPOSIT_TOP_UP) {
    await app.deposits.post(tx, {
      accountId: payment.accountId!,
      kind: DepositEntryKind.TOP_UP,
      amountMinor: received,
      reference: { kind: DepositReferenceKind.PAYMENT, id: payment.id },
      actorId: null,
    });
    return;
  }
  if (excess > 0n && creditTo) {
    await app.deposits.post(tx, {
      accountId: creditTo,
      kind: DepositEntryKind.TRANSFER_EXCESS,
      amountMinor: excess,
      reference: { kind: DepositReferenceKind.PAYMENT, id: payment.id },
      actorId: null,
      note: `Received ${formatMinor(received, Currency.JPY)} JPY; ${formatMinor(applied, Currency.JPY)} JPY was due.`,
    });
  }
  if (applied > 0n) {
    const [rows]: [{ amount_paid: string }[], number] = await tx.query(
      `UPDATE invoice SET amount_paid = amount_paid + $2, updated_at = now() WHERE id = $1 AND amount_paid + $2 <= total RETURNING amount_paid`,
      [invoice!.id, applied.toString()],
    );
    if (rows.length !== 1) throw new Error(`invoice ${invoice!.id} would be overpaid`);
    invoice!.amountPaidMinor = BigInt(rows[0].amount_paid);
  }
  if (invoice!.status === InvoiceStatus.OPEN && invoice!.amountPaidMinor >= invoice!.totalMinor) {
    await invoicePaid(tx, invoice!, s.order!, s.actor, s.at);
  }
}

/**
 * An invoice paid in full: it becomes PAID and the order moves on. First invoice: the order
 * goes to PURCHASING and so does every item still before payment. Second invoice: shipment
 * preparation starts.
 */
async function invoicePaid(tx: EntityManager, invoice: Invoice, order: Order, actor: Actor, at: Date): Promise<void> {
  await transitionInvoice(tx, invoice, InvoiceStatus.PAID, { actor, at });
  if (invoice.kind === InvoiceKind.FIRST && order.status === OrderStatus.AWAITING_FIRST_PAYMENT) {
    await transitionOrder(tx, order, OrderStatus.PURCHASING, { actor, at });
    const items = await tx.getRepository(OrderItem).find({ where: { orderId: order.id, status: ItemStatus.BEFORE_PAYMENT }, order: { position: 'ASC' } });
    for (const item of items) await transitionItem(tx, item, ItemStatus.PURCHASING, { actor, at });
  } else if (invoice.kind === InvoiceKind.SECOND && order.status === OrderStatus.AWAITING_SECOND_PAYMENT) {
    await transitionOrder(tx, order, OrderStatus.PREPARING_SHIPMENT, { actor, at });
  }
}

/** What is still to pay on an invoice; nothing on a paid or void one. */
export function amountDue(invoice: Invoice): bigint {
  if (invoice.status !== InvoiceStatus.OPEN) return 0n;
  const due = invoice.totalMinor - invoice.amountPaidMinor;
  return due > 0n ? due : 0n;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
