import { In, IsNull, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { humanize } from '../../common/state-machine';
import { DomainError, UserErrorCode } from '../../common/errors';
import { Currency, formatMinor, parseMinor } from '../../common/money';
import { decodeCursor, pageSize, toConnection } from '../../common/pagination';
import type { Payload } from '../../common/transaction';
import { assertValid } from '../../common/validation';
import type { Account } from '../accounts/account.entity';
import { Attachment, AttachmentPurpose } from '../attachments/attachment.entity';
import { mutationWithUploads, type StoredAttachment } from '../attachments/upload-intake';
import { DepositReferenceKind } from '../deposits/deposit-entry.entity';
import { shortfallRefund } from '../invoices/invoice-money';
import { loadOrderFacts } from '../lifecycle/order-facts';
import { refuseReceiptReport, refuseSecondInvoice, refuseShipment } from '../orders/order-rules';
import { Invoice } from '../invoices/invoice.entity';
import { InvoiceKind, InvoiceLineKind, InvoiceStatus } from '../invoices/invoice-state';
import { Message } from '../messaging/message.entity';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { CancelReason, ItemStatus, OrderStatus } from '../orders/order-state';
import { actorOf, recordEvent, type Actor } from '../orders/order-events';
import type { OrderAccess } from '../orders/order.service';
import { formatKg, parseParcel } from '../shipping/parcel';
import { defaultMethodFor, methodRates, quoteMethod } from '../shipping/shipping-quote';
import { ArrivalReport } from './arrival-report.entity';
import { isValidTrackingNumber, normalizeTrackingNumber } from './carriers';
import type {
  InvoiceSecondIssueInput, OrderItemArrivalInput, OrderItemPurchaseInput, OrderItemUnavailableInput, OrderReceiptReportInput, OrderShipInput,
  WarehouseItemPayload,
} from './warehouse.inputs';

/**
 * From the first payment to the customer's doorstep: buying, arrival and inspection, the
 * second invoice, shipment and receipt. Every status change goes through the transition
 * tables; every refund through `InvoiceService.refund` (deposit ledger + invoice record).
 */
export class WarehouseService {
  constructor(private readonly app: App) {}

  /** Staff bought the item (perhaps fewer than ordered: the shortfall is refunded). */
  async purchase(tx: EntityManager, viewer: Account, input: OrderItemPurchaseInput): Promise<{ item: OrderItem; order: Order }> {
    const { order, item } = await this.lockItem(tx, input.itemId);
    this.expectItem(item, ItemStatus.PURCHASING);
    if (await tx.getRepository(Message).exists({ where: { itemId: item.id, askSellerBeforePurchase: true, answeredAt: IsNull() } })) {
      throw new DomainError(UserErrorCode.SELLER_QUESTION_OPEN, 'The customer asked a question for the seller about this item: answer it in the thread before buying.', ['input', 'itemId']);
    }
    if (await this.app.priceChanges.pendingFor(tx, item.id)) {
      throw new DomainError(UserErrorCode.PRICE_CHANGE_PENDING, 'The seller’s new price waits for the customer’s answer: buy the item once they accept and pay it.', ['input', 'itemId']);
    }
    if (!Number.isInteger(input.quantityBought) || input.quantityBought < 1 || input.quantityBought > item.quantity) {
      throw new DomainError(UserErrorCode.INVALID, `Bought quantity must be between 1 and ${item.quantity}; mark the item unavailable if none could be bought.`, ['input', 'quantityBought']);
    }
    const actor = actorOf(viewer);
    const at = this.app.clock.now();
    await tx.getRepository(OrderItem).update({ id: item.id }, { purchasedQuantity: input.quantityBought });
    item.purchasedQuantity = input.quantityBought;
    const short = item.quantity - input.quantityBought;
    if (short > 0) {
      const invoice = await this.firstInvoice(tx, order.id);
      const amount = shortfallRefund(invoice, item, short);
      await this.app.invoices.refund(tx, invoice, order, { amountMinor: amount, reference: { kind: DepositReferenceKind.ORDER_ITEM, id: item.id }, note: `${short} of “${item.title}” could not be bought`, actor, at, itemId: item.id });
    }
    await this.app.lifecycle.item.transition(tx, item, ItemStatus.PURCHASED, { actor, at, order, data: { quantityBought: input.quantityBought, quantityOrdered: item.quantity } });
    return { item, order };
  }

  /** Sold out or the seller is unreachable: the item leaves the order and what was paid for it is refunded (the item's hooks). */
  async unavailable(tx: EntityManager, viewer: Account, input: OrderItemUnavailableInput): Promise<{ item: OrderItem; order: Order }> {
    await assertValid(input);
    const { order, item } = await this.lockItem(tx, input.itemId);
    this.expectItem(item, ItemStatus.PURCHASING);
    await this.app.lifecycle.item.transition(tx, item, ItemStatus.UNAVAILABLE, {
      actor: actorOf(viewer), at: this.app.clock.now(), order, note: input.note ?? null, data: { reason: input.reason }, refundTo: input.refundTo,
      refund: { note: `“${item.title}” could not be bought (${humanize(input.reason)})` },
    });
    return { item, order };
  }

  /**
   * The item reached the warehouse: counted, noted and photographed. Photos are streamed to
   * storage before the transaction and deleted again if it does not commit (as messages do).
   */
  async arrival(viewer: Account, input: OrderItemArrivalInput): Promise<Payload<WarehouseItemPayload>> {
    return mutationWithUploads(this.app, input.photos, { field: ['input', 'photos'], purpose: AttachmentPurpose.INSPECTION }, (tx) => this.checkArrival(tx, input), async (tx, stored) => {
      const { order, item } = await this.checkArrival(tx, input);
      const actor = actorOf(viewer);
      const at = this.app.clock.now();
      await this.recordInspection(tx, order, item, input, stored, at, null);
      // The item's hooks move the order to inspection once nothing is left to buy or to arrive.
      await this.app.lifecycle.item.transition(tx, item, ItemStatus.ARRIVED, { actor, at, order, data: { receivedQuantity: input.receivedQuantity, bought: item.purchasedQuantity, photos: stored.length } });
      return { item, order };
    });
  }

  /**
   * Writes what the warehouse counted, noted and photographed as the item's current inspection:
   * on arrival, and again when an exchange's replacement arrives (`exchangeRequestId`; its
   * photos then replace the first ones on `OrderItem.inspection`, which stay on record).
   */
  async recordInspection(
    tx: EntityManager, order: Order, item: OrderItem, input: { receivedQuantity: number; note?: string | null }, stored: StoredAttachment[], at: Date, exchangeRequestId: string | null,
  ): Promise<void> {
    const inspection = { receivedQuantity: input.receivedQuantity, inspectionNote: input.note?.trim() || null, inspectedAt: at, inspectionRequestId: exchangeRequestId };
    await tx.getRepository(OrderItem).update({ id: item.id }, inspection);
    Object.assign(item, inspection);
    if (stored.length) {
      await tx.getRepository(Attachment).insert(
        stored.map((s, position) => ({ ...s, orderId: order.id, itemId: item.id, messageId: null, returnRequestId: exchangeRequestId, purpose: AttachmentPurpose.INSPECTION, position })),
      );
    }
  }

  /** Received count against what was bought (0..bought). */
  checkReceivedQuantity(item: OrderItem, receivedQuantity: number): void {
    const bought = item.purchasedQuantity ?? item.quantity;
    if (!Number.isInteger(receivedQuantity) || receivedQuantity < 0 || receivedQuantity > bought) {
      throw new DomainError(UserErrorCode.INVALID, `Received quantity must be between 0 and the ${bought} bought.`, ['input', 'receivedQuantity']);
    }
  }

  private async checkArrival(tx: EntityManager, input: OrderItemArrivalInput) {
    await assertValid(input);
    const { order, item } = await this.lockItem(tx, input.itemId);
    this.expectItem(item, ItemStatus.PURCHASED);
    this.checkReceivedQuantity(item, input.receivedQuantity);
    return { order, item };
  }

  /** After packing: international shipping at the rate tables' price, plus any extra lines. */
  async issueSecondInvoice(tx: EntityManager, viewer: Account, input: InvoiceSecondIssueInput): Promise<Order> {
    const order = await this.app.orders.lockForStaff(tx, input.orderId);
    if (order.status === OrderStatus.INSPECTING) await this.app.itemReturns.refuseWhileOpen(tx, [order.id], ['input', 'orderId']); // names the request
    const refusal = refuseSecondInvoice(order, (await loadOrderFacts(tx, [order.id]))[0]);
    if (refusal) throw refusal;
    const exchangeShipping = await this.app.itemReturns.pendingCharges(tx, order.id);
    const parcel = parseParcel(input, ['input']);
    const method = input.method ?? defaultMethodFor(order.shippingPriority);
    const quote = quoteMethod(methodRates(method), parcel);
    if (quote.unavailable || !quote.price) {
      throw new DomainError(UserErrorCode.INVALID, `${method} cannot carry this parcel: ${quote.unavailable?.reason ?? 'not available'}.`, ['input', 'method']);
    }
    const lines = [
      {
        kind: InvoiceLineKind.INTERNATIONAL_SHIPPING,
        description: `International shipping (${method}, ${formatKg(quote.chargeableGrams)} kg chargeable: ${quote.ruleDescription})`,
        itemId: null,
        quantity: null,
        amount: quote.price.minor.toString(),
      },
      ...input.extraLines.map((line, i) => {
        const amount = parseMinor(line.amount, Currency.JPY, ['input', 'extraLines', String(i), 'amount']);
        if (amount <= 0n || !line.description.trim()) throw new DomainError(UserErrorCode.INVALID, 'Each extra line needs a description and an amount above zero.', ['input', 'extraLines', String(i)]);
        return { kind: InvoiceLineKind.OTHER, description: line.description.trim(), itemId: null, quantity: null, amount: amount.toString() };
      }),
      ...exchangeShipping.lines,
    ];
    const total = lines.reduce((sum, l) => sum + BigInt(l.amount), 0n);
    const at = this.app.clock.now();
    const actor = actorOf(viewer);
    const invoice = tx.getRepository(Invoice).create({
      orderId: order.id, kind: InvoiceKind.SECOND, status: InvoiceStatus.OPEN, currency: Currency.JPY, storedLines: lines, totalMinor: total,
      amountPaidMinor: 0n, amountRefundedMinor: 0n, exchangeRate: null, pricing: { method, parcel }, revision: 1, issuedAt: at, dueAt: null, paidAt: null,
    });
    await tx.getRepository(Invoice).save(invoice);
    await exchangeShipping.attach(invoice.id);
    await recordEvent(tx, { orderId: order.id, type: 'INVOICE_ISSUED', actor, at, data: { invoiceId: invoice.id, kind: InvoiceKind.SECOND, total: formatMinor(total, Currency.JPY), method } });
    await this.app.lifecycle.order.transition(tx, order, OrderStatus.AWAITING_SECOND_PAYMENT, { actor, at });
    return order;
  }

  /** Handed to the carrier: the order shows the tracking number and link. */
  async ship(tx: EntityManager, viewer: Account, input: OrderShipInput): Promise<Order> {
    const order = await this.app.orders.lockForStaff(tx, input.orderId);
    const tracking = normalizeTrackingNumber(input.trackingNumber);
    if (!isValidTrackingNumber(input.carrier, tracking)) {
      throw new DomainError(UserErrorCode.INVALID_TRACKING_NUMBER, `That is not a ${input.carrier} tracking number.`, ['input', 'trackingNumber']);
    }
    if (order.status === OrderStatus.PREPARING_SHIPMENT) {
      // The specific messages first (they name the group or the request), then the one rule.
      await this.app.combinedShipping.refuseSingleShip(tx, order.id);
      await this.app.itemReturns.refuseWhileOpen(tx, [order.id], ['input', 'orderId']);
    }
    const refusal = refuseShipment(order, (await loadOrderFacts(tx, [order.id]))[0]);
    if (refusal) throw refusal;
    await tx.getRepository(Order).update({ id: order.id }, { shipmentCarrier: input.carrier, trackingNumber: tracking });
    Object.assign(order, { shipmentCarrier: input.carrier, trackingNumber: tracking });
    await this.app.lifecycle.order.transition(tx, order, OrderStatus.SHIPPED, { actor: actorOf(viewer), at: this.app.clock.now(), data: { carrier: input.carrier, trackingNumber: tracking } });
    return order;
  }

  /** The customer received the parcel: the order is completed; the comment may be published. */
  async receipt(tx: EntityManager, access: OrderAccess, input: OrderReceiptReportInput): Promise<Order> {
    await assertValid(input);
    const order = await this.app.orders.lockVisible(tx, access, input.orderId);
    const refusal = refuseReceiptReport(order);
    if (refusal) throw refusal;
    const at = this.app.clock.now();
    const comment = input.comment?.trim() || null;
    await tx.getRepository(ArrivalReport).insert({ orderId: order.id, comment, published: Boolean(comment && input.publishComment), reportedAt: at });
    await this.app.lifecycle.order.transition(tx, order, OrderStatus.COMPLETED, { actor: actorOf(access.viewer), at, data: { receiptReported: true } });
    return order;
  }

  /** The latest published comments, date and text only. */
  async recentArrivalReports(first: number | undefined, after: string | null | undefined) {
    const size = pageSize(first);
    const cursor = decodeCursor(after, 2);
    const qb = this.app.ds.getRepository(ArrivalReport).createQueryBuilder('r').where('r.published').andWhere('r.comment IS NOT NULL');
    if (cursor) qb.andWhere('(r.reported_at, r.id) < (:at, :id)', { at: new Date(String(cursor[0])), id: cursor[1] });
    const rows = await qb.orderBy('r.reported_at', 'DESC').addOrderBy('r.id', 'DESC').limit(size + 1).getMany();
    const page = toConnection(rows, size, (r) => [r.reportedAt.toISOString(), r.id]);
    const toPublic = (r: ArrivalReport) => ({ reportedAt: r.reportedAt, comment: r.comment! });
    return { ...page, nodes: page.nodes.map(toPublic), edges: page.edges.map((e) => ({ cursor: e.cursor, node: toPublic(e.node) })) };
  }

  /** The photos of each item's current inspection (the replacement's, after an exchange), in one statement. */
  inspectionPhotos(itemIds: readonly string[]): Promise<Attachment[]> {
    return this.app.ds
      .getRepository(Attachment)
      .createQueryBuilder('a')
      .innerJoin(OrderItem, 'i', 'i.id = a.item_id AND a.return_request_id IS NOT DISTINCT FROM i.inspection_request_id')
      .where('a.item_id IN (:...itemIds)', { itemIds })
      .andWhere('a.purpose = :purpose', { purpose: AttachmentPurpose.INSPECTION })
      .andWhere('a.message_id IS NULL')
      .orderBy('a.position', 'ASC')
      .getMany();
  }

  private lockItem(tx: EntityManager, itemId: string): Promise<{ order: Order; item: OrderItem }> {
    return this.app.orders.lockItem(tx, 'staff', itemId);
  }

  private expectItem(item: OrderItem, status: ItemStatus) {
    if (item.status !== status) {
      throw new DomainError(UserErrorCode.INVALID_STATE, `The item is ${humanize(item.status)}, not ${humanize(status)}.`, ['input', 'itemId']);
    }
  }

  private async firstInvoice(tx: EntityManager, orderId: string): Promise<Invoice> {
    const invoice = await this.app.invoices.findForOrder(tx, orderId, InvoiceKind.FIRST, true);
    if (!invoice) throw new Error(`order ${orderId} has no first invoice`);
    return invoice;
  }
}

