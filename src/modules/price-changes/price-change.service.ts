import { In, LessThanOrEqual, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { addDays } from '../../common/clock';
import { DomainError, UserErrorCode } from '../../common/errors';
import { requireUuid } from '../../common/ids';
import { Currency, formatMinor, parseMoneyInput } from '../../common/money';
import { inTransaction } from '../../common/transaction';
import { assertValid } from '../../common/validation';
import type { Account } from '../accounts/account.entity';
import { DepositReferenceKind } from '../deposits/deposit-entry.entity';
import { computePriceDifference, parseRate } from '../invoices/invoice-calc';
import { feeRuleOf } from '../invoices/invoice-money';
import { Invoice } from '../invoices/invoice.entity';
import { InvoiceKind, InvoiceStatus } from '../invoices/invoice-state';
import type { LifeMove } from '../lifecycle/lifecycle';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { actorOf, recordEvent, SYSTEM } from '../orders/order-events';
import { CancelReason, ItemStatus } from '../orders/order-state';
import type { OrderAccess } from '../orders/order.service';
import { PriceChange } from './price-change.entity';
import type { OrderItemPriceChangeInput, PriceChangeRespondInput } from './price-change.inputs';
import { PENDING_PRICE_CHANGE, PriceChangeStatus } from './price-change-state';

/** A price change moves with its order, which the caller has locked. */
export interface PriceChangeMove extends LifeMove {
  order: Order;
}

const BATCH = 50;

/** The item's cancellation note, by who declined. */
const DECLINE_NOTES: Record<string, string> = {
  SYSTEM: 'The price change was not accepted and paid by its due date.',
  STAFF: 'The customer declined the price change (recorded by staff).',
  CUSTOMER: 'The customer declined the price change.',
  GUEST: 'The customer declined the price change.',
};

/**
 * A seller's price change after the first payment (docs/payments.md, "Price changes"). Staff
 * record it; a rise becomes an ADDITIONAL invoice the customer accepts and pays with `invoicePay`
 * or declines; a fall is refunded at once. What entering each state does is written once, in
 * the lifecycle's price-change machine (lifecycle/price-change-machine.ts).
 */
export class PriceChangeService {
  constructor(private readonly app: App) {}

  async record(tx: EntityManager, viewer: Account, input: OrderItemPriceChangeInput): Promise<{ priceChange: PriceChange; item: OrderItem; order: Order }> {
    await assertValid(input);
    if (!input.note.trim()) throw new DomainError(UserErrorCode.INVALID, 'Say why the price changed.', ['input', 'note']);
    const { order, item } = await this.app.orders.lockItem(tx, 'staff', input.itemId);
    if (item.status !== ItemStatus.PURCHASING) {
      throw new DomainError(UserErrorCode.INVALID_STATE, 'Only an item paid for and not yet bought can change price: the first payment fixes the price until then, a bought item’s price is final.', ['input', 'itemId']);
    }
    if (await this.pendingFor(tx, item.id)) {
      throw new DomainError(UserErrorCode.PRICE_CHANGE_PENDING, 'A price change of this item is waiting for the customer: wait for the answer (or the due date) first.', ['input', 'itemId']);
    }
    const before = { unitPriceCny: item.unitPriceCny ?? 0n, chinaShippingCny: item.chinaShippingCny ?? 0n };
    const after = {
      unitPriceCny: input.unitPrice ? parseMoneyInput(input.unitPrice, Currency.CNY, ['input', 'unitPrice']) : before.unitPriceCny,
      chinaShippingCny: input.chinaShipping ? parseMoneyInput(input.chinaShipping, Currency.CNY, ['input', 'chinaShipping']) : before.chinaShippingCny,
    };
    if (after.unitPriceCny <= 0n) throw new DomainError(UserErrorCode.INVALID, 'A unit price must be above zero; mark the item unavailable if it cannot be bought.', ['input', 'unitPrice', 'amount']);
    if (after.unitPriceCny === before.unitPriceCny && after.chinaShippingCny === before.chinaShippingCny) {
      throw new DomainError(UserErrorCode.INVALID, 'The item already has this price and China shipping.', ['input']);
    }
    const first = (await this.app.invoices.findForOrder(tx, order.id, InvoiceKind.FIRST, true))!;
    const { lines, total } = computePriceDifference(item.id, { title: item.title, quantity: item.quantity, before, after }, parseRate(first.exchangeRate!, []), feeRuleOf(first));
    const actor = actorOf(viewer);
    const at = this.app.clock.now();
    const dueAt = total > 0n ? addDays(at, this.app.config.PRICE_CHANGE_DUE_DAYS) : null;
    let invoice: Invoice | null = null;
    if (total > 0n) {
      invoice = tx.getRepository(Invoice).create({
        orderId: order.id, kind: InvoiceKind.ADDITIONAL, status: InvoiceStatus.OPEN, currency: Currency.JPY, storedLines: lines, totalMinor: total, amountPaidMinor: 0n,
        exchangeRate: first.exchangeRate, pricing: first.pricing, revision: 1, issuedAt: at, dueAt, paidAt: null,
      });
      await tx.getRepository(Invoice).save(invoice);
      await recordEvent(tx, { orderId: order.id, itemId: item.id, type: 'INVOICE_ISSUED', actor, at, data: { invoiceId: invoice.id, kind: invoice.kind, total: formatMinor(total, Currency.JPY) } });
    }
    const change = tx.getRepository(PriceChange).create({
      orderId: order.id, itemId: item.id, invoiceId: invoice?.id ?? null, status: PriceChangeStatus.AWAITING_RESPONSE, quantity: item.quantity,
      unitPriceBeforeCny: before.unitPriceCny, unitPriceAfterCny: after.unitPriceCny, chinaShippingBeforeCny: before.chinaShippingCny, chinaShippingAfterCny: after.chinaShippingCny,
      differenceMinor: total, note: input.note.trim(), dueAt, createdBy: viewer.id, createdAt: at, decidedAt: null,
    });
    await tx.getRepository(PriceChange).save(change);
    await recordEvent(tx, {
      orderId: order.id, itemId: item.id, type: 'PRICE_CHANGE_RECORDED', actor, at,
      data: {
        priceChangeId: change.id, invoiceId: invoice?.id ?? null, difference: formatMinor(total, Currency.JPY), dueAt: dueAt?.toISOString() ?? null, note: change.note,
        unitPrice: [formatMinor(before.unitPriceCny, Currency.CNY), formatMinor(after.unitPriceCny, Currency.CNY)],
        chinaShipping: [formatMinor(before.chinaShippingCny, Currency.CNY), formatMinor(after.chinaShippingCny, Currency.CNY)],
      },
    });
    // Nothing to ask when the customer pays less (or the same yen): the new price holds at once.
    if (total <= 0n) await this.app.lifecycle.priceChange.transition(tx, change, PriceChangeStatus.APPLIED, { actor, at, order, refundTo: input.refundTo });
    return { priceChange: change, item, order };
  }

  /**
   * The customer's answer (staff may record it for them). Accepting twice is answered with the
   * change as it stands. Declining is refused while money for the additional invoice is on its
   * way (a reported transfer, a held card capture): it may be paid in a moment.
   */
  async respond(tx: EntityManager, access: OrderAccess, input: PriceChangeRespondInput): Promise<{ priceChange: PriceChange; item: OrderItem; order: Order }> {
    const field = ['input', 'priceChangeId'];
    const order = await this.app.orders.lockVisible(
      tx, access,
      async () => (await tx.getRepository(PriceChange).findOne({ where: { id: requireUuid(input.priceChangeId, field, 'price change') }, select: { id: true, orderId: true } }))?.orderId ?? '',
      field, 'price change',
    );
    const change = await tx.getRepository(PriceChange).findOne({ where: { id: input.priceChangeId, orderId: order.id }, lock: { mode: 'pessimistic_write' } });
    if (!change) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such price change.', field);
    const move = { actor: actorOf(access.viewer), at: this.app.clock.now(), order, field, refundTo: input.refundTo };
    if (input.accept) {
      if (change.status !== PriceChangeStatus.ACCEPTED) await this.app.lifecycle.priceChange.transition(tx, change, PriceChangeStatus.ACCEPTED, move);
    } else {
      this.app.lifecycle.priceChange.assert(change, PriceChangeStatus.DECLINED, field);
      if (change.invoiceId && (await this.app.invoices.pendingPayments(tx, change.invoiceId)) > 0) {
        throw new DomainError(UserErrorCode.PAYMENT_IN_PROGRESS, 'A payment of the additional invoice is being confirmed: it can be declined only if that payment is rejected.', field);
      }
      await this.app.lifecycle.priceChange.transition(tx, change, PriceChangeStatus.DECLINED, { ...move, reason: CancelReason.PRICE_CHANGE_DECLINED });
    }
    // Read after the answer: a decline has cancelled the item meanwhile.
    return { priceChange: change, item: (await tx.getRepository(OrderItem).findOneBy({ id: change.itemId }))!, order };
  }

  /**
   * Entering APPLIED: the item takes the new prices. A fall gives the difference back from the
   * first invoice and remembers the item's part of it (goods and China shipping, not the fee's
   * share), so a later refund of the item does not give it back twice.
   */
  async applied(tx: EntityManager, change: PriceChange, move: PriceChangeMove): Promise<void> {
    const { order } = move;
    const item = (await tx.getRepository(OrderItem).findOne({ where: { id: change.itemId }, lock: { mode: 'pessimistic_write' } }))!;
    const changes: Partial<OrderItem> = { unitPriceCny: change.unitPriceAfterCny, chinaShippingCny: change.chinaShippingAfterCny };
    if (change.differenceMinor < 0n) {
      const first = (await this.app.invoices.findForOrder(tx, order.id, InvoiceKind.FIRST, true))!;
      const { lines } = computePriceDifference(item.id, { title: item.title, quantity: change.quantity, before: { unitPriceCny: change.unitPriceBeforeCny, chinaShippingCny: change.chinaShippingBeforeCny }, after: { unitPriceCny: change.unitPriceAfterCny, chinaShippingCny: change.chinaShippingAfterCny } }, parseRate(first.exchangeRate!, []), feeRuleOf(first));
      const itemPart = -lines.filter((l) => l.kind !== 'SERVICE_FEE').reduce((sum, l) => sum + BigInt(l.amount), 0n);
      changes.priceFallRefundedMinor = (item.priceFallRefundedMinor ?? 0n) + (itemPart > 0n ? itemPart : 0n);
      await this.app.invoices.refund(tx, first, order, {
        amountMinor: -change.differenceMinor, reference: { kind: DepositReferenceKind.PRICE_CHANGE, id: change.id },
        note: `The seller lowered the price of “${item.title}”`, actor: move.actor, at: move.at, itemId: item.id, refundTo: move.refundTo,
      });
    }
    await tx.getRepository(OrderItem).update({ id: item.id }, changes);
  }

  /** Entering DECLINED: the item leaves the order; its hooks refund what was paid for it and void the additional invoice. */
  async declined(tx: EntityManager, change: PriceChange, move: PriceChangeMove): Promise<void> {
    const item = (await tx.getRepository(OrderItem).findOneBy({ id: change.itemId }))!;
    if (item.status !== ItemStatus.PURCHASING) return;
    await this.app.lifecycle.item.transition(tx, item, ItemStatus.CANCELLED, {
      actor: move.actor, at: move.at, order: move.order, reason: CancelReason.PRICE_CHANGE_DECLINED, refundTo: move.refundTo,
      note: DECLINE_NOTES[move.actor.role] ?? DECLINE_NOTES.CUSTOMER,
      data: { priceChangeId: change.id }, refund: { reference: { kind: DepositReferenceKind.PRICE_CHANGE, id: change.id }, note: `Price change of “${item.title}” declined` },
    });
  }

  /** The item's change waiting for the customer, if any. */
  pendingFor(tx: EntityManager, itemId: string): Promise<PriceChange | null> {
    return tx.getRepository(PriceChange).findOne({ where: { itemId, status: In(PENDING_PRICE_CHANGE) }, lock: { mode: 'pessimistic_write' } });
  }

  /** The changes of these orders, oldest first (Order.priceChanges). */
  forOrders(orderIds: readonly string[]): Promise<PriceChange[]> {
    return this.app.ds.getRepository(PriceChange).find({ where: { orderId: In([...orderIds]) }, order: { seq: 'ASC' } });
  }

  /**
   * The sweep: a rise not accepted and paid by its due date is declined (the item cancelled and
   * refunded), unless money for it is on its way. One order per transaction, locked with SKIP
   * LOCKED so several processes share the work; re-checked under the lock.
   */
  async declinePastDue(now: Date): Promise<number> {
    let declined = 0;
    const skipped: string[] = [];
    for (;;) {
      const due = await this.app.ds.getRepository(PriceChange).find({
        where: { status: In(PENDING_PRICE_CHANGE), dueAt: LessThanOrEqual(now) }, order: { dueAt: 'ASC', id: 'ASC' }, take: BATCH, select: { id: true, orderId: true },
      });
      const todo = due.filter((c) => !skipped.includes(c.id));
      if (!todo.length) return declined;
      for (const { id, orderId } of todo) {
        const done = await inTransaction(this.app.ds, async (tx) => {
          const [locked]: { id: string }[] = await tx.query(`SELECT id FROM customer_order WHERE id = $1 FOR UPDATE SKIP LOCKED`, [orderId]);
          if (!locked) return false;
          const order = (await tx.getRepository(Order).findOneBy({ id: orderId }))!;
          const change = await tx.getRepository(PriceChange).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
          if (!change || !PENDING_PRICE_CHANGE.includes(change.status) || !change.dueAt || change.dueAt > now) return false;
          if (change.invoiceId && (await this.app.invoices.pendingPayments(tx, change.invoiceId)) > 0) return false;
          await this.app.lifecycle.priceChange.transition(tx, change, PriceChangeStatus.DECLINED, { actor: SYSTEM, at: now, order, reason: CancelReason.PRICE_CHANGE_DECLINED });
          return true;
        });
        if (done) declined++;
        else skipped.push(id);
      }
    }
  }
}
