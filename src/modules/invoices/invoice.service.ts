import { In, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { addDays } from '../../common/clock';
import { formatMinor, Currency } from '../../common/money';
import { OrderItem } from '../orders/order-item.entity';
import type { Order } from '../orders/order.entity';
import { recordEvent, type Actor } from '../orders/order-events';
import { computeFirstInvoice, formatRate, parseRate, type QuotedItem, type ServiceFeeRule } from './invoice-calc';
import { Invoice } from './invoice.entity';
import { feeRuleOf } from './invoice-money';
import { DomainError, UserErrorCode } from '../../common/errors';
import { DepositEntryKind, DepositReferenceKind } from '../deposits/deposit-entry.entity';
import { InvoiceKind, InvoiceStatus } from './invoice-state';
import { RefundTo } from '../refunds/refund-state';

export class InvoiceService {
  constructor(private readonly app: App) {}

  get serviceFeeRule(): ServiceFeeRule {
    return { percentBps: this.app.config.SERVICE_FEE_PERCENT_BPS, minimumJpy: BigInt(this.app.config.SERVICE_FEE_MINIMUM_JPY) };
  }

  /** Issues the first invoice for a quoted order, due FIRST_INVOICE_DUE_DAYS (7) after the quote. */
  async issueFirst(tx: EntityManager, order: Order, items: OrderItem[], rateScaled: bigint, actor: Actor, at: Date): Promise<Invoice> {
    const rule = this.serviceFeeRule;
    const { lines, total } = computeFirstInvoice(quoted(items), rateScaled, rule);
    const invoice = tx.getRepository(Invoice).create({
      orderId: order.id,
      kind: InvoiceKind.FIRST,
      status: InvoiceStatus.OPEN,
      currency: Currency.JPY,
      storedLines: lines,
      totalMinor: total,
      amountPaidMinor: 0n,
      exchangeRate: formatRate(rateScaled),
      pricing: { serviceFee: { percentBps: rule.percentBps, minimumJpy: rule.minimumJpy.toString() } },
      revision: 1,
      issuedAt: at,
      dueAt: addDays(at, this.app.config.FIRST_INVOICE_DUE_DAYS),
      paidAt: null,
    });
    await tx.getRepository(Invoice).save(invoice);
    await recordEvent(tx, { orderId: order.id, type: 'INVOICE_ISSUED', actor, at, data: { invoiceId: invoice.id, kind: invoice.kind, total: formatMinor(total, Currency.JPY), exchangeRate: invoice.exchangeRate } });
    return invoice;
  }

  /**
   * Recomputes an open first invoice from the order's live items, at the rate and fee rule
   * recorded when it was issued. Runs in the transaction that changed the items; the caller
   * holds the order's lock, so two changes can never compute from stale items.
   */
  async recomputeFirst(tx: EntityManager, order: Order, actor: Actor, at: Date): Promise<Invoice | null> {
    const invoice = await this.findForOrder(tx, order.id, InvoiceKind.FIRST, true);
    if (!invoice || invoice.status !== InvoiceStatus.OPEN) return invoice;
    const items = await this.app.lifecycle.liveItems(tx, order.id);
    const { lines, total } = computeFirstInvoice(quoted(items), parseRate(invoice.exchangeRate!, []), feeRuleOf(invoice));
    const before = invoice.totalMinor;
    await tx.getRepository(Invoice).update({ id: invoice.id }, { storedLines: lines, totalMinor: total, revision: invoice.revision + 1 });
    Object.assign(invoice, { storedLines: lines, totalMinor: total, revision: invoice.revision + 1 });
    await recordEvent(tx, {
      orderId: order.id,
      type: 'INVOICE_RECOMPUTED',
      actor,
      at,
      data: { invoiceId: invoice.id, kind: invoice.kind, totalBefore: formatMinor(before, Currency.JPY), totalAfter: formatMinor(total, Currency.JPY), revision: invoice.revision },
    });
    return invoice;
  }

  /**
   * Payments of the invoice with money on its way: a reported bank transfer awaiting staff, or
   * a card capture PayPal holds. A payment merely started (transfer chosen, PayPal page opened)
   * does not count: it blocks nothing. The rule lives with the payments (isMoneyOnItsWay).
   */
  async pendingPayments(tx: EntityManager, invoiceId: string): Promise<number> {
    return this.app.payments.moneyOnItsWay(tx, invoiceId);
  }

  /**
   * Gives paid money back and records it on the invoice, in the caller's transaction (which
   * holds the order's and the invoice's locks). Never more than was paid: checked here and by
   * the database. DEPOSIT (the default): a REFUND ledger entry. ORIGINAL_METHOD, and always for a
   * guest (who has no deposit): back where it came from — card, bank account, deposit — by the
   * split rule of `RefundService.toOriginalMethod`.
   */
  async refund(
    tx: EntityManager,
    invoice: Invoice,
    order: Order,
    refund: { amountMinor: bigint; reference: { kind: DepositReferenceKind; id: string }; note: string; actor: Actor; at: Date; itemId?: string | null; refundTo?: RefundTo },
  ): Promise<void> {
    if (refund.amountMinor <= 0n) return;
    if (invoice.amountRefundedMinor + refund.amountMinor > invoice.amountPaidMinor) {
      throw new DomainError(UserErrorCode.REFUND_EXCEEDS_PAID, `Only ¥${invoice.amountPaidMinor - invoice.amountRefundedMinor} of this invoice can still be refunded.`);
    }
    invoice.amountRefundedMinor += refund.amountMinor;
    await tx.getRepository(Invoice).update({ id: invoice.id }, { amountRefundedMinor: invoice.amountRefundedMinor });
    if (order.customerId === null || refund.refundTo === RefundTo.ORIGINAL_METHOD) {
      await this.app.refunds.toOriginalMethod(tx, invoice, order, refund);
      return;
    }
    await this.app.deposits.post(tx, {
      accountId: order.customerId,
      kind: DepositEntryKind.REFUND,
      amountMinor: refund.amountMinor,
      reference: refund.reference,
      actorId: refund.actor.id,
      note: refund.note,
    });
    await recordEvent(tx, {
      orderId: order.id,
      itemId: refund.itemId ?? null,
      type: 'REFUNDED_TO_DEPOSIT',
      actor: refund.actor,
      at: refund.at,
      data: { invoiceId: invoice.id, amount: formatMinor(refund.amountMinor, Currency.JPY), note: refund.note },
    });
  }

  /** The invoices an item's payment can be on (the first, and price rises' additional ones), locked, oldest first. */
  itemInvoices(tx: EntityManager, orderId: string): Promise<Invoice[]> {
    return tx.getRepository(Invoice).find({ where: { orderId, kind: In([InvoiceKind.FIRST, InvoiceKind.ADDITIONAL]) }, order: { createdAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
  }

  findForOrder(tx: EntityManager, orderId: string, kind: InvoiceKind, forUpdate = false): Promise<Invoice | null> {
    return tx.getRepository(Invoice).findOne({ where: { orderId, kind }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }
}

function quoted(items: OrderItem[]): QuotedItem[] {
  return items.map((item) => ({
    id: item.id,
    title: item.title,
    quantity: item.quantity,
    unitPriceCny: item.unitPriceCny ?? 0n,
    chinaShippingCny: item.chinaShippingCny ?? 0n,
  }));
}
