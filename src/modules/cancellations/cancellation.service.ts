import { In, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { DomainError, UserErrorCode } from '../../common/errors';
import { isUuid, requireUuid } from '../../common/ids';
import { pgCode } from '../../common/transaction';
import type { Account } from '../accounts/account.entity';
import { DepositReferenceKind } from '../deposits/deposit-entry.entity';
import { OrderItem } from '../orders/order-item.entity';
import { CancelReason, ItemStatus, LIVE_ITEM_STATUSES, OrderStatus } from '../orders/order-state';
import { actorOf, recordEvent } from '../orders/order-events';
import { refuseApproval, refuseCancellationRequest } from '../orders/order-rules';
import type { OrderAccess } from '../orders/order.service';
import { CancellationRequest, CancellationRequestStatus } from './cancellation-request.entity';
import type { CancellationRequestDecideInput, OrderCancellationRequestInput } from './cancellation.inputs';

export class CancellationService {
  constructor(private readonly app: App) {}

  /** After the first payment and until shipment, the customer asks to cancel the order or some items. */
  async request(tx: EntityManager, access: OrderAccess, input: OrderCancellationRequestInput): Promise<CancellationRequest> {
    const order = await this.app.orders.lockVisible(tx, access, input.orderId);
    const refusal = refuseCancellationRequest(order, await this.app.orders.firstPayment(tx, order.id), Boolean(input.itemIds?.length));
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
   * Staff approve (cancel and refund, per item or the whole order) or reject with a note.
   * Deciding twice is refused; concurrent decisions serialise on the order lock. The request is
   * decided first, so the order's cancellation finds no pending request left to answer.
   */
  async decide(tx: EntityManager, viewer: Account, input: CancellationRequestDecideInput): Promise<CancellationRequest> {
    const id = requireUuid(input.requestId, ['input', 'requestId'], 'cancellation request');
    const found = await tx.getRepository(CancellationRequest).findOneBy({ id });
    if (!found) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such cancellation request.', ['input', 'requestId']);
    const order = await this.app.orders.lockForStaff(tx, found.orderId);
    const request = (await tx.getRepository(CancellationRequest).findOneBy({ id }))!;
    const to = input.approve ? CancellationRequestStatus.APPROVED : CancellationRequestStatus.REJECTED;
    this.app.lifecycle.cancellationRequest.assert(request, to, ['input', 'requestId']);
    const note = input.note.trim();
    if (!note) throw new DomainError(UserErrorCode.INVALID, 'Write a note to the customer.', ['input', 'note']);
    const actor = actorOf(viewer);
    const at = this.app.clock.now();
    if (input.approve) {
      const refusal = refuseApproval(order, await this.app.orders.firstPayment(tx, order.id));
      if (refusal) throw refusal;
    }
    await this.app.lifecycle.cancellationRequest.transition(tx, request, to, {
      actor, at, changes: { decidedBy: viewer.id, decidedAt: at, decisionNote: note }, data: { note }, field: ['input', 'requestId'],
    });
    if (!input.approve) return request;
    const refunded = await this.app.lifecycle.refundsOf(tx, order.id, async () => {
      if (!request.itemIds) {
        await this.app.lifecycle.cancelOrder(tx, order, { actor, at, reason: CancelReason.CUSTOMER_REQUEST, note, refundTo: input.refundTo });
        return;
      }
      const items = await tx.getRepository(OrderItem).find({ where: { orderId: order.id, id: In(request.itemIds) }, order: { position: 'ASC' } });
      for (const item of items) {
        // An item may have left meanwhile (e.g. unavailable: already refunded); the last one cancels the order.
        if (!LIVE_ITEM_STATUSES.includes(item.status) || order.status === OrderStatus.CANCELLED) continue;
        await this.app.lifecycle.item.transition(tx, item, ItemStatus.CANCELLED, {
          actor, at, order, reason: CancelReason.CUSTOMER_REQUEST, note: request.reason, data: { requestId: request.id }, refundTo: input.refundTo,
          refund: { reference: { kind: DepositReferenceKind.CANCELLATION_REQUEST, id: request.id }, note: `“${item.title}” cancelled at your request` },
        });
      }
    });
    await tx.getRepository(CancellationRequest).update({ id: request.id }, { refundedMinor: refunded });
    request.refundedMinor = refunded;
    return request;
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
