import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { Currency, formatMinor } from '../../common/money';
import { inTransaction } from '../../common/transaction';
import { DepositEntryKind, DepositReferenceKind } from '../deposits/deposit-entry.entity';
import type { Invoice } from '../invoices/invoice.entity';
import { recordEvent, SYSTEM, type Actor } from '../orders/order-events';
import type { Order } from '../orders/order.entity';
import { CardProviderError } from '../payments/providers/card-provider';
import { WithdrawalSource } from '../withdrawals/withdrawal-state';
import type { RefundMove } from './refund-machine';
import { Refund } from './refund.entity';
import { RefundFallback, RefundStatus } from './refund-state';

/** One refund as the invoices ask for it: how much of the invoice's paid money, why, by whom. */
export interface RefundOrder {
  amountMinor: bigint;
  /** The deposit ledger's reference for any part credited to the deposit. */
  reference: { kind: DepositReferenceKind; id: string };
  note: string;
  actor: Actor;
  at: Date;
  itemId?: string | null;
}

/** A settled payment of the invoice with what of it is not refunded yet. */
interface Source {
  id: string;
  method: 'CARD' | 'BANK_TRANSFER' | 'DEPOSIT';
  room: bigint;
  captureId: string | null;
  provider: string | null;
}

/** How long one executor may take to ask PayPal before another may try (a lease, not business time). */
const LEASE_MS = 5 * 60_000;

/**
 * Refunds to where the money came from (docs/payments.md, "Refunds"). The split rule: card
 * payments first, then bank transfers, then the deposit; within each, the newest payment first;
 * each payment at most what it applied to the invoice less what was already sent back to it.
 * Card parts become `Refund` rows executed by a job after the commit; bank parts become payouts
 * (withdrawals); deposit parts are credited to the deposit (a guest has none: a payout instead).
 */
export class RefundService {
  constructor(private readonly app: App) {}

  /**
   * Sends `amountMinor` of the invoice's paid money back where it came from, in the caller's
   * transaction (which holds the order's and the invoice's locks and has already counted the
   * amount on the invoice). One REFUNDED_TO_ORIGINAL_METHOD timeline event says how it was split.
   */
  async toOriginalMethod(tx: EntityManager, invoice: Invoice, order: Order, r: RefundOrder): Promise<void> {
    let left = r.amountMinor;
    const split = { card: 0n, bankTransfer: 0n, deposit: 0n };
    for (const source of await this.sources(tx, invoice.id)) {
      const take = left < source.room ? left : source.room;
      if (take <= 0n) continue;
      if (source.method === 'CARD' && source.captureId && source.provider) {
        await this.toCard(tx, order, invoice, source, take, r);
        split.card += take;
      } else if (source.method === 'BANK_TRANSFER') {
        await this.toBank(tx, order, source.id, take, r);
        split.bankTransfer += take;
      } else continue; // deposit-paid money goes back to the deposit, below
      left -= take;
    }
    if (left > 0n) {
      if (order.customerId) {
        await this.app.deposits.post(tx, { accountId: order.customerId, kind: DepositEntryKind.REFUND, amountMinor: left, reference: r.reference, actorId: r.actor.id, note: r.note });
        split.deposit = left;
      } else {
        await this.toBank(tx, order, null, left, r); // a guest has no deposit: paid to a bank account they give
        split.bankTransfer += left;
      }
    }
    const yen = (v: bigint) => formatMinor(v, Currency.JPY);
    await recordEvent(tx, {
      orderId: order.id, itemId: r.itemId ?? null, type: 'REFUNDED_TO_ORIGINAL_METHOD', actor: r.actor, at: r.at,
      data: { invoiceId: invoice.id, amount: yen(r.amountMinor), card: yen(split.card), bankTransfer: yen(split.bankTransfer), deposit: yen(split.deposit), note: r.note },
    });
  }

  /**
   * Asks PayPal for one PENDING card refund, outside any transaction: claim (a lease, and the
   * attempt counted) in a short transaction, call PayPal with request id `refund:<id>` (a retry
   * replays the first refund), settle in a second. Throws when PayPal could not be reached, so
   * the job is retried; a refusal for good makes the refund FAILED (its money goes elsewhere).
   */
  async execute(refundId: string): Promise<RefundStatus | 'busy'> {
    const claim = await inTransaction(this.app.ds, async (tx) => {
      const refund = await tx.getRepository(Refund).findOne({ where: { id: refundId }, lock: { mode: 'pessimistic_write' } });
      if (!refund || refund.status !== RefundStatus.PENDING) return refund?.status ?? null;
      if (refund.claimedUntil && refund.claimedUntil.getTime() > Date.now()) return 'busy' as const;
      await tx.getRepository(Refund).update({ id: refund.id }, { attempts: refund.attempts + 1, claimedUntil: new Date(Date.now() + LEASE_MS) });
      const [order]: { order_number: string }[] = await tx.query(`SELECT order_number FROM customer_order WHERE id = $1`, [refund.orderId]);
      return { refund, orderNumber: order.order_number };
    });
    if (claim === null) return RefundStatus.FAILED;
    if (typeof claim === 'string') return claim;
    const { refund, orderNumber } = claim;

    let outcome: { ok: true; refundId: string; status: string } | { ok: false; reason: string };
    if (refund.provider !== this.app.cardProvider.name) {
      outcome = { ok: false, reason: `The card payment was taken through ${refund.provider}, which this gateway no longer uses.` };
    } else {
      try {
        const answer = await this.app.cardProvider.refundCapture({
          captureId: refund.captureId, amountJpy: refund.amountMinor, requestId: `refund:${refund.id}`, reference: refund.id, noteToPayer: `ご注文 ${orderNumber} の返金`,
        });
        if (answer.amountJpy !== refund.amountMinor) this.app.log.error({ refundId: refund.id, asked: String(refund.amountMinor), answered: String(answer.amountJpy) }, 'PayPal refunded another amount');
        outcome = answer.status === 'COMPLETED' || answer.status === 'PENDING' ? { ok: true, refundId: answer.refundId, status: answer.status } : { ok: false, reason: `PayPal answered the refund ${answer.status}.` };
      } catch (error) {
        if (!(error instanceof CardProviderError)) throw error;
        if (error.retryable || error.code === 'AUTH_FAILED' || error.code === 'UNEXPECTED_RESPONSE') {
          // Try again later (the job's retries, then the backstop): the same request id cannot refund twice.
          await this.app.ds.getRepository(Refund).update({ id: refund.id, status: RefundStatus.PENDING }, { claimedUntil: null, lastError: error.message.slice(0, 500) });
          throw error;
        }
        outcome = { ok: false, reason: error.message.slice(0, 500) };
      }
    }
    return inTransaction(this.app.ds, async (tx) => {
      const order = await this.app.orders.lockForStaff(tx, refund.orderId);
      const locked = (await tx.getRepository(Refund).findOne({ where: { id: refund.id }, lock: { mode: 'pessimistic_write' } }))!;
      if (locked.status !== RefundStatus.PENDING) return locked.status;
      const at = this.app.clock.now();
      if (outcome.ok) {
        await this.app.lifecycle.refund.transition(tx, locked, RefundStatus.SUCCEEDED, { actor: SYSTEM, at, changes: { providerRefundId: outcome.refundId, providerStatus: outcome.status, lastError: null } });
      } else {
        this.app.log.warn({ refundId: refund.id, orderId: order.id, reason: outcome.reason }, 'card refund refused: paying it out another way');
        await this.app.lifecycle.refund.transition(tx, locked, RefundStatus.FAILED, { actor: SYSTEM, at, changes: { failureReason: outcome.reason } });
      }
      return locked.status;
    });
  }

  /** FAILED: the money goes where it can (the machine's hook): the deposit, or a guest's bank payout. */
  async fallBack(tx: EntityManager, refund: Refund, move: RefundMove): Promise<void> {
    const note = 'カードへの返金ができなかった分';
    if (refund.accountId) {
      await this.app.deposits.post(tx, {
        accountId: refund.accountId, kind: DepositEntryKind.REFUND, amountMinor: refund.amountMinor, reference: { kind: DepositReferenceKind.REFUND, id: refund.id }, actorId: move.actor.id, note,
      });
    } else {
      await this.app.withdrawals.create(tx, {
        source: WithdrawalSource.REFUND, accountId: null, orderId: refund.orderId, refundId: refund.id, amountMinor: refund.amountMinor, bankAccount: null, actor: move.actor, at: move.at,
      });
    }
    const fallback = refund.accountId ? RefundFallback.DEPOSIT : RefundFallback.BANK_ACCOUNT;
    await tx.getRepository(Refund).update({ id: refund.id }, { fallback });
    refund.fallback = fallback;
  }

  /** PENDING refunds no job is working on (none was sent from a process without workers, or its retries ran out). */
  async unattended(queue: string): Promise<string[]> {
    const rows: { id: string }[] = await this.app.ds.query(
      `SELECT r.id FROM refund r
        WHERE r.status = 'PENDING' AND (r.claimed_until IS NULL OR r.claimed_until < now())
          AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $1 AND j.singleton_key = r.id::text AND j.state IN ('created', 'retry', 'active'))
        ORDER BY r.seq LIMIT 100`,
      [queue],
    );
    return rows.map((r) => r.id);
  }

  /** The card refunds of each order, oldest first (one statement for a page of orders). */
  async forOrders(orderIds: readonly string[]): Promise<Refund[][]> {
    const rows = await this.app.ds.getRepository(Refund).createQueryBuilder('r').where('r.order_id = ANY(:ids)', { ids: [...orderIds] }).orderBy('r.seq', 'ASC').getMany();
    return orderIds.map((id) => rows.filter((r) => r.orderId === id));
  }

  /** The invoice's settled payments in the order the split rule takes them, each with what is left to give back. */
  private async sources(tx: EntityManager, invoiceId: string): Promise<Source[]> {
    const rows: { id: string; method: Source['method']; room: string; capture_id: string | null; provider: string | null }[] = await tx.query(
      `SELECT p.id, p.method, p.capture_id, p.provider,
              (p.applied_amount
                 - coalesce((SELECT sum(r.amount) FROM refund r WHERE r.payment_id = p.id), 0)
                 - coalesce((SELECT sum(w.amount) FROM withdrawal w WHERE w.payment_id = p.id AND NOT (w.status = 'REJECTED' AND w.account_id IS NULL)), 0))::text AS room
         FROM payment p
        WHERE p.invoice_id = $1 AND p.status = 'SETTLED' AND p.applied_amount > 0
        ORDER BY CASE p.method WHEN 'CARD' THEN 0 WHEN 'BANK_TRANSFER' THEN 1 ELSE 2 END, p.seq DESC`,
      [invoiceId],
    );
    return rows.map((r) => ({ id: r.id, method: r.method, room: BigInt(r.room), captureId: r.capture_id, provider: r.provider }));
  }

  private async toCard(tx: EntityManager, order: Order, invoice: Invoice, source: Source, amountMinor: bigint, r: RefundOrder): Promise<void> {
    const repo = tx.getRepository(Refund);
    const refund = repo.create({
      status: RefundStatus.PENDING, orderId: order.id, invoiceId: invoice.id, paymentId: source.id, accountId: order.customerId, amountMinor,
      provider: source.provider!, captureId: source.captureId!, providerRefundId: null, providerStatus: null, attempts: 0, claimedUntil: null,
      lastError: null, failureReason: null, fallback: null, note: r.note.slice(0, 500), createdAt: r.at, createdBy: r.actor.id, completedAt: null,
    });
    await repo.insert(refund);
    // The job becomes visible with the commit; without workers in this process, a worker's backstop takes it.
    if (this.app.workers) await this.app.workers.enqueueRefund(tx, refund.id);
  }

  /**
   * A bank part: a payout to the customer's last bank account (REQUESTED awaiting their details
   * when they never gave one). A customer's passes through the deposit — credited (REFUND) and
   * held (WITHDRAWAL_HOLD) in one go — so a rejected payout lands in the deposit; a guest's has none.
   */
  private async toBank(tx: EntityManager, order: Order, paymentId: string | null, amountMinor: bigint, r: RefundOrder): Promise<void> {
    if (order.customerId) {
      await this.app.deposits.post(tx, { accountId: order.customerId, kind: DepositEntryKind.REFUND, amountMinor, reference: r.reference, actorId: r.actor.id, note: r.note });
    }
    await this.app.withdrawals.create(tx, {
      source: WithdrawalSource.REFUND, accountId: order.customerId, orderId: order.id, paymentId, amountMinor,
      bankAccount: order.customerId ? await this.app.withdrawals.lastBankAccount(order.customerId, tx) : null, actor: r.actor, at: r.at,
    });
  }
}
