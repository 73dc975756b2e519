import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { DomainError, UserError, UserErrorCode } from '../../common/errors';
import { Currency, formatMinor, parseMoneyInput } from '../../common/money';
import { assertTransition } from '../../common/state-machine';
import type { Account } from '../accounts/account.entity';
import { actorOf } from '../orders/order-events';
import type { OrderAccess } from '../orders/order.service';
import { lockPayment, type LockedPayment } from './payment-access';
import type { PaymentBankTransferReportInput, PaymentConfirmInput, PaymentRejectInput } from './payment.inputs';
import { PAYMENT_TRANSITIONS, PaymentMethod, PaymentStatus, transitionPayment } from './payment-state';
import { settle } from './settlement';

export const PAYER_NAME_MAX = 100;
export const REJECTION_REASON_MAX = 500;
/**
 * What Japanese banks print as the payer: katakana (full- or half-width, with ー and ・),
 * latin letters, digits, spaces and the punctuation of company names such as "(カ".
 */
const PAYER_NAME = /^[\p{Script=Katakana}\u30FC\u30FB\uFF70\uFF9E\uFF9FA-Za-z0-9\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A .,()\-\/\u3000\uFF08\uFF09\uFF0E\uFF0C\uFF0D]+$/u;
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** Bank transfers: the customer's report (入金完了報告), then staff confirm or reject it. */
export class BankTransferService {
  constructor(private readonly app: App) {}

  /**
   * The customer reports their transfer of a PENDING bank-transfer payment: payer name as on
   * the transfer, amount and day. It then waits in the staff queue (REPORTED). Allowed even if
   * the order was cancelled meanwhile: money sent must reach staff, who credit it to the deposit.
   */
  async report(tx: EntityManager, access: OrderAccess, input: PaymentBankTransferReportInput): Promise<LockedPayment> {
    const { payerName, amount, transferDate } = this.parseReport(input);
    const locked = await lockPayment(tx, this.app, access, input.paymentId);
    const { payment } = locked;
    if (payment.method !== PaymentMethod.BANK_TRANSFER) throw notATransfer();
    if (payment.status !== PaymentStatus.PENDING) {
      throw new DomainError(UserErrorCode.PAYMENT_NOT_PENDING, `This transfer is already ${payment.status.toLowerCase()}: it cannot be reported again.`, ['input', 'paymentId']);
    }
    const at = this.app.clock.now();
    await transitionPayment(tx, payment, PaymentStatus.REPORTED, {
      actor: actorOf(access.viewer),
      at,
      changes: { payerName, reportedAmountMinor: amount, transferDate, reportedAt: at },
      data: { payerName, reportedAmount: formatMinor(amount, Currency.JPY), transferDate },
    });
    return locked;
  }

  /**
   * Staff confirm a reported transfer with the amount the bank statement shows. Short: the
   * amount received is applied and the invoice stays open for the rest. Over: what was due is
   * applied and the excess goes to the customer's deposit (TRANSFER_EXCESS). A top-up credits
   * the deposit with what was received. Under the payment's row lock: two staff confirming at
   * once give one confirmation (the second gets INVALID_STATE).
   */
  async confirm(tx: EntityManager, staff: Account, ip: string, input: PaymentConfirmInput): Promise<LockedPayment> {
    const received = parseMoneyInput(input.receivedAmount, Currency.JPY, ['input', 'receivedAmount']);
    if (received <= 0n) throw new DomainError(UserErrorCode.INVALID, 'The amount received must be above zero (reject the transfer if nothing arrived).', ['input', 'receivedAmount', 'amount']);
    const locked = await this.lockTransfer(tx, staff, ip, input.paymentId, PaymentStatus.SETTLED);
    const at = this.app.clock.now();
    const { payment } = locked;
    await settle(tx, this.app, payment, received, {
      actor: actorOf(staff),
      at,
      order: locked.order,
      invoice: locked.invoice,
      changes: { confirmedAmountMinor: received, decidedById: staff.id, decidedAt: at },
      data: { confirmed: formatMinor(received, Currency.JPY), ...(payment.reportedAmountMinor !== null ? { reported: formatMinor(payment.reportedAmountMinor, Currency.JPY) } : {}) },
    });
    return locked;
  }

  /** Staff found no such transfer: REJECTED with a reason the customer sees; they may pay again. */
  async reject(tx: EntityManager, staff: Account, ip: string, input: PaymentRejectInput): Promise<LockedPayment> {
    const reason = input.reason.trim();
    if (!reason || reason.length > REJECTION_REASON_MAX) {
      throw new DomainError(UserErrorCode.INVALID, `Say why, in 1 to ${REJECTION_REASON_MAX} characters.`, ['input', 'reason']);
    }
    const locked = await this.lockTransfer(tx, staff, ip, input.paymentId, PaymentStatus.REJECTED);
    const at = this.app.clock.now();
    await transitionPayment(tx, locked.payment, PaymentStatus.REJECTED, {
      actor: actorOf(staff),
      at,
      changes: { rejectionReason: reason, decidedById: staff.id, decidedAt: at },
      data: { reason },
    });
    return locked;
  }

  private async lockTransfer(tx: EntityManager, staff: Account, ip: string, paymentId: string, to: PaymentStatus): Promise<LockedPayment> {
    const locked = await lockPayment(tx, this.app, { viewer: staff, ip }, paymentId);
    if (locked.payment.method !== PaymentMethod.BANK_TRANSFER) throw notATransfer();
    assertTransition(PAYMENT_TRANSITIONS.BANK_TRANSFER, 'transfer', locked.payment.status, to, ['input', 'paymentId']);
    return locked;
  }

  private parseReport(input: PaymentBankTransferReportInput) {
    const errors: UserError[] = [];
    const payerName = input.payerName.trim().replace(/\s+/g, ' ');
    if (!payerName || payerName.length > PAYER_NAME_MAX || !PAYER_NAME.test(payerName)) {
      errors.push({
        code: UserErrorCode.INVALID,
        field: ['input', 'payerName'],
        message: `Write the payer name as on the transfer, in katakana or latin letters (at most ${PAYER_NAME_MAX} characters), e.g. ヤマダ ハナコ.`,
      });
    }
    let amount = 0n;
    try {
      amount = parseMoneyInput(input.amount, Currency.JPY, ['input', 'amount']);
      if (amount <= 0n) errors.push({ code: UserErrorCode.INVALID, field: ['input', 'amount', 'amount'], message: 'The amount must be above zero.' });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      errors.push(...error.errors);
    }
    const transferDate = input.transferDate.trim();
    const today = new Date(this.app.clock.now().getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
    if (!isCalendarDate(transferDate) || transferDate > today) {
      errors.push({ code: UserErrorCode.INVALID, field: ['input', 'transferDate'], message: 'Give the day of the transfer as YYYY-MM-DD, not in the future.' });
    }
    if (errors.length) throw new DomainError(errors);
    return { payerName, amount, transferDate };
  }
}

function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function notATransfer() {
  return new DomainError(UserErrorCode.NOT_A_BANK_TRANSFER, 'This payment is not a bank transfer.', ['input', 'paymentId']);
}
