import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { Currency, formatMinor } from '../../common/money';
import { DepositEntryKind, DepositReferenceKind } from '../deposits/deposit-entry.entity';
import type { Invoice } from '../invoices/invoice.entity';
import { amountDue } from '../invoices/invoice-money';
import { InvoiceStatus } from '../invoices/invoice-state';
import type { Order } from '../orders/order.entity';
import type { Actor } from '../orders/order-events';
import type { Payment } from './payment.entity';
import { PaymentMethod, PaymentPurpose, PaymentStatus, transitionPayment } from './payment-state';
import { WithdrawalSource } from '../withdrawals/withdrawal-state';

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
      ...(excess > 0n ? { excessToDeposit: formatMinor(excess, Currency.JPY), ...(creditTo ? {} : { excessToBankAccount: true }) } : {}),
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
  } else if (excess > 0n && s.order) {
    // A guest has no deposit: the excess goes back to their bank account, a payout awaiting their
    // account details (they are asked by notification). Not tied to the payment: it is not part of
    // what the payment applied, so later refunds of the payment are not reduced by it.
    await app.withdrawals.create(tx, {
      source: WithdrawalSource.REFUND, accountId: null, orderId: s.order.id, amountMinor: excess, bankAccount: null, actor: s.actor, at: s.at,
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
  // Paid in full: the invoice's PAID hook moves the order on (modules/lifecycle).
  if (invoice!.status === InvoiceStatus.OPEN && invoice!.amountPaidMinor >= invoice!.totalMinor) {
    await app.lifecycle.invoice.transition(tx, invoice!, InvoiceStatus.PAID, { actor: s.actor, at: s.at, order: s.order! });
  }
}


export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
