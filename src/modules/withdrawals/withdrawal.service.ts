import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { DomainError, errorCollector, forbidden, unauthenticated, UserErrorCode } from '../../common/errors';
import { isUuid, requireUuid } from '../../common/ids';
import { assertIdempotencyKey, idempotent } from '../../common/idempotency';
import { Currency, formatMinor, Money, parseMoneyInput } from '../../common/money';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../../common/pagination';
import { type Account, Role } from '../accounts/account.entity';
import { DepositEntryKind, DepositReferenceKind } from '../deposits/deposit-entry.entity';
import { queueMail } from '../notifications/outbox';
import { NotificationKind } from '../notifications/announcements';
import { actorOf, recordEvent, type Actor } from '../orders/order-events';
import type { OrderAccess } from '../orders/order.service';
import { parseBankAccount, type PayoutBankAccount } from './bank-account';
import type { WithdrawalMove } from './withdrawal-machine';
import { bankColumns, Withdrawal } from './withdrawal.entity';
import {
  NOTE_MAX, REFERENCE_MAX, type DepositWithdrawalCompleteInput, type DepositWithdrawalRejectInput, type DepositWithdrawalRequestInput,
  type WithdrawalBankAccountSetInput, type WithdrawalsFilter,
} from './withdrawal.inputs';
import { WithdrawalSource, WithdrawalStatus } from './withdrawal-state';

/** A new payout, as the deposit (customer request) and the refunds (money back to a bank account) ask for it. */
export interface NewWithdrawal {
  source: WithdrawalSource;
  /** The customer whose deposit holds it; null for a guest's refund. */
  accountId: string | null;
  orderId?: string | null;
  paymentId?: string | null;
  refundId?: string | null;
  replacesId?: string | null;
  amountMinor: bigint;
  /** Null: REQUESTED awaiting the customer's account details. */
  bankAccount: PayoutBankAccount | null;
  actor: Actor;
  at: Date;
}

/**
 * Payouts to Japanese bank accounts (docs/deposits.md, "Withdrawals"): customers withdraw from
 * their deposit, refunds to a bank transfer are paid back the same way, staff transfer and
 * complete them (or reject them) from the WITHDRAWAL queue, oldest first.
 */
export class WithdrawalService {
  constructor(private readonly app: App) {}

  /**
   * Records a REQUESTED payout. A customer's amount is held from the deposit at once by a
   * WITHDRAWAL_HOLD entry in the caller's transaction (INSUFFICIENT_DEPOSIT when the balance is
   * short), so the same yen can never be spent or withdrawn twice.
   */
  async create(tx: EntityManager, w: NewWithdrawal): Promise<Withdrawal> {
    const repo = tx.getRepository(Withdrawal);
    const withdrawal = repo.create({
      status: WithdrawalStatus.REQUESTED, source: w.source, accountId: w.accountId, orderId: w.orderId ?? null, paymentId: w.paymentId ?? null,
      refundId: w.refundId ?? null, replacesId: w.replacesId ?? null, amountMinor: w.amountMinor, ...bankColumns(w.bankAccount),
      requestedAt: w.at, requestedBy: w.actor.id, decidedAt: null, decidedBy: null, transferReference: null, decisionNote: null,
    });
    await repo.insert(withdrawal);
    if (w.accountId) {
      await this.app.deposits.post(tx, {
        accountId: w.accountId, kind: DepositEntryKind.WITHDRAWAL_HOLD, amountMinor: -w.amountMinor,
        reference: { kind: DepositReferenceKind.WITHDRAWAL, id: withdrawal.id }, actorId: w.actor.id,
        note: w.source === WithdrawalSource.DEPOSIT ? 'Withdrawal to your bank account' : 'Refund paid back to your bank account',
      });
    }
    await this.record(tx, withdrawal, 'WITHDRAWAL_REQUESTED', w.actor, w.at, null);
    return withdrawal;
  }

  /**
   * The customer asks for part of their deposit on a Japanese bank account. Idempotent by key;
   * the amount is held at once (INSUFFICIENT_DEPOSIT beyond the balance, ¥1 at least).
   */
  async request(tx: EntityManager, viewer: Account | null, input: DepositWithdrawalRequestInput): Promise<{ withdrawal: Withdrawal; balance: Money }> {
    if (!viewer) throw unauthenticated();
    if (viewer.role !== Role.CUSTOMER) throw forbidden('Only customers withdraw from their own deposit.');
    const inputs = errorCollector();
    const collect = <T>(fn: () => T) => inputs.check(fn);
    const amountMinor = collect(() => {
      const minor = parseMoneyInput(input.amount, Currency.JPY, ['input', 'amount']);
      if (minor <= 0n) throw new DomainError(UserErrorCode.INVALID, 'Withdraw at least 1 yen.', ['input', 'amount', 'amount']);
      return minor;
    });
    const bankAccount = collect(() => parseBankAccount(input.bankAccount, ['input', 'bankAccount']));
    collect(() => assertIdempotencyKey(input.idempotencyKey));
    inputs.done();
    const at = this.app.clock.now();
    const result = await idempotent(
      tx,
      { scope: viewer.id, operation: 'depositWithdrawalRequest', key: input.idempotencyKey, request: { amountMinor: amountMinor!, ...bankAccount! }, now: at },
      async () => {
        const withdrawal = await this.create(tx, {
          source: WithdrawalSource.DEPOSIT, accountId: viewer.id, amountMinor: amountMinor!, bankAccount: bankAccount!, actor: actorOf(viewer), at,
        }).catch((error: unknown) => {
          if (error instanceof DomainError && error.errors[0].code === UserErrorCode.INSUFFICIENT_DEPOSIT) {
            throw new DomainError(UserErrorCode.INSUFFICIENT_DEPOSIT, error.message, ['input', 'amount']);
          }
          throw error;
        });
        return { withdrawalId: withdrawal.id, balance: (await this.app.deposits.balance(viewer.id, tx)).toString() };
      },
    );
    return { withdrawal: await tx.getRepository(Withdrawal).findOneByOrFail({ id: result.withdrawalId }), balance: Money.jpy(BigInt(result.balance)) };
  }

  /** Staff transferred the money: COMPLETED with the transfer's reference. Needs the account details. */
  async complete(tx: EntityManager, viewer: Account, input: DepositWithdrawalCompleteInput): Promise<Withdrawal> {
    const reference = input.transferReference.trim();
    if (!reference || reference.length > REFERENCE_MAX) {
      throw new DomainError(UserErrorCode.INVALID, `Give the transfer’s reference (1 to ${REFERENCE_MAX} characters).`, ['input', 'transferReference']);
    }
    const withdrawal = await this.lockForStaff(tx, input.withdrawalId);
    if (withdrawal.status === WithdrawalStatus.REQUESTED && withdrawal.bankName === null) {
      throw new DomainError(UserErrorCode.WITHDRAWAL_BANK_ACCOUNT_MISSING, 'The customer has not given a bank account for this payout yet.', ['input', 'withdrawalId']);
    }
    await this.app.lifecycle.withdrawal.transition(tx, withdrawal, WithdrawalStatus.COMPLETED, {
      actor: actorOf(viewer), at: this.app.clock.now(), changes: { transferReference: reference }, field: ['input', 'withdrawalId'],
    });
    return withdrawal;
  }

  /** Staff could not pay it (wrong account, suspicious request …): REJECTED with a note; the money is given back (the machine's hook). */
  async reject(tx: EntityManager, viewer: Account, input: DepositWithdrawalRejectInput): Promise<Withdrawal> {
    const note = input.note.trim();
    if (!note || note.length > NOTE_MAX) throw new DomainError(UserErrorCode.INVALID, `Write a note to the customer (1 to ${NOTE_MAX} characters).`, ['input', 'note']);
    const withdrawal = await this.lockForStaff(tx, input.withdrawalId);
    await this.app.lifecycle.withdrawal.transition(tx, withdrawal, WithdrawalStatus.REJECTED, {
      actor: actorOf(viewer), at: this.app.clock.now(), changes: { decisionNote: note }, data: { note }, field: ['input', 'withdrawalId'],
    });
    return withdrawal;
  }

  /**
   * The customer (their own payout) or a guest (order number + phone of the refunded order)
   * gives or corrects the bank account of a REQUESTED payout. Someone else's answers NOT_FOUND.
   */
  async setBankAccount(tx: EntityManager, access: OrderAccess, input: WithdrawalBankAccountSetInput): Promise<Withdrawal> {
    const field = ['input', 'withdrawalId'];
    const missing = () => new DomainError(UserErrorCode.NOT_FOUND, 'No such payout.', field);
    const id = requireUuid(input.withdrawalId, field, 'payout');
    const found = await tx.getRepository(Withdrawal).findOneBy({ id });
    if (access.viewer && isStaff(access.viewer)) throw forbidden('The customer gives their own bank account.');
    if (!found) throw missing();
    if (access.viewer) {
      if (found.accountId !== access.viewer.id) throw missing();
      if (found.orderId) await this.app.orders.lockVisible(tx, access, found.orderId, field, 'payout');
    } else {
      if (found.accountId !== null || !found.orderId) throw missing();
      await this.app.orders.lockVisible(tx, access, async () => found.orderId, field, 'payout');
    }
    const bankAccount = parseBankAccount(input.bankAccount, ['input', 'bankAccount']);
    const withdrawal = (await tx.getRepository(Withdrawal).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }))!;
    if (withdrawal.status !== WithdrawalStatus.REQUESTED) {
      throw new DomainError(UserErrorCode.INVALID_STATE, `This payout is ${withdrawal.status.toLowerCase()}: its account can no longer change.`, field);
    }
    const columns = bankColumns(bankAccount);
    await tx.getRepository(Withdrawal).update({ id }, columns);
    Object.assign(withdrawal, columns);
    await this.record(tx, withdrawal, 'WITHDRAWAL_BANK_ACCOUNT_SET', actorOf(access.viewer), this.app.clock.now(), null);
    return withdrawal;
  }

  /** The bank account of the customer's latest payout that had one (to pay a refund to), or null. */
  async lastBankAccount(accountId: string, tx: EntityManager = this.app.ds.manager): Promise<PayoutBankAccount | null> {
    const last = await tx
      .getRepository(Withdrawal)
      .createQueryBuilder('w')
      .where('w.account_id = :accountId AND w.bank_name IS NOT NULL', { accountId })
      .orderBy('w.seq', 'DESC')
      .limit(1)
      .getOne();
    return last?.bankAccount ?? null;
  }

  /** Staff: payouts by status (default the WITHDRAWAL queue: REQUESTED), oldest first. */
  async list(filter: WithdrawalsFilter | null | undefined, first: number | undefined, after: string | null | undefined): Promise<ConnectionShape<Withdrawal>> {
    const limit = pageSize(first);
    const afterSeq = decodeCursor(after, 1)?.[0];
    if (afterSeq !== undefined && !/^\d{1,19}$/.test(String(afterSeq))) throw new DomainError(UserErrorCode.INVALID, 'The cursor is not one this API gave out.', ['after']);
    const q = this.app.ds.getRepository(Withdrawal).createQueryBuilder('w').where('w.status = :status', { status: filter?.status ?? WithdrawalStatus.REQUESTED });
    if (filter?.awaitingBankAccount === true) q.andWhere('w.bank_name IS NULL');
    if (filter?.awaitingBankAccount === false) q.andWhere('w.bank_name IS NOT NULL');
    if (filter?.source) q.andWhere('w.source = :source', { source: filter.source });
    if (filter?.accountId) {
      if (!isUuid(filter.accountId)) return toConnection([], limit, () => []);
      q.andWhere('w.account_id = :accountId', { accountId: filter.accountId.toLowerCase() });
    }
    if (afterSeq !== undefined) q.andWhere('w.seq > :afterSeq', { afterSeq: String(afterSeq) });
    return toConnection(await q.orderBy('w.seq', 'ASC').limit(limit + 1).getMany(), limit, (w) => [w.seq]);
  }

  /** A customer's own payouts, newest first. */
  async listForAccount(accountId: string, first: number | undefined, after: string | null | undefined): Promise<ConnectionShape<Withdrawal>> {
    const limit = pageSize(first);
    const afterSeq = decodeCursor(after, 1)?.[0];
    if (afterSeq !== undefined && !/^\d{1,19}$/.test(String(afterSeq))) throw new DomainError(UserErrorCode.INVALID, 'The cursor is not one this API gave out.', ['after']);
    const q = this.app.ds.getRepository(Withdrawal).createQueryBuilder('w').where('w.account_id = :accountId', { accountId });
    if (afterSeq !== undefined) q.andWhere('w.seq < :afterSeq', { afterSeq: String(afterSeq) });
    return toConnection(await q.orderBy('w.seq', 'DESC').limit(limit + 1).getMany(), limit, (w) => [w.seq]);
  }

  /** The payouts of refunds of each order, oldest first (one statement for a page of orders). */
  async forOrders(orderIds: readonly string[]): Promise<Withdrawal[][]> {
    const rows = await this.app.ds.getRepository(Withdrawal).createQueryBuilder('w').where('w.order_id = ANY(:ids)', { ids: [...orderIds] }).orderBy('w.seq', 'ASC').getMany();
    return orderIds.map((id) => rows.filter((w) => w.orderId === id));
  }

  /**
   * The timeline entry of a payout of an order's refund (what the outbox announces). A deposit
   * withdrawal has no order: its customer is e-mailed when staff decide it.
   */
  async record(tx: EntityManager, withdrawal: Withdrawal, type: string, actor: Actor, at: Date, from: WithdrawalStatus | null): Promise<void> {
    const data = {
      withdrawalId: withdrawal.id, source: withdrawal.source, amount: formatMinor(withdrawal.amountMinor, Currency.JPY), awaitingBankAccount: withdrawal.awaitingBankAccount,
      ...(withdrawal.transferReference ? { transferReference: withdrawal.transferReference } : {}), ...(withdrawal.decisionNote ? { note: withdrawal.decisionNote } : {}),
    };
    if (withdrawal.orderId) {
      await recordEvent(tx, { orderId: withdrawal.orderId, type, actor, at, from, to: withdrawal.status, data });
      return;
    }
    if (from === null || !withdrawal.accountId) return;
    const [account]: { email: string; notification_settings: { mailOff?: string[] } | null }[] = await tx.query(`SELECT email, notification_settings FROM account WHERE id = $1`, [withdrawal.accountId]);
    if (!account || account.notification_settings?.mailOff?.includes(NotificationKind.WITHDRAWAL)) return;
    const yen = `${Number(withdrawal.amountMinor).toLocaleString('ja-JP')}円`;
    const done = withdrawal.status === WithdrawalStatus.COMPLETED;
    await queueMail(this.app, tx, {
      accountId: withdrawal.accountId,
      recipient: account.email,
      kind: NotificationKind.WITHDRAWAL,
      subject: done ? '【代行サービス】デポジットの出金を振り込みました' : '【代行サービス】デポジットの出金をお受けできませんでした',
      text: done
        ? `デポジットから${yen}をご指定の口座へ振り込みました。\n振込の控え: ${withdrawal.transferReference}`
        : `デポジットからの出金（${yen}）をお受けできませんでした。金額はデポジットに戻しました。\n理由: ${withdrawal.decisionNote}`,
    });
  }

  /** REJECTED: the money goes back to whoever it belongs to (see withdrawal-machine.ts). */
  async giveBack(tx: EntityManager, withdrawal: Withdrawal, move: WithdrawalMove): Promise<void> {
    if (withdrawal.accountId) {
      await this.app.deposits.post(tx, {
        accountId: withdrawal.accountId, kind: DepositEntryKind.WITHDRAWAL_RELEASE, amountMinor: withdrawal.amountMinor,
        reference: { kind: DepositReferenceKind.WITHDRAWAL, id: withdrawal.id }, actorId: move.actor.id, note: `Withdrawal not paid: ${withdrawal.decisionNote ?? ''}`.trim(),
      });
      return;
    }
    await this.create(tx, {
      source: withdrawal.source, accountId: null, orderId: withdrawal.orderId, paymentId: withdrawal.paymentId, refundId: withdrawal.refundId, replacesId: withdrawal.id,
      amountMinor: withdrawal.amountMinor, bankAccount: null, actor: move.actor, at: move.at,
    });
  }

  /** A payout locked for a staff decision: its order first (when it belongs to one), then the payout. */
  private async lockForStaff(tx: EntityManager, withdrawalId: string): Promise<Withdrawal> {
    const field = ['input', 'withdrawalId'];
    const id = requireUuid(withdrawalId, field, 'withdrawal');
    const found = await tx.getRepository(Withdrawal).findOneBy({ id });
    if (!found) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such withdrawal.', field);
    if (found.orderId) await this.app.orders.lockForStaff(tx, found.orderId);
    return (await tx.getRepository(Withdrawal).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }))!;
  }
}
