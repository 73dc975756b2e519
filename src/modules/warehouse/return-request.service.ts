import { In, IsNull, type EntityManager } from 'typeorm';
import type { RefundTo } from '../refunds/refund-state';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { DomainError, UserErrorCode, type UserError } from '../../common/errors';
import { requireUuid } from '../../common/ids';
import { Currency, formatMinor, parseMinor } from '../../common/money';
import { mutation, pgCode, type Payload } from '../../common/transaction';
import { assertValid } from '../../common/validation';
import type { Account } from '../accounts/account.entity';
import { AttachmentPurpose } from '../attachments/attachment.entity';
import { mutationWithUploads } from '../attachments/upload-intake';
import { DepositReferenceKind } from '../deposits/deposit-entry.entity';
import { cnyToJpy, parseRate } from '../invoices/invoice-calc';
import { paidForItem } from '../invoices/invoice-money';
import { Invoice, type StoredInvoiceLine } from '../invoices/invoice.entity';
import { InvoiceKind, InvoiceLineKind, InvoiceStatus } from '../invoices/invoice-state';
import { MessageSendInput } from '../messaging/message.inputs';
import { OrderItem } from '../orders/order-item.entity';
import type { Order } from '../orders/order.entity';
import { CancelReason, ItemStatus } from '../orders/order-state';
import { actorOf, recordEvent, type Actor } from '../orders/order-events';
import type { OrderAccess } from '../orders/order.service';
import { ItemReturnRequest } from './return-request.entity';
import type { ItemExchangeCompleteInput, ItemExchangeDecideInput, ItemExchangeRequestInput, ItemReturnRequestPayload } from './return-request.inputs';
import { refuseExchangeRequest } from './return-request-rules';
import { ItemExchangeKind, ItemExchangeStatus, LocalShippingPayer, OPEN_EXCHANGE_STATUSES } from './return-request-state';

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Exchanges and returns of inspected items (seed 003: staff negotiate with the seller, who
 * may refuse; local shipping may be charged to the customer). Money rules, in docs/warehouse.md:
 * an accepted RETURN refunds what was paid for the item to the deposit, less the local
 * shipping when the customer pays it; customer-paid shipping a refund cannot cover, and that
 * of an EXCHANGE, is a line on the second invoice (added now if it is open, else when issued).
 */
export class ReturnRequestService {
  constructor(private readonly app: App) {}

  /**
   * The customer asks for an exchange or return. The request with its photos becomes a message
   * in the order's thread through `MessageService.send`; the request row is written in the
   * message's own transaction (rules checked again under the order's lock), so a lost race
   * leaves neither the message, nor its files, nor the request.
   */
  async request(access: OrderAccess, input: ItemExchangeRequestInput): Promise<Payload<ItemReturnRequestPayload>> {
    if (isStaff(access.viewer)) {
      return { userErrors: [{ code: UserErrorCode.INVALID, field: ['input', 'itemId'], message: 'Only the customer asks for an exchange or return; staff record the seller’s answer (itemExchangeDecide).' }] };
    }
    const precheck = await mutation(this.app.ds, async (tx) => this.checkRequest(tx, access, input));
    if (precheck.userErrors.length) return { userErrors: precheck.userErrors };
    const { order, item } = precheck as Required<typeof precheck>;
    const label = input.kind === ItemExchangeKind.EXCHANGE ? '交換のご依頼 / Exchange request' : '返品のご依頼 / Return request';
    const message = Object.assign(new MessageSendInput(), {
      orderId: order.id, itemId: item.id, title: `${label}: ${item.title}`.slice(0, 200), body: input.reason, askSellerBeforePurchase: false, files: input.photos, guest: input.guest,
    });
    const sent = await this.app.messages.send(access, message, {
      within: async (tx, written) => {
      const { order, item } = await this.checkRequest(tx, access, input);
      const at = this.app.clock.now();
      const request = tx.getRepository(ItemReturnRequest).create({
        orderId: order.id, itemId: item.id, kind: input.kind, status: ItemExchangeStatus.REQUESTED, reason: input.reason.trim(), messageId: written.id,
        requestedBy: access.viewer?.id ?? null, requestedAt: at,
      });
      try {
        await tx.transaction((sp) => sp.getRepository(ItemReturnRequest).insert(request));
      } catch (error) {
        if (pgCode(error) === '23505') throw new DomainError(UserErrorCode.EXCHANGE_ALREADY_REQUESTED, 'An exchange or return of this item is already in progress.', ['input', 'itemId']);
        throw error;
      }
      await recordEvent(tx, {
        orderId: order.id, itemId: item.id, type: `ITEM_${input.kind}_REQUESTED`, actor: actorOf(access.viewer), at, to: ItemExchangeStatus.REQUESTED,
        data: { requestId: request.id, messageId: written.id, reason: request.reason, photos: input.photos?.length ?? 0 },
      });
      return { returnRequest: request, item, order };
      },
    });
    return sent.userErrors.length ? { userErrors: sent.userErrors.map(asRequestField) } : sent;
  }

  private async checkRequest(tx: EntityManager, access: OrderAccess, input: ItemExchangeRequestInput): Promise<{ order: Order; item: OrderItem }> {
    await assertValid(input);
    const { order, item } = await this.app.orders.lockItem(tx, access, input.itemId);
    const open = await tx.getRepository(ItemReturnRequest).exists({ where: { itemId: item.id, status: In(OPEN_EXCHANGE_STATUSES) } });
    const refusal = refuseExchangeRequest(order, item, open);
    if (refusal) throw refusal;
    return { order, item };
  }

  /**
   * Staff record the seller's answer. Accepted: a RETURN cancels the item, refunds it and is
   * complete at once (the last item returned cancels the order, refunding the rest); an
   * EXCHANGE waits for the replacement. Customer-paid local shipping is settled as described
   * on the class. Refused: nothing changes but the request.
   */
  async decide(tx: EntityManager, viewer: Account, input: ItemExchangeDecideInput): Promise<{ returnRequest: ItemReturnRequest; item: OrderItem; order: Order }> {
    await assertValid(input);
    const { order, request } = await this.lockRequest(tx, input.requestId);
    const to = input.sellerAccepted ? ItemExchangeStatus.SELLER_ACCEPTED : ItemExchangeStatus.SELLER_REFUSED;
    this.app.lifecycle.returnRequest.assert(request, to, ['input', 'requestId']);
    const item = (await tx.getRepository(OrderItem).findOneBy({ id: request.itemId }))!;
    const first = (await this.app.invoices.findForOrder(tx, order.id, InvoiceKind.FIRST, true))!;
    const cost = this.localShipping(input, first);
    const actor = actorOf(viewer);
    const at = this.app.clock.now();
    const note = input.note.trim();
    const changes: Partial<ItemReturnRequest> = {
      decidedBy: viewer.id, decidedAt: at, decisionNote: note, chargeTo: cost.jpy > 0n ? input.chargeTo! : null,
      localShippingMinor: cost.minor, localShippingCurrency: cost.currency, localShippingJpyMinor: cost.jpy,
    };
    if (!input.sellerAccepted) {
      await this.transition(tx, request, to, { actor, at, changes, data: { note } });
      return { returnRequest: request, item, order };
    }
    if (item.status !== ItemStatus.ARRIVED) {
      throw new DomainError(UserErrorCode.INVALID_STATE, `The item is ${item.status.toLowerCase()} meanwhile: record the seller’s refusal instead.`, ['input', 'requestId']);
    }
    const customerPays = changes.chargeTo === LocalShippingPayer.CUSTOMER ? cost.jpy : 0n;
    const data = { note, localShipping: formatMinor(cost.jpy, Currency.JPY), chargeTo: changes.chargeTo };
    if (request.kind === ItemExchangeKind.RETURN) {
      // Settled before the item leaves, so the item's hooks find no open request to close.
      await this.transition(tx, request, to, { actor, at, changes, data });
      await this.transition(tx, request, ItemExchangeStatus.COMPLETED, { actor, at, changes: { completedBy: viewer.id, completedAt: at } });
      const settled = await this.settleReturn(tx, order, item, request, customerPays, note, actor, at, input.refundTo);
      const money = { refundedMinor: settled.refunded, withheldMinor: settled.withheld, ...(await this.chargeRest(tx, order, item, request, settled.toSecondInvoice, cost, actor, at)) };
      await tx.getRepository(ItemReturnRequest).update({ id: request.id }, money);
      Object.assign(request, money);
      return { returnRequest: request, item, order };
    }
    Object.assign(changes, await this.chargeRest(tx, order, item, request, customerPays, cost, actor, at));
    await this.transition(tx, request, to, { actor, at, changes, data: { ...data, secondInvoiceCharge: formatMinor(customerPays, Currency.JPY) } });
    return { returnRequest: request, item, order };
  }

  /** Customer-paid shipping not withheld from a refund goes on the second invoice (now, or when issued). */
  private async chargeRest(
    tx: EntityManager, order: Order, item: OrderItem, request: ItemReturnRequest, amount: bigint, cost: { currency: Currency | null; minor: bigint | null; jpy: bigint }, actor: Actor, at: Date,
  ): Promise<Partial<ItemReturnRequest>> {
    if (amount <= 0n) return {};
    return { secondInvoiceChargeMinor: amount, chargedInvoiceId: await this.chargeOpenSecondInvoice(tx, order, item, request, amount, cost, actor, at) };
  }

  /**
   * The replacement of an accepted exchange arrived: staff inspect it like an arrival (count,
   * note, up to 10 photos, streamed to storage before the transaction and deleted if it does
   * not commit). Its inspection becomes the item's; the request is complete.
   */
  async complete(viewer: Account, input: ItemExchangeCompleteInput): Promise<Payload<ItemReturnRequestPayload>> {
    return mutationWithUploads(this.app, input.photos, { field: ['input', 'photos'], purpose: AttachmentPurpose.INSPECTION }, (tx) => this.checkComplete(tx, input), async (tx, stored) => {
      const { order, request, item } = await this.checkComplete(tx, input);
      const at = this.app.clock.now();
      const note = input.note?.trim() || null;
      await this.app.warehouse.recordInspection(tx, order, item, { receivedQuantity: input.receivedQuantity, note }, stored, at, request.id);
      await this.transition(tx, request, ItemExchangeStatus.COMPLETED, {
        actor: actorOf(viewer), at, changes: { completedBy: viewer.id, completedAt: at, completionNote: note, replacementReceivedQuantity: input.receivedQuantity },
        data: { ...(note ? { note } : {}), receivedQuantity: input.receivedQuantity, photos: stored.length },
      });
      return { returnRequest: request, item, order };
    });
  }

  private async checkComplete(tx: EntityManager, input: ItemExchangeCompleteInput): Promise<{ order: Order; request: ItemReturnRequest; item: OrderItem }> {
    await assertValid(input);
    const { order, request } = await this.lockRequest(tx, input.requestId);
    if (request.kind !== ItemExchangeKind.EXCHANGE) {
      throw new DomainError(UserErrorCode.INVALID_STATE, 'A return is complete as soon as the seller accepts it; only exchanges wait for a replacement.', ['input', 'requestId']);
    }
    this.app.lifecycle.returnRequest.assert(request, ItemExchangeStatus.COMPLETED, ['input', 'requestId']);
    const item = (await tx.getRepository(OrderItem).findOneBy({ id: request.itemId }))!;
    this.app.warehouse.checkReceivedQuantity(item, input.receivedQuantity);
    return { order, request, item };
  }

  /**
   * Customer-paid local shipping not yet on a second invoice, as its lines; `attach` records the
   * invoice they went on. For `issueSecondInvoice` and the combined issue, in their transaction.
   */
  async pendingCharges(tx: EntityManager, orderId: string): Promise<{ lines: StoredInvoiceLine[]; attach: (invoiceId: string) => Promise<void> }> {
    const unbilled = await tx.getRepository(ItemReturnRequest).find({
      where: { orderId, chargedInvoiceId: IsNull(), status: In([ItemExchangeStatus.SELLER_ACCEPTED, ItemExchangeStatus.COMPLETED]) },
      relations: { item: true },
      order: { decidedAt: 'ASC', id: 'ASC' },
    });
    const pending = unbilled.filter((r) => r.secondInvoiceChargeMinor > 0n);
    return {
      lines: pending.map((r) => chargeLine(r, r.item!, r.secondInvoiceChargeMinor)),
      attach: async (invoiceId) => {
        if (pending.length) await tx.getRepository(ItemReturnRequest).update({ id: In(pending.map((r) => r.id)) }, { chargedInvoiceId: invoiceId });
      },
    };
  }

  /** Packing is not final while an exchange or return is open: no second invoice, no shipment. */
  async refuseWhileOpen(tx: EntityManager, orderIds: string[], field: string[]): Promise<void> {
    const open = await tx.getRepository(ItemReturnRequest).findOne({ where: { orderId: In(orderIds), status: In(OPEN_EXCHANGE_STATUSES) }, relations: { order: true } });
    if (open) {
      throw new DomainError(
        UserErrorCode.EXCHANGE_IN_PROGRESS,
        `An ${open.kind.toLowerCase()} on order ${open.order!.orderNumber} is ${open.status === ItemExchangeStatus.REQUESTED ? 'waiting for the seller’s answer' : 'waiting for the replacement'}: settle it first.`,
        field,
      );
    }
  }

  forItems(itemIds: readonly string[]): Promise<ItemReturnRequest[]> {
    return this.app.ds.getRepository(ItemReturnRequest).find({ where: { itemId: In([...itemIds]) }, order: { requestedAt: 'ASC', id: 'ASC' } });
  }

  /** A request's moves go through its state machine (modules/lifecycle); the caller holds the order's lock. */
  private transition(tx: EntityManager, request: ItemReturnRequest, to: ItemExchangeStatus, move: { actor: Actor; at: Date; changes?: Partial<ItemReturnRequest>; data?: Record<string, unknown> }): Promise<void> {
    return this.app.lifecycle.returnRequest.transition(tx, request, to, { ...move, field: ['input', 'requestId'] });
  }

  private async lockRequest(tx: EntityManager, requestId: string): Promise<{ order: Order; request: ItemReturnRequest }> {
    const id = requireUuid(requestId, ['input', 'requestId'], 'request');
    const found = await tx.getRepository(ItemReturnRequest).findOne({ where: { id }, select: { id: true, orderId: true } });
    if (!found) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such exchange or return request.', ['input', 'requestId']);
    const order = await this.app.orders.lockForStaff(tx, found.orderId);
    return { order, request: (await tx.getRepository(ItemReturnRequest).findOneBy({ id }))! };
  }

  /** The local shipping as entered and in yen: CNY converts once at the first invoice's rate (half up). */
  private localShipping(input: ItemExchangeDecideInput, first: Invoice): { minor: bigint | null; currency: Currency | null; jpy: bigint } {
    const field = ['input', 'localShippingCost'];
    if (!input.localShippingCost) return { minor: null, currency: null, jpy: 0n };
    const { currency } = input.localShippingCost;
    const minor = parseMinor(input.localShippingCost.amount, currency, [...field, 'amount']);
    if (minor > 0n && !input.sellerAccepted) throw new DomainError(UserErrorCode.INVALID, 'A refused request has no local shipping to charge.', field);
    if (minor > 0n && !input.chargeTo) throw new DomainError(UserErrorCode.INVALID, 'Say who pays the local shipping.', ['input', 'chargeTo']);
    const jpy = currency === Currency.CNY ? cnyToJpy(minor, parseRate(first.exchangeRate!, [])) : minor;
    return { minor, currency, jpy };
  }

  /**
   * An accepted return: the item leaves the order and what was paid for it (its first-invoice
   * lines, less any part not bought) goes back to the deposit, less the local shipping the
   * customer pays. The last item returned cancels the order: everything received is refunded,
   * again less that shipping; what even that cannot cover goes on no invoice (the operator absorbs it).
   */
  private async settleReturn(
    tx: EntityManager, order: Order, item: OrderItem, request: ItemReturnRequest, customerPays: bigint, note: string, actor: Actor, at: Date, refundTo?: RefundTo,
  ): Promise<{ refunded: bigint; withheld: bigint; toSecondInvoice: bigint }> {
    const lifecycle = this.app.lifecycle;
    const live = await lifecycle.liveItems(tx, order.id);
    if (live.length === 1 && live[0].id === item.id) {
      const cancelled = await lifecycle.cancelOrder(tx, order, { actor, at, reason: CancelReason.CUSTOMER_REQUEST, note: 'Every item was returned to the seller.', retainMinor: customerPays, data: { requestId: request.id }, refundTo });
      return { refunded: cancelled.refunded, withheld: cancelled.retained, toSecondInvoice: 0n };
    }
    const withheld = min(customerPays, paidForItem(await this.app.invoices.itemInvoices(tx, order.id), item));
    const refunded = await lifecycle.refundsOf(tx, order.id, () =>
      lifecycle.item.transition(tx, item, ItemStatus.CANCELLED, {
        actor, at, order, note, data: { requestId: request.id, returned: true }, retainMinor: withheld, refundTo,
        refund: { note: `“${item.title}” returned to the seller${withheld > 0n ? ` (less ¥${withheld} local shipping)` : ''}` },
      }),
    );
    return { refunded, withheld, toSecondInvoice: customerPays - withheld };
  }

  /**
   * Puts customer-paid shipping on the open second invoice (its total grows; a new revision).
   * Before the second invoice exists the charge waits (null), for `pendingCharges`. Once it is
   * paid the customer can no longer be billed on it: refused, so staff charge the operator.
   */
  private async chargeOpenSecondInvoice(
    tx: EntityManager, order: Order, item: OrderItem, request: ItemReturnRequest, amount: bigint, cost: { currency: Currency | null; minor: bigint | null; jpy: bigint }, actor: Actor, at: Date,
  ): Promise<string | null> {
    const invoice = await this.app.invoices.findForOrder(tx, order.id, InvoiceKind.SECOND, true);
    if (!invoice) return null;
    if (invoice.status !== InvoiceStatus.OPEN) {
      throw new DomainError(UserErrorCode.INVALID_STATE, 'The second invoice is already paid, so the customer can no longer be billed for the local shipping: charge it to the operator.', ['input', 'chargeTo']);
    }
    const line = chargeLine(request, item, amount, cost.currency === Currency.CNY && amount === cost.jpy ? cost.minor! : undefined);
    const before = invoice.totalMinor;
    const changes = { storedLines: [...invoice.storedLines, line], totalMinor: before + amount, revision: invoice.revision + 1 };
    await tx.getRepository(Invoice).update({ id: invoice.id }, changes);
    Object.assign(invoice, changes);
    await recordEvent(tx, {
      orderId: order.id, itemId: item.id, type: 'INVOICE_RECOMPUTED', actor, at,
      data: { invoiceId: invoice.id, kind: invoice.kind, totalBefore: formatMinor(before, Currency.JPY), totalAfter: formatMinor(invoice.totalMinor, Currency.JPY), revision: invoice.revision, requestId: request.id },
    });
    return invoice.id;
  }
}

function chargeLine(request: ItemReturnRequest, item: OrderItem, amount: bigint, sourceFen?: bigint): StoredInvoiceLine {
  return {
    kind: InvoiceLineKind.OTHER,
    description: `${request.kind === ItemExchangeKind.EXCHANGE ? 'Exchange' : 'Return'} shipping: ${item.title}`,
    itemId: item.id,
    quantity: null,
    amount: amount.toString(),
    ...(sourceFen !== undefined ? { sourceAmountCny: sourceFen.toString() } : {}),
  };
}

/** The message's file errors point at the request's `photos`; anything about the order at the item. */
function asRequestField(error: UserError): UserError {
  const field = error.field;
  if (!field || field[0] !== 'input') return error;
  if (field[1] === 'files') return { ...error, field: ['input', 'photos', ...field.slice(2)] };
  if (field[1] === 'orderId' || field[1] === 'title' || field[1] === 'body') return { ...error, field: ['input', field[1] === 'body' ? 'reason' : 'itemId'] };
  return error;
}
