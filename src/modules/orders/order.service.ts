import { randomInt } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { DomainError, UserErrorCode } from '../../common/errors';
import { requireUuid } from '../../common/ids';
import { Currency, parseMoneyInput } from '../../common/money';
import { normalizePhone } from '../../common/phone';
import { pgCode } from '../../common/transaction';
import { assertValid } from '../../common/validation';
import type { Account } from '../accounts/account.entity';
import { parseRate } from '../invoices/invoice-calc';
import { InvoiceKind } from '../invoices/invoice-state';
import { OrderItem } from './order-item.entity';
import { Order } from './order.entity';
import { CancelReason, ItemStatus, OrderStatus } from './order-state';
import { actorOf, recordEvent } from './order-events';
import {
  firstPaymentState, refuseAddressChange, refuseCustomerCancel, refuseItemChange, refuseQuote, refuseStaffCancel, type FirstPaymentState,
} from './order-rules';
import {
  MAX_QUANTITY, DeliveryAddressInput, GuestAccessInput, OrderCancelByStaffInput, OrderDeliveryAddressChangeInput, OrderItemQuantityChangeInput,
  OrderQuoteInput, OrderSubmitInput, GuestOrderClaimInput,
} from './order.inputs';

/** Who is acting on an order: a signed-in account, or a guest with order number + phone. */
export interface OrderAccess {
  viewer: Account | null;
  ip: string;
  guest?: GuestAccessInput | null;
}

/** Finds the order an invoice, payment or item belongs to (none: not found). */
export type OrderIdLookup = () => Promise<string | null | undefined>;

// No 0/O or 1/I: order numbers are read out on the phone and typed from e-mails.
const ORDER_NUMBER_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export class OrderService {
  constructor(private readonly app: App) {}

  /** An order application from a signed-in customer, or from a guest with e-mail and phone. */
  async submit(tx: EntityManager, access: OrderAccess, input: OrderSubmitInput): Promise<Order> {
    await assertValid(input);
    const { viewer } = access;
    if (!viewer && !input.guest) {
      throw new DomainError(UserErrorCode.GUEST_CONTACT_REQUIRED, 'Sign in, or give an e-mail address and phone number to order as a guest.', ['input', 'guest']);
    }
    const contactPhone = normalizePhone(viewer ? viewer.phone : input.guest!.phone);
    if (!contactPhone) throw new DomainError(UserErrorCode.INVALID, 'Enter a phone number such as 090-1234-5678.', ['input', 'guest', 'phone']);
    const now = this.app.clock.now();
    const order = tx.getRepository(Order).create({
      customerId: viewer?.id ?? null,
      contactEmail: (viewer ? viewer.email : input.guest!.email).trim().toLowerCase(),
      contactPhone,
      status: OrderStatus.SUBMITTED,
      shippingPriority: input.shippingPriority,
      deliveryAddress: toAddress(input.deliveryAddress),
      submittedAt: now,
    });
    await this.insertWithFreshNumber(tx, order);
    await tx.getRepository(OrderItem).insert(
      input.items.map((item, position) => ({
        orderId: order.id,
        position,
        productUrl: item.productUrl.trim(),
        title: item.title.trim(),
        options: item.options?.trim() || null,
        quantity: item.quantity,
        note: item.note?.trim() || null,
        status: ItemStatus.BEFORE_PAYMENT,
      })),
    );
    await recordEvent(tx, { orderId: order.id, type: 'ORDER_SUBMITTED', actor: actorOf(viewer), at: now, to: OrderStatus.SUBMITTED, data: { items: input.items.length } });
    return order;
  }

  /** Staff price every live item in CNY at a recorded rate; this issues the first invoice. */
  async quote(tx: EntityManager, viewer: Account, input: OrderQuoteInput): Promise<Order> {
    const order = await this.lockForStaff(tx, input.orderId);
    const refusal = refuseQuote(order);
    if (refusal) throw refusal;
    const rate = parseRate(input.exchangeRate, ['input', 'exchangeRate']);
    const items = await this.app.lifecycle.liveItems(tx, order.id);
    const quotes = new Map(input.items.map((q, i) => [q.itemId, { q, i }]));
    if (quotes.size !== input.items.length || items.length !== quotes.size || items.some((it) => !quotes.has(it.id))) {
      throw new DomainError(UserErrorCode.QUOTE_ITEMS_MISMATCH, `Quote each of the order's ${items.length} items exactly once.`, ['input', 'items']);
    }
    for (const item of items) {
      const { q, i } = quotes.get(item.id)!;
      item.unitPriceCny = parseMoneyInput(q.unitPrice, Currency.CNY, ['input', 'items', String(i), 'unitPrice']);
      item.chinaShippingCny = parseMoneyInput(q.chinaShipping, Currency.CNY, ['input', 'items', String(i), 'chinaShipping']);
      if (item.unitPriceCny === 0n) throw new DomainError(UserErrorCode.INVALID, 'A unit price must be above zero.', ['input', 'items', String(i), 'unitPrice', 'amount']);
      await tx.getRepository(OrderItem).update({ id: item.id }, { unitPriceCny: item.unitPriceCny, chinaShippingCny: item.chinaShippingCny });
    }
    const actor = actorOf(viewer);
    const at = this.app.clock.now();
    await this.app.invoices.issueFirst(tx, order, items, rate, actor, at);
    await this.app.lifecycle.order.transition(tx, order, OrderStatus.AWAITING_FIRST_PAYMENT, { actor, at });
    return order;
  }

  /** Before the first payment: a new quantity for one item (0 cancels it); the invoice follows. */
  async changeItemQuantity(tx: EntityManager, access: OrderAccess, input: OrderItemQuantityChangeInput): Promise<{ item: OrderItem; order: Order }> {
    if (!Number.isInteger(input.quantity) || input.quantity < 0 || input.quantity > MAX_QUANTITY) {
      throw new DomainError(UserErrorCode.INVALID, `The quantity must be between 0 (cancel the item) and ${MAX_QUANTITY}.`, ['input', 'quantity']);
    }
    const { order, item } = await this.lockItem(tx, access, input.itemId);
    const refusal = refuseItemChange(order, item, await this.firstPayment(tx, order.id));
    if (refusal) throw refusal;

    const actor = actorOf(access.viewer);
    const at = this.app.clock.now();
    if (input.quantity === item.quantity) return { item, order };
    if (input.quantity === 0) {
      // The item's hooks recompute the invoice, or cancel the order when it was the last item.
      await this.app.lifecycle.item.transition(tx, item, ItemStatus.CANCELLED, { actor, at, order, data: { quantity: item.quantity } });
    } else {
      await tx.getRepository(OrderItem).update({ id: item.id }, { quantity: input.quantity });
      await recordEvent(tx, { orderId: order.id, itemId: item.id, type: 'ITEM_QUANTITY_CHANGED', actor, at, data: { before: item.quantity, after: input.quantity } });
      item.quantity = input.quantity;
      await this.app.invoices.recomputeFirst(tx, order, actor, at);
    }
    return { item, order };
  }

  /** The customer's own cancellation, any time before a first payment is received. */
  async cancel(tx: EntityManager, access: OrderAccess, orderId: string): Promise<Order> {
    const order = await this.lockVisible(tx, access, orderId);
    const refusal = refuseCustomerCancel(order, await this.firstPayment(tx, order.id));
    if (refusal) throw refusal;
    await this.app.lifecycle.cancelOrder(tx, order, { actor: actorOf(access.viewer), at: this.app.clock.now(), reason: CancelReason.CUSTOMER_REQUEST });
    return order;
  }

  /** Staff cancel with a reason until shipment; money received is refunded (to the deposit, or where it came from: `refundTo`). */
  async cancelByStaff(tx: EntityManager, viewer: Account, input: OrderCancelByStaffInput): Promise<Order> {
    await assertValid(input);
    const order = await this.lockForStaff(tx, input.orderId);
    const refusal = refuseStaffCancel(order, await this.firstPayment(tx, order.id));
    if (refusal) throw refusal;
    await this.app.lifecycle.cancelOrder(tx, order, { actor: actorOf(viewer), at: this.app.clock.now(), reason: input.reason, note: input.note.trim(), refundTo: input.refundTo });
    return order;
  }

  /** Until shipment preparation starts. The timeline keeps the old and the new address. */
  async changeDeliveryAddress(tx: EntityManager, access: OrderAccess, input: OrderDeliveryAddressChangeInput): Promise<Order> {
    await assertValid(input);
    const order = await this.lockVisible(tx, access, input.orderId);
    const refusal = refuseAddressChange(order);
    if (refusal) throw refusal;
    const before = order.deliveryAddress;
    const after = toAddress(input.deliveryAddress);
    await tx.getRepository(Order).update({ id: order.id }, { deliveryAddress: after });
    order.deliveryAddress = after;
    await recordEvent(tx, { orderId: order.id, type: 'DELIVERY_ADDRESS_CHANGED', actor: actorOf(access.viewer), at: this.app.clock.now(), data: { before, after } });
    return order;
  }

  /** Attaches a guest order to the signed-in customer, proven by order number + phone. */
  async claim(tx: EntityManager, viewer: Account, ip: string, input: GuestOrderClaimInput): Promise<Order> {
    const order = await this.app.guestAccess.find(tx, ip, input.orderNumber, input.phone, true, true);
    if (!order) throw notFound('order', ['input', 'orderNumber']);
    if (order.customerId !== null) {
      // Said plainly only to whoever proved the number and phone; to anyone else the order is not there.
      throw new DomainError(UserErrorCode.ALREADY_CLAIMED, order.customerId === viewer.id ? 'This order is already in your account.' : 'This order already belongs to an account.', ['input', 'orderNumber']);
    }
    await tx.getRepository(Order).update({ id: order.id }, { customerId: viewer.id });
    order.customerId = viewer.id;
    await recordEvent(tx, { orderId: order.id, type: 'ORDER_CLAIMED', actor: actorOf(viewer), at: this.app.clock.now() });
    return order;
  }

  /**
   * Locks an order the caller may act on. Someone else's order answers exactly like a
   * missing one (NOT_FOUND), so ids reveal nothing. `orderId` may be a lookup (the order of an
   * invoice, payment or item): a guest's attempt is taken before it runs, so a spent guest
   * budget answers RATE_LIMITED whether the id exists or not.
   */
  async lockVisible(tx: EntityManager, access: OrderAccess, orderId: string | OrderIdLookup, field = ['input', 'orderId'], what = 'order'): Promise<Order> {
    const resolve = async () => (typeof orderId === 'string' ? orderId : await orderId());
    if (access.guest && !access.viewer) {
      const order = await this.app.guestAccess.find(tx, access.ip, access.guest.orderNumber, access.guest.phone, true);
      if (!order || (await resolve()) !== order.id) throw notFound(what, field);
      return order;
    }
    const resolved = await resolve();
    if (!resolved) throw notFound(what, field);
    const id = requireUuid(resolved, field, what);
    const order = await tx.getRepository(Order).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!order || !access.viewer || !(isStaff(access.viewer) || order.customerId === access.viewer.id)) throw notFound(what, field);
    return order;
  }

  /**
   * An item and its order, the order locked first (as every order change does). `'staff'` for
   * staff operations; otherwise the caller must be able to see the order, and an item of
   * someone else's order answers exactly like a missing one.
   */
  async lockItem(tx: EntityManager, access: OrderAccess | 'staff', itemId: string): Promise<{ order: Order; item: OrderItem }> {
    const id = requireUuid(itemId, ['input', 'itemId'], 'item');
    const missing = (): never => {
      throw notFound('item', ['input', 'itemId']);
    };
    const orderIdOf = async () => (await tx.getRepository(OrderItem).findOne({ where: { id }, select: { id: true, orderId: true } }))?.orderId;
    const order = access === 'staff' ? await this.lockForStaff(tx, (await orderIdOf()) ?? missing()) : await this.lockVisible(tx, access, orderIdOf, ['input', 'itemId'], 'item');
    return { order, item: (await tx.getRepository(OrderItem).findOneBy({ id }))! };
  }

  async lockForStaff(tx: EntityManager, orderId: string): Promise<Order> {
    const id = requireUuid(orderId, ['input', 'orderId'], 'order');
    const order = await tx.getRepository(Order).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!order) throw notFound('order', ['input', 'orderId']);
    return order;
  }

  async firstPayment(tx: EntityManager, orderId: string): Promise<FirstPaymentState> {
    const invoice = await this.app.invoices.findForOrder(tx, orderId, InvoiceKind.FIRST, true);
    return firstPaymentState(invoice, invoice ? await this.app.invoices.pendingPayments(tx, invoice.id) : 0);
  }

  private async insertWithFreshNumber(tx: EntityManager, order: Order): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      order.orderNumber = newOrderNumber();
      try {
        await tx.transaction((sp) => sp.getRepository(Order).insert(order)); // savepoint: a collision is retried
        return;
      } catch (error) {
        if (pgCode(error) !== '23505') throw error;
      }
    }
    throw new Error('could not find a free order number');
  }
}

function newOrderNumber(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ORDER_NUMBER_ALPHABET[randomInt(ORDER_NUMBER_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

export function toAddress(input: DeliveryAddressInput) {
  return {
    recipient: input.recipient.trim(),
    postalCode: input.postalCode,
    prefecture: input.prefecture,
    city: input.city.trim(),
    line1: input.line1.trim(),
    line2: input.line2?.trim() || null,
    phone: normalizePhone(input.phone) ?? input.phone,
  };
}

function notFound(what: string, field: string[]) {
  return new DomainError(UserErrorCode.NOT_FOUND, `No such ${what}.`, field);
}
