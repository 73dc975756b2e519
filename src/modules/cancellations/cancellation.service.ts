import { In, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { DomainError, UserErrorCode } from '../../common/errors';
import { isUuid, requireUuid } from '../../common/ids';
import { assertTransition } from '../../common/state-machine';
import { pgCode } from '../../common/transaction';
import type { Account } from '../accounts/account.entity';
import { DepositReferenceKind } from '../deposits/deposit-entry.entity';
import { cnyToJpy, parseRate } from '../invoices/invoice-calc';
import { InvoiceKind } from '../invoices/invoice-state';
import { OrderItem } from '../orders/order-item.entity';
import type { Order } from '../orders/order.entity';
import { CancelReason, ItemStatus, LIVE_ITEM_STATUSES } from '../orders/order-state';
import { actorOf, recordEvent, type Actor } from '../orders/order-events';
import { refuseCancellationRequest } from '../orders/order-rules';
import type { OrderAccess } from '../orders/order.service';
import { transitionItem } from '../orders/order-transitions';
import { CANCELLATION_REQUEST_TRANSITIONS, CancellationRequest, CancellationRequestStatus } from './cancellation-request.entity';
import type { CancellationRequestDecideInput, OrderCancellationRequestInput } from './cancellation.inputs';

export class CancellationService {
  constructor(private readonly app: App) {}

  /** After the first payment and until shipment, the customer asks to cancel the order or some items. */
  async request(tx: EntityManager, access: OrderAccess, input: OrderCancellationRequestInput): Promise<CancellationRequest> {
    const order = await this.app.orders.lockVisible(tx, access, input.orderId);
    const refusal = refuseCancellationRequest(order);
    if (refusal) throw refusal;
    const reason = input.reason.trim();
    if (!reason || reason.length > 1000) throw new DomainError(UserErrorCode.INVALID, 'Say why you want to cancel (at most 1000 characters).', ['input', 'reason']);
    let itemIds: string[] | null = null;
    if (input.itemIds?.length) {
      itemIds = [...new Set(input.itemIds)];
      const live = await tx.getRepository(OrderItem).find({ where: { orderId: order.id, id: In(itemIds.filter(isUuid)), status: In(LIVE_ITEM_STATUSES) } });
      if (live.length !== itemIds.length) throw new DomainError(UserErrorCode.NOT_FOUND, 'Name only items of this order that are not cancelled.', ['input', 'itemIds']);
    }
    const repo = tx.getRepository(CancellationRequest);
    const request = repo.create({ orderId: order.id, itemIds, reason, status: CancellationRequestStatus.PENDING, requestedBy: access.viewer?.id ?? null, requestedAt: this.app.clock.now() });
    try {
      await tx.transaction((sp) => sp.getRepository(CancellationRequest).insert(request));
    } catch (error) {
      if (pgCode(error) === '23505') throw new DomainError(UserErrorCode.CANCELLATION_ALREADY_REQUESTED, 'A cancellation request for this order is already waiting for staff.', ['input', 'orderId']);
      throw error;
    }
    await recordEvent(tx, { orderId: order.id, type: 'CANCELLATION_REQUESTED', actor: actorOf(access.viewer), at: request.requestedAt, data: { requestId: request.id, itemIds, reason } });
    return request;
  }

  /**
   * Staff approve (cancel and refund to the deposit, per item or the whole order) or reject
   * with a note. Deciding twice is refused; concurrent decisions serialise on the order lock.
   */
  async decide(tx: EntityManager, viewer: Account, input: CancellationRequestDecideInput): Promise<CancellationRequest> {
    const id = requireUuid(input.requestId, ['input', 'requestId'], 'cancellation request');
    const found = await tx.getRepository(CancellationRequest).findOneBy({ id });
    if (!found) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such cancellation request.', ['input', 'requestId']);
    const order = await this.app.orders.lockForStaff(tx, found.orderId);
    const request = (await tx.getRepository(CancellationRequest).findOneBy({ id }))!;
    const to = input.approve ? CancellationRequestStatus.APPROVED : CancellationRequestStatus.REJECTED;
    assertTransition(CANCELLATION_REQUEST_TRANSITIONS, 'cancellation request', request.status, to, ['input', 'requestId']);
    const note = input.note.trim();
    if (!note) throw new DomainError(UserErrorCode.INVALID, 'Write a note to the customer.', ['input', 'note']);
    const actor = actorOf(viewer);
    const at = this.app.clock.now();
    let refunded = 0n;
    if (input.approve) {
      if (refuseCancellationRequest(order)) throw new DomainError(UserErrorCode.ORDER_NOT_CANCELLABLE, 'The order has moved on (e.g. shipped) and can no longer be cancelled: reject the request.', ['input', 'requestId']);
      const firstInvoice = await this.app.invoices.findForOrder(tx, order.id, InvoiceKind.FIRST, true);
      if (firstInvoice && (await this.app.invoices.pendingPayments(tx, firstInvoice.id))) {
        throw new DomainError(UserErrorCode.PAYMENT_IN_PROGRESS, 'A payment for this order awaits confirmation: confirm or reject it first.', ['input', 'requestId']);
      }
      refunded = request.itemIds
        ? await this.cancelItems(tx, order, request, actor, at)
        : await this.app.orders.cancelAndRefund(tx, order, CancelReason.CUSTOMER_REQUEST, note, actor, at);
    }
    const changes = { status: to, decidedBy: viewer.id, decidedAt: at, decisionNote: note, refundedMinor: refunded };
    await tx.getRepository(CancellationRequest).update({ id: request.id, status: CancellationRequestStatus.PENDING }, changes);
    Object.assign(request, changes);
    await recordEvent(tx, { orderId: order.id, type: `CANCELLATION_${to}`, actor, at, from: CancellationRequestStatus.PENDING, to, data: { requestId: request.id, note, refunded: refunded.toString() } });
    return request;
  }

  /** Cancels the named items and refunds what was paid for them; the last one cancels the order. */
  private async cancelItems(tx: EntityManager, order: Order, request: CancellationRequest, actor: Actor, at: Date): Promise<bigint> {
    const invoice = (await this.app.invoices.findForOrder(tx, order.id, InvoiceKind.FIRST, true))!;
    const items = await tx.getRepository(OrderItem).find({ where: { orderId: order.id, id: In(request.itemIds!) } });
    let refunded = 0n;
    for (const item of items) {
      if (!LIVE_ITEM_STATUSES.includes(item.status)) continue; // e.g. became unavailable meanwhile (already refunded)
      await transitionItem(tx, item, ItemStatus.CANCELLED, { actor, at, reason: CancelReason.CUSTOMER_REQUEST, data: { requestId: request.id } });
      const paid = invoice.storedLines.filter((l) => l.itemId === item.id).reduce((sum, l) => sum + BigInt(l.amount), 0n);
      // A part not bought was refunded at purchase already.
      const short = item.purchasedQuantity !== null ? item.quantity - item.purchasedQuantity : 0;
      const already = short > 0 ? cnyToJpy((item.unitPriceCny ?? 0n) * BigInt(short), parseRate(invoice.exchangeRate!, [])) : 0n;
      const amount = paid - already > 0n ? paid - already : 0n;
      await this.app.invoices.refund(tx, invoice, order, { amountMinor: amount, reference: { kind: DepositReferenceKind.CANCELLATION_REQUEST, id: request.id }, note: `“${item.title}” cancelled at your request`, actor, at, itemId: item.id });
      refunded += amount;
    }
    if ((await this.app.orders.liveItems(tx, order.id)).length === 0) {
      refunded += await this.app.orders.cancelAndRefund(tx, order, CancelReason.CUSTOMER_REQUEST, request.reason, actor, at);
    }
    return refunded;
  }

  /** Staff: how many orders were cancelled for each reason in a period. */
  async countsByReason(from: Date, to: Date): Promise<{ reason: CancelReason; count: number }[]> {
    const rows: { reason: CancelReason; n: string }[] = await this.app.ds.query(
      `SELECT cancel_reason AS reason, count(*) AS n FROM customer_order WHERE status = 'CANCELLED' AND cancelled_at >= $1 AND cancelled_at < $2 GROUP BY cancel_reason ORDER BY count(*) DESC, cancel_reason`,
      [from, to],
    );
    return rows.map((r) => ({ reason: r.reason, count: Number(r.n) }));
  }

  pendingFor(orderIds: readonly string[]): Promise<CancellationRequest[]> {
    return this.app.ds.getRepository(CancellationRequest).find({ where: { orderId: In([...orderIds]) }, order: { requestedAt: 'ASC' } });
  }
}
