import { registerEnumType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import { Currency, formatMinor } from '../../common/money';
import { StateMachine, type BaseMove, type TransitionTable } from '../../common/state-machine';
import { recordEvent, type Actor } from '../orders/order-events';
import type { Payment } from './payment.entity';

export enum PaymentPurpose {
  INVOICE = 'INVOICE', // pays (part of) an order's invoice
  DEPOSIT_TOP_UP = 'DEPOSIT_TOP_UP', // adds to the customer's deposit; no order
}
registerEnumType(PaymentPurpose, {
  name: 'PaymentPurpose',
  description: 'What a payment pays for.',
  valuesConfig: {
    INVOICE: { description: 'Pays (part of) an order’s invoice.' },
    DEPOSIT_TOP_UP: { description: 'Adds to the customer’s deposit; no order.' },
  },
});

export enum PaymentMethod {
  DEPOSIT = 'DEPOSIT', // taken from the customer's prepaid balance
  BANK_TRANSFER = 'BANK_TRANSFER', // the customer transfers, reports it, staff confirm it
  CARD = 'CARD', // credit card through PayPal (or the simulator)
}
registerEnumType(PaymentMethod, {
  name: 'PaymentMethod',
  description: 'How a payment is made.',
  valuesConfig: {
    DEPOSIT: { description: 'Taken from the customer’s prepaid deposit balance; settled at once.' },
    BANK_TRANSFER: { description: 'The customer transfers to our bank account, reports it, and staff confirm it.' },
    CARD: { description: 'Credit card through PayPal; a card fee is added.' },
  },
});

/** The methods a customer chooses for money that comes from outside (not the deposit). */
export enum ExternalPaymentMethod {
  BANK_TRANSFER = 'BANK_TRANSFER',
  CARD = 'CARD',
}
registerEnumType(ExternalPaymentMethod, {
  name: 'ExternalPaymentMethod',
  description: 'How money from outside the deposit is paid.',
  valuesConfig: {
    BANK_TRANSFER: { description: 'Bank transfer to our account: report it after sending (`paymentBankTransferReport`); staff confirm it.' },
    CARD: { description: 'Credit card through PayPal: approve at `approvalUrl`, then `paymentCardComplete`. A card fee is added.' },
  },
});

export enum PaymentStatus {
  PENDING = 'PENDING', // created: a transfer not yet reported, or a card payment not yet captured
  CAPTURING = 'CAPTURING', // card: claimed for capture, the provider is being asked (who/when: capture_started_*)
  REPORTED = 'REPORTED', // bank transfer: the customer reported it; staff are to confirm it
  SETTLED = 'SETTLED', // the money is ours and was applied (to the invoice, or the deposit)
  REJECTED = 'REJECTED', // bank transfer: staff could not find the money (reason recorded)
  FAILED = 'FAILED', // card: refused or expired at the provider
  CANCELLED = 'CANCELLED', // dropped before any money moved (another payment replaced it, or the invoice changed)
}
registerEnumType(PaymentStatus, {
  name: 'PaymentStatus',
  description: 'Where a payment stands, in lifecycle order; SETTLED, REJECTED, FAILED and CANCELLED are final.',
  valuesConfig: {
    PENDING: { description: 'Created: a transfer not yet reported, or a card payment not yet approved and captured.' },
    REPORTED: { description: 'Bank transfer: the customer reported it; staff are to confirm it.' },
    SETTLED: { description: 'Final: the money is received and applied (to the invoice, or the deposit).' },
    REJECTED: { description: 'Final: bank transfer: staff could not find the money (`rejectionReason`).' },
    FAILED: { description: 'Final: card: refused or expired at PayPal (`failureReason`).' },
    CANCELLED: { description: 'Final: dropped before any money moved (another payment replaced it, or the invoice changed).' },
    CAPTURING: {
      description:
        'Card: the capture is being made at PayPal right now (seconds). Money may be on its way: the order cannot be changed or cancelled meanwhile. Ends SETTLED, FAILED, or back to PENDING (declined, PayPal unreachable); paymentCardComplete answers the result.',
    },
  },
});

/**
 * The lifecycle of each method, one table. A deposit payment is created and settled in the
 * same transaction, so nobody ever sees it PENDING. Refunds (a later module) will reference a
 * SETTLED payment rather than change it.
 */
export const PAYMENT_TRANSITIONS: Record<PaymentMethod, TransitionTable<PaymentStatus>> = {
  DEPOSIT: {
    PENDING: [PaymentStatus.SETTLED],
    CAPTURING: [],
    REPORTED: [],
    SETTLED: [],
    REJECTED: [],
    FAILED: [],
    CANCELLED: [],
  },
  BANK_TRANSFER: {
    PENDING: [PaymentStatus.REPORTED, PaymentStatus.CANCELLED],
    CAPTURING: [],
    REPORTED: [PaymentStatus.SETTLED, PaymentStatus.REJECTED],
    SETTLED: [],
    REJECTED: [],
    FAILED: [],
    CANCELLED: [],
  },
  CARD: {
    // → CAPTURING: claimed by paymentCardComplete / the approval webhook / recovery, before the provider call.
    // → SETTLED / FAILED directly: a capture webhook (a held capture, or a capture whose answer was lost).
    PENDING: [PaymentStatus.CAPTURING, PaymentStatus.SETTLED, PaymentStatus.FAILED, PaymentStatus.CANCELLED],
    // The provider answered (or the recovery sweep asked it): captured, refused for good, or back
    // to PENDING (declined — the buyer may approve another card —, not approved, unreachable, or held).
    CAPTURING: [PaymentStatus.SETTLED, PaymentStatus.FAILED, PaymentStatus.PENDING],
    REPORTED: [],
    SETTLED: [],
    REJECTED: [],
    FAILED: [],
    CANCELLED: [],
  },
};

/**
 * Money on its way to an invoice: a reported transfer, a card being captured right now
 * (CAPTURING: the provider may already have taken it), or a card capture the provider holds
 * (captured, status PENDING at PayPal). It blocks item changes, cancellation and the 7-day
 * auto-cancel, and a new payment of the invoice. A payment merely started (transfer chosen but
 * not reported, card page opened) is an intention, not money: it blocks nothing and is
 * replaced by the next invoicePay. Both forms below state the same rule.
 */
export function isMoneyOnItsWay(p: Pick<Payment, 'method' | 'status' | 'captureId'>): boolean {
  if (p.method === PaymentMethod.DEPOSIT) return false;
  return p.status === PaymentStatus.REPORTED || p.status === PaymentStatus.CAPTURING || (p.status === PaymentStatus.PENDING && p.captureId !== null);
}
export const MONEY_ON_ITS_WAY_SQL = `(p.method <> 'DEPOSIT' AND (p.status IN ('REPORTED', 'CAPTURING') OR (p.status = 'PENDING' AND p.capture_id IS NOT NULL)))`;

/** Payments not finished yet (one per invoice at most, from outside the deposit): started, reported or being captured. */
export const LIVE_PAYMENT_STATUSES = [PaymentStatus.PENDING, PaymentStatus.CAPTURING, PaymentStatus.REPORTED];

export interface PaymentMove extends BaseMove {
  actor: Actor;
  /** Other columns written with the status, in the same guarded UPDATE. */
  changes?: Partial<Payment>;
}

// By entity name: payment.entity imports this file's enums, so a value import would be circular.
const repo = (tx: EntityManager) => tx.getRepository<Payment>('Payment');

/**
 * A payment's lifecycle, one table per method. The caller holds the payment's row lock.
 * Appends `PAYMENT_<STATUS>` to the order's timeline (top-ups have no order: their trace is
 * the deposit ledger). Settling is `settlement.ts`, which moves the invoice in turn.
 */
export const paymentMachine = new StateMachine<Payment, PaymentStatus, PaymentMove>({
  name: 'payment',
  entity: 'Payment',
  table: (payment) => PAYMENT_TRANSITIONS[payment.method],
  record: (tx, payment, from, to, move) => paymentEvent(tx, payment, `PAYMENT_${to}`, move, from),
});

export function transitionPayment(tx: EntityManager, payment: Payment, to: PaymentStatus, move: PaymentMove): Promise<void> {
  return paymentMachine.transition(tx, payment, to, move);
}

/** Records a new payment (PENDING) with its `PAYMENT_CREATED` timeline entry. */
export async function createPayment(tx: EntityManager, fields: Partial<Payment>, move: PaymentMove): Promise<Payment> {
  const payment = repo(tx).create({ ...fields, status: PaymentStatus.PENDING, currency: Currency.JPY, createdAt: move.at });
  await repo(tx).insert(payment);
  await paymentEvent(tx, payment, 'PAYMENT_CREATED', move, null);
  return payment;
}

async function paymentEvent(tx: EntityManager, payment: Payment, type: string, move: PaymentMove, from: PaymentStatus | null) {
  if (!payment.orderId) return;
  await recordEvent(tx, {
    orderId: payment.orderId,
    type,
    actor: move.actor,
    at: move.at,
    from,
    to: payment.status,
    data: {
      paymentId: payment.id,
      invoiceId: payment.invoiceId,
      method: payment.method,
      amount: formatMinor(payment.amountMinor, Currency.JPY),
      ...(payment.feeMinor ? { fee: formatMinor(payment.feeMinor, Currency.JPY) } : {}),
      ...move.data,
    },
  });
}
