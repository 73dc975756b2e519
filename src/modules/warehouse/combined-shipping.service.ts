import { In, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { humanize } from '../../common/state-machine';
import { DomainError, UserErrorCode } from '../../common/errors';
import { requireUuid } from '../../common/ids';
import { Currency, formatMinor, Money } from '../../common/money';
import type { Account } from '../accounts/account.entity';
import { Invoice, type StoredInvoiceLine } from '../invoices/invoice.entity';
import { InvoiceKind, InvoiceLineKind, InvoiceStatus } from '../invoices/invoice-state';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { ItemStatus, OrderStatus } from '../orders/order-state';
import { actorOf, recordEvent, type Actor } from '../orders/order-events';
import { formatKg, parseParcel } from '../shipping/parcel';
import type { ShippingMethod } from '../shipping/shipping-method';
import { defaultMethodFor, methodRates, quoteMethod } from '../shipping/shipping-quote';
import { Carrier, carrierName, isValidTrackingNumber, normalizeTrackingNumber, trackingUrl } from './carriers';
import type { InvoiceSecondIssueCombinedInput, OrderShipCombinedInput, ShipmentGroupView } from './combined-shipping.inputs';
import { addressKey, customerKey, splitLargestRemainder } from './combined-split';
import { ShipmentGroup, ShipmentGroupOrder } from './shipment-group.entity';

const MIN_ORDERS = 2;
const MAX_ORDERS = 10;

/**
 * Combined shipping (Amazon seller seed: orders to the same address may ship together, each
 * keeping its own records; the saving goes to the customer). Instead of pricing one parcel per
 * order, the one parcel is priced once and its price split across the orders' second invoices
 * by units received — see docs/warehouse.md for why that key.
 */
export class CombinedShippingService {
  constructor(private readonly app: App) {}

  /**
   * Staff packed 2–10 inspected orders of one customer to one address into one parcel: it is
   * priced once by the rate tables; each order gets its own second invoice with its share (the
   * shares add up exactly to the price) plus any pending exchange shipping, and moves on to
   * AWAITING_SECOND_PAYMENT. The orders are locked in id order, so two staff combining
   * overlapping orders wait for each other instead of deadlocking.
   */
  async issue(tx: EntityManager, viewer: Account, input: InvoiceSecondIssueCombinedInput): Promise<{ shipmentGroup: ShipmentGroupView; orders: Order[] }> {
    const orders = await this.lockOrders(tx, input.orderIds);
    orders.forEach(({ order, index }) => {
      if (order.status !== OrderStatus.INSPECTING) {
        throw new DomainError(UserErrorCode.INVALID_STATE, `Order ${order.orderNumber} is ${humanize(order.status)}: only orders whose every item has been inspected (and that have no second invoice) can be combined.`, ['input', 'orderIds', String(index)]);
      }
    });
    // Compared with the first order named, so an error points at the odd one out as staff listed them.
    const head = orders.find((o) => o.index === 0)!;
    for (const { order, index } of orders) {
      if (customerKey(order) !== customerKey(head.order)) {
        throw new DomainError(UserErrorCode.SHIPMENT_NOT_COMBINABLE, `Order ${order.orderNumber} belongs to another customer than ${head.order.orderNumber}: only one customer’s orders ship together.`, ['input', 'orderIds', String(index)]);
      }
      if (addressKey(order.deliveryAddress) !== addressKey(head.order.deliveryAddress)) {
        throw new DomainError(UserErrorCode.SHIPMENT_NOT_COMBINABLE, `Order ${order.orderNumber} goes to another address than ${head.order.orderNumber}: correct the address first, or ship them separately.`, ['input', 'orderIds', String(index)]);
      }
    }
    const ids = orders.map((o) => o.order.id);
    await this.app.itemReturns.refuseWhileOpen(tx, ids, ['input', 'orderIds']);

    const parcel = parseParcel(input, ['input']);
    const priorities = new Set(orders.map((o) => o.order.shippingPriority));
    if (!input.method && priorities.size > 1) {
      throw new DomainError(UserErrorCode.INVALID, 'The orders ask for different shipping priorities: choose the method.', ['input', 'method']);
    }
    const method: ShippingMethod = input.method ?? defaultMethodFor(head.order.shippingPriority);
    const quote = quoteMethod(methodRates(method), parcel);
    if (quote.unavailable || !quote.price) {
      throw new DomainError(UserErrorCode.SHIPPING_METHOD_UNAVAILABLE, `${method} cannot carry this parcel: ${quote.unavailable?.reason ?? 'not available'}.`, ['input', 'method']);
    }
    const units = await this.receivedUnits(tx, ids);
    orders.forEach(({ order, index }) => {
      if (!units.get(order.id)) throw new DomainError(UserErrorCode.INVALID, `Order ${order.orderNumber} has nothing received to ship.`, ['input', 'orderIds', String(index)]);
    });
    const price = quote.price.minor;
    const shares = splitLargestRemainder(price, ids.map((id) => BigInt(units.get(id)!)));

    const actor = actorOf(viewer);
    const at = this.app.clock.now();
    const group = tx.getRepository(ShipmentGroup).create({
      method, weightGrams: parcel.weightGrams, lengthMm: parcel.lengthMm, widthMm: parcel.widthMm, heightMm: parcel.heightMm, chargeableGrams: quote.chargeableGrams,
      priceMinor: price, createdBy: viewer.id, createdAt: at, carrier: null, trackingNumber: null, shippedAt: null,
    });
    await tx.getRepository(ShipmentGroup).insert(group);
    const members = ids.map((orderId, i) => ({ groupId: group.id, orderId, units: units.get(orderId)!, shareMinor: shares[i] }));
    await tx.getRepository(ShipmentGroupOrder).insert(members);

    const numbers = orders.map((o) => o.order.orderNumber);
    const totalUnits = members.reduce((sum, m) => sum + m.units, 0);
    for (const [i, { order }] of orders.entries()) {
      const member = members[i];
      const shipping: StoredInvoiceLine = {
        kind: InvoiceLineKind.INTERNATIONAL_SHIPPING,
        description:
          `International shipping, combined (${method}, one parcel of ${formatKg(quote.chargeableGrams)} kg chargeable for orders ${numbers.join(', ')}: ` +
          `¥${price}; this order’s ${member.units} of ${totalUnits} units)`,
        itemId: null,
        quantity: null,
        amount: member.shareMinor.toString(),
      };
      await this.issueSecond(tx, order, [shipping], { method, parcel, combined: { groupId: group.id, parcelPrice: price.toString(), units: member.units, totalUnits } }, actor, at, {
        groupId: group.id, orderNumbers: numbers, parcelPrice: formatMinor(price, Currency.JPY), share: formatMinor(member.shareMinor, Currency.JPY), units: member.units,
      });
    }
    return { shipmentGroup: (await this.viewsForOrders([head.order.id], tx))[0]!, orders: orders.map((o) => o.order) };
  }

  /**
   * The parcel of a group is handed to the carrier: every order of it ships with the same
   * tracking number, only when every one (cancelled ones aside) has its second invoice paid.
   */
  async ship(tx: EntityManager, viewer: Account, input: OrderShipCombinedInput): Promise<{ shipmentGroup: ShipmentGroupView; orders: Order[] }> {
    const groupId = requireUuid(input.groupId, ['input', 'groupId'], 'shipment group');
    const memberIds = (await tx.getRepository(ShipmentGroupOrder).find({ where: { groupId }, select: { orderId: true } })).map((m) => m.orderId);
    if (!memberIds.length) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such shipment group.', ['input', 'groupId']);
    const tracking = normalizeTrackingNumber(input.trackingNumber);
    if (!isValidTrackingNumber(input.carrier, tracking)) {
      throw new DomainError(UserErrorCode.INVALID_TRACKING_NUMBER, `That is not a ${input.carrier} tracking number.`, ['input', 'trackingNumber']);
    }
    const orders = (await this.lockOrders(tx, memberIds, ['input', 'groupId'])).map((o) => o.order);
    const group = (await tx.getRepository(ShipmentGroup).findOne({ where: { id: groupId }, lock: { mode: 'pessimistic_write' } }))!;
    if (group.shippedAt) throw new DomainError(UserErrorCode.INVALID_STATE, 'This parcel has already shipped.', ['input', 'groupId']);
    // A member cancelled after invoicing is out of the parcel; its refund went with the cancellation.
    const shipping = orders.filter((o) => o.status !== OrderStatus.CANCELLED);
    const unpaid = shipping.filter((o) => o.status !== OrderStatus.PREPARING_SHIPMENT);
    if (!shipping.length || unpaid.length) {
      const which = unpaid.map((o) => `${o.orderNumber} (${humanize(o.status)})`).join(', ');
      throw new DomainError(UserErrorCode.INVALID_STATE, shipping.length ? `Every order of the parcel must have its second invoice paid first: ${which}.` : 'Every order of this parcel was cancelled.', ['input', 'groupId']);
    }
    await this.app.itemReturns.refuseWhileOpen(tx, shipping.map((o) => o.id), ['input', 'groupId']);
    const actor = actorOf(viewer);
    const at = this.app.clock.now();
    await tx.getRepository(ShipmentGroup).update({ id: group.id }, { carrier: input.carrier, trackingNumber: tracking, shippedAt: at });
    for (const order of shipping) {
      await tx.getRepository(Order).update({ id: order.id }, { shipmentCarrier: input.carrier, trackingNumber: tracking });
      Object.assign(order, { shipmentCarrier: input.carrier, trackingNumber: tracking });
      await this.app.lifecycle.order.transition(tx, order, OrderStatus.SHIPPED, { actor, at, data: { carrier: input.carrier, trackingNumber: tracking, shipmentGroupId: group.id } });
    }
    return { shipmentGroup: (await this.viewsForOrders([orders[0].id], tx))[0]!, orders };
  }

  /** A grouped order ships only with its group (`orderShipCombined`); for `orderShip`. */
  async refuseSingleShip(tx: EntityManager, orderId: string): Promise<void> {
    if (await tx.getRepository(ShipmentGroupOrder).exists({ where: { orderId } })) {
      throw new DomainError(UserErrorCode.SHIPMENT_GROUPED, 'This order ships in a combined parcel: ship the whole group with orderShipCombined.', ['input', 'orderId']);
    }
  }

  /** Each order's group as clients see it (null when not combined); one statement per batch. */
  async viewsForOrders(orderIds: readonly string[], db: EntityManager = this.app.ds.manager): Promise<(ShipmentGroupView | null)[]> {
    const rows: { order_id: string; group_id: string }[] = await db.query(`SELECT order_id, group_id FROM shipment_group_order WHERE order_id = ANY($1)`, [[...orderIds]]);
    const groupIds = [...new Set(rows.map((r) => r.group_id))];
    if (!groupIds.length) return orderIds.map(() => null);
    const groups = await db.getRepository(ShipmentGroup).find({ where: { id: In(groupIds) } });
    const members = await db.getRepository(ShipmentGroupOrder).find({ where: { groupId: In(groupIds) }, relations: { order: true } });
    const views = new Map(groups.map((g) => [g.id, toView(g, members.filter((m) => m.groupId === g.id))]));
    const byOrder = new Map(rows.map((r) => [r.order_id, views.get(r.group_id)!]));
    return orderIds.map((id) => byOrder.get(id) ?? null);
  }

  /** Locks the orders one by one in id order (the deadlock-free order); `index` is the position in the input. */
  private async lockOrders(tx: EntityManager, rawIds: string[], field = ['input', 'orderIds']): Promise<{ order: Order; index: number }[]> {
    const forInput = field[1] === 'orderIds';
    if (forInput && (rawIds.length < MIN_ORDERS || rawIds.length > MAX_ORDERS)) {
      throw new DomainError(UserErrorCode.INVALID, `Combine ${MIN_ORDERS} to ${MAX_ORDERS} orders.`, field);
    }
    const ids = rawIds.map((id, i) => requireUuid(id, forInput ? [...field, String(i)] : field, 'order'));
    if (new Set(ids).size !== ids.length) throw new DomainError(UserErrorCode.INVALID, 'Name each order once.', field);
    const sorted = ids.map((id, index) => ({ id, index })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const locked: { order: Order; index: number }[] = [];
    for (const { id, index } of sorted) {
      const order = await tx.getRepository(Order).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!order) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such order.', forInput ? [...field, String(index)] : field);
      locked.push({ order, index });
    }
    return locked;
  }

  private async receivedUnits(tx: EntityManager, orderIds: string[]): Promise<Map<string, number>> {
    const items = await tx.getRepository(OrderItem).find({ where: { orderId: In(orderIds), status: ItemStatus.ARRIVED } });
    const units = new Map<string, number>(orderIds.map((id) => [id, 0]));
    for (const item of items) units.set(item.orderId, units.get(item.orderId)! + (item.receivedQuantity ?? 0));
    return units;
  }

  /** One order's second invoice: the given lines plus pending exchange shipping; a zero total is paid at once. */
  private async issueSecond(tx: EntityManager, order: Order, lines: StoredInvoiceLine[], pricing: Record<string, unknown>, actor: Actor, at: Date, combined: Record<string, unknown>): Promise<void> {
    const pending = await this.app.itemReturns.pendingCharges(tx, order.id);
    const all = [...lines, ...pending.lines];
    const total = all.reduce((sum, l) => sum + BigInt(l.amount), 0n);
    const invoice = tx.getRepository(Invoice).create({
      orderId: order.id, kind: InvoiceKind.SECOND, status: InvoiceStatus.OPEN, currency: Currency.JPY, storedLines: all, totalMinor: total,
      amountPaidMinor: 0n, amountRefundedMinor: 0n, exchangeRate: null, pricing, revision: 1, issuedAt: at, dueAt: null, paidAt: null,
    });
    await tx.getRepository(Invoice).save(invoice);
    await pending.attach(invoice.id);
    await recordEvent(tx, { orderId: order.id, type: 'SHIPMENT_COMBINED', actor, at, data: combined });
    await recordEvent(tx, { orderId: order.id, type: 'INVOICE_ISSUED', actor, at, data: { invoiceId: invoice.id, kind: InvoiceKind.SECOND, total: formatMinor(total, Currency.JPY), method: pricing.method } });
    await this.app.lifecycle.order.transition(tx, order, OrderStatus.AWAITING_SECOND_PAYMENT, { actor, at });
    if (total === 0n) {
      // Nothing to pay (a tiny share): as if paid (the invoice's PAID hook moves the order on), so it does not wait for money that never comes.
      await this.app.lifecycle.invoice.transition(tx, invoice, InvoiceStatus.PAID, { actor, at, order, data: { nothingDue: true } });
    }
  }
}

function toView(group: ShipmentGroup, members: ShipmentGroupOrder[]): ShipmentGroupView {
  const sorted = [...members].sort((a, b) => a.order!.orderNumber.localeCompare(b.order!.orderNumber));
  const carrier = group.carrier as Carrier | null;
  return {
    id: group.id,
    method: group.method as ShippingMethod,
    parcelPrice: Money.jpy(group.priceMinor),
    chargeableWeightKg: formatKg(group.chargeableGrams),
    orderNumbers: sorted.map((m) => m.order!.orderNumber),
    members: sorted.map((m) => ({ orderId: m.orderId, orderNumber: m.order!.orderNumber, receivedUnits: m.units, shippingShare: Money.jpy(m.shareMinor) })),
    shipment: carrier && group.trackingNumber && group.shippedAt
      ? { carrier, carrierName: carrierName(carrier), trackingNumber: group.trackingNumber, trackingUrl: trackingUrl(carrier, group.trackingNumber), shippedAt: group.shippedAt }
      : null,
    createdAt: group.createdAt,
  };
}
