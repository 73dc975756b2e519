import { In, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { humanize, StateMachine, type BaseMove } from '../../common/state-machine';
import { CancellationRequest, CANCELLATION_REQUEST_TRANSITIONS, CancellationRequestStatus } from '../cancellations/cancellation-request.entity';
import { DepositReferenceKind } from '../deposits/deposit-entry.entity';
import { DELIVERY_PROBLEM_TRANSITIONS, DeliveryProblem, DeliveryProblemResolution, DeliveryProblemStatus } from '../delivery-problems/delivery-problem.entity';
import { itemPayments } from '../invoices/invoice-money';
import { Invoice } from '../invoices/invoice.entity';
import { INVOICE_TRANSITIONS, InvoiceKind, InvoiceStatus } from '../invoices/invoice-state';
import { OrderItem } from '../orders/order-item.entity';
import { Order } from '../orders/order.entity';
import { recordEvent, type Actor } from '../orders/order-events';
import { CancelReason, ITEM_TRANSITIONS, ItemStatus, LIVE_ITEM_STATUSES, ORDER_TRANSITIONS, OrderStatus } from '../orders/order-state';
import { paymentMachine } from '../payments/payment-state';
import { ItemReturnRequest } from '../warehouse/return-request.entity';
import { ITEM_EXCHANGE_TRANSITIONS, ItemExchangeStatus, OPEN_EXCHANGE_STATUSES } from '../warehouse/return-request-state';
import type { Withdrawal } from '../withdrawals/withdrawal.entity';
import { withdrawalMachine, type WithdrawalMove } from '../withdrawals/withdrawal-machine';
import type { WithdrawalStatus } from '../withdrawals/withdrawal-state';
import type { Refund } from '../refunds/refund.entity';
import { refundMachine, type RefundMove } from '../refunds/refund-machine';
import type { RefundStatus, RefundTo } from '../refunds/refund-state';
import { PriceChange } from '../price-changes/price-change.entity';
import { priceChangeMachine } from '../price-changes/price-change-machine';
import type { PriceChangeMove } from '../price-changes/price-change.service';
import { PENDING_PRICE_CHANGE, PriceChangeStatus } from '../price-changes/price-change-state';

/** Every order-side move says who and why. */
export interface LifeMove extends BaseMove {
  actor: Actor;
  reason?: CancelReason;
  note?: string | null;
  /** Where money this move refunds goes (default DEPOSIT; a guest's always back where it came from). */
  refundTo?: RefundTo;
}

export interface OrderMove extends LifeMove {
  /** On cancellation: yen of the money received that the operator keeps (e.g. return shipping owed). */
  retainMinor?: bigint;
}

/** Items and invoices move with their order, which the caller has locked. */
export interface ItemMove extends LifeMove {
  order: Order;
  /** On leaving the order after payment: yen of what was paid for the item that is not refunded. */
  retainMinor?: bigint;
  /** The refund's ledger reference and note, when the caller has a better one than the item. */
  refund?: { reference?: { kind: DepositReferenceKind; id: string }; note?: string };
}

export interface InvoiceMove extends LifeMove {
  order: Order;
}

export interface RequestMove extends LifeMove {
  changes?: Record<string, unknown>;
}

/** A delivery problem moves with its order, which the caller has locked. */
export interface ProblemMove extends LifeMove {
  order: Order;
}

/** The stage timestamp each order status stamps when entered. */
const STAMPS: Partial<Record<OrderStatus, keyof Order>> = {
  AWAITING_FIRST_PAYMENT: 'quotedAt',
  PURCHASING: 'firstPaidAt',
  AWAITING_ARRIVAL: 'purchasedAt',
  INSPECTING: 'arrivedAt',
  AWAITING_SECOND_PAYMENT: 'secondInvoicedAt',
  PREPARING_SHIPMENT: 'secondPaidAt',
  SHIPPED: 'shippedAt',
  COMPLETED: 'completedAt',
  CANCELLED: 'cancelledAt',
};

/** Item statuses whose goods were paid for (leaving the order from one of them refunds the item). */
const PAID_ITEM_STATUSES = [ItemStatus.PURCHASING, ItemStatus.PURCHASED, ItemStatus.ARRIVED];
const ORDER_OPEN_FOR_ITEMS = [OrderStatus.SUBMITTED, OrderStatus.AWAITING_FIRST_PAYMENT, OrderStatus.PURCHASING, OrderStatus.AWAITING_ARRIVAL, OrderStatus.INSPECTING, OrderStatus.AWAITING_SECOND_PAYMENT, OrderStatus.PREPARING_SHIPMENT];

const details = (move: LifeMove) => ({ ...(move.reason ? { reason: move.reason } : {}), ...(move.note ? { note: move.note } : {}), ...move.data });

/**
 * The lifecycles of an order and everything that moves with it, each a `StateMachine` over its
 * table. What must happen when a state is entered is written once, here:
 * - an order entering CANCELLED: its live items are cancelled, whatever was received on its
 *   invoices is refunded (less `retainMinor`), unpaid invoices are voided, a pending
 *   cancellation request is answered and open exchanges/returns are closed;
 * - an item leaving the order (cancelled, unavailable): what was paid for it is refunded, or the
 *   unpaid first invoice recomputed; then, as after any item move, the order moves on
 *   (`advance`): cancelled when no item is left, on to the warehouse when nothing is left to
 *   buy, to inspection when nothing is left to arrive;
 * - an invoice entering PAID: the first moves the order to PURCHASING (and its items with it),
 *   the second to PREPARING_SHIPMENT;
 * - an order entering COMPLETED or CANCELLED: its open reply deadlines close (nothing is left
 *   to cancel for a missing reply);
 * - a delivery problem entering RESOLVED: RESHIP puts the new carrier and tracking number on
 *   the order and restarts its auto-completion clock (`shippedAt`); REFUND refunds the amount
 *   from the order's invoices, the first invoice first.
 * docs/lifecycle.md draws the tables.
 */
export class Lifecycle {
  readonly order: StateMachine<Order, OrderStatus, OrderMove>;
  readonly item: StateMachine<OrderItem, ItemStatus, ItemMove>;
  readonly invoice: StateMachine<Invoice, InvoiceStatus, InvoiceMove>;
  readonly cancellationRequest: StateMachine<CancellationRequest, CancellationRequestStatus, RequestMove>;
  readonly returnRequest: StateMachine<ItemReturnRequest, ItemExchangeStatus, RequestMove>;
  readonly deliveryProblem: StateMachine<DeliveryProblem, DeliveryProblemStatus, ProblemMove>;
  /** Payouts to bank accounts (withdrawals/withdrawal-machine.ts). */
  readonly withdrawal: StateMachine<Withdrawal, WithdrawalStatus, WithdrawalMove>;
  /** Card refunds through PayPal (refunds/refund-machine.ts). */
  readonly refund: StateMachine<Refund, RefundStatus, RefundMove>;
  /** A seller's price changes after the first payment (price-changes/price-change-machine.ts). */
  readonly priceChange: StateMachine<PriceChange, PriceChangeStatus, PriceChangeMove>;

  /** Every machine, by the name docs/lifecycle.md gives it. */
  get machines(): Record<string, StateMachine<any, any, any>> {
    return { Order: this.order, Item: this.item, Invoice: this.invoice, Payment: paymentMachine, 'Cancellation request': this.cancellationRequest, 'Exchange or return': this.returnRequest, 'Price change': this.priceChange, Refund: this.refund, Withdrawal: this.withdrawal };
  }

  constructor(private readonly app: App) {
    this.order = new StateMachine<Order, OrderStatus, OrderMove>({
      name: 'order',
      entity: Order,
      table: ORDER_TRANSITIONS,
      stamp: (_order, to, move) => {
        const stamp = STAMPS[to];
        const changes: Partial<Order> = stamp ? { [stamp]: move.at } : {};
        if (to === OrderStatus.CANCELLED) Object.assign(changes, { cancelReason: move.reason ?? CancelReason.OTHER, cancelNote: move.note ?? null });
        return changes;
      },
      record: (tx, order, from, to, move) => recordEvent(tx, { orderId: order.id, type: 'ORDER_STATUS_CHANGED', actor: move.actor, at: move.at, from, to, data: details(move) }),
      onEnter: {
        CANCELLED: (tx, order, move) => this.orderCancelled(tx, order, move),
        COMPLETED: (tx, order, move) => this.app.messages.closeReplyDeadlines(tx, order.id, move.at),
      },
      notes: {
        onEnter: {
          CANCELLED:
            'live items → CANCELLED; everything received on its invoices refunded (less `retainMinor`); unpaid invoices → VOID; a PENDING cancellation request → APPROVED; open exchanges/returns → CLOSED; reply deadlines stop counting',
          COMPLETED: 'reply deadlines stop counting (the REPLY_OVERDUE queue)',
        },
      },
    });

    this.item = new StateMachine<OrderItem, ItemStatus, ItemMove>({
      name: 'item',
      entity: OrderItem,
      table: ITEM_TRANSITIONS,
      record: (tx, item, from, to, move) =>
        recordEvent(tx, { orderId: item.orderId, itemId: item.id, type: 'ITEM_STATUS_CHANGED', actor: move.actor, at: move.at, from, to, data: details(move) }),
      afterEach: (tx, item, move, from) => this.itemMoved(tx, item, move, from),
      notes: {
        afterEach:
          'leaving the order (CANCELLED, UNAVAILABLE) after payment refunds what was paid for the item, before payment recomputes the first invoice, and closes its open exchange/return; then, after any move but to PURCHASING, `advance`: no live item left → order CANCELLED (PURCHASE_FAILED when the last could not be bought); nothing left to buy → AWAITING_ARRIVAL; nothing left to arrive → INSPECTING',
      },
    });

    this.invoice = new StateMachine<Invoice, InvoiceStatus, InvoiceMove>({
      name: 'invoice',
      entity: Invoice,
      table: INVOICE_TRANSITIONS,
      stamp: (_invoice, to, move) => (to === InvoiceStatus.PAID ? { paidAt: move.at } : {}),
      record: (tx, invoice, from, to, move) =>
        recordEvent(tx, { orderId: invoice.orderId, type: `INVOICE_${to}`, actor: move.actor, at: move.at, from, to, data: { invoiceId: invoice.id, kind: invoice.kind, ...move.data } }),
      onEnter: { PAID: (tx, invoice, move) => this.invoicePaid(tx, invoice, move) },
      notes: { onEnter: { PAID: 'FIRST: order → PURCHASING and its items before payment → PURCHASING; SECOND: order → PREPARING_SHIPMENT' } },
    });

    this.cancellationRequest = new StateMachine<CancellationRequest, CancellationRequestStatus, RequestMove>({
      name: 'cancellation request',
      entity: CancellationRequest,
      table: CANCELLATION_REQUEST_TRANSITIONS,
      record: (tx, request, from, to, move) =>
        recordEvent(tx, { orderId: request.orderId, type: `CANCELLATION_${to}`, actor: move.actor, at: move.at, from, to, data: { requestId: request.id, ...move.data } }),
    });

    this.returnRequest = new StateMachine<ItemReturnRequest, ItemExchangeStatus, RequestMove>({
      name: 'request',
      entity: ItemReturnRequest,
      table: ITEM_EXCHANGE_TRANSITIONS,
      record: (tx, request, from, to, move) =>
        recordEvent(tx, {
          orderId: request.orderId, itemId: request.itemId, type: `ITEM_${request.kind}_${to}`, actor: move.actor, at: move.at, from, to, data: { requestId: request.id, ...move.data },
        }),
    });

    this.deliveryProblem = new StateMachine<DeliveryProblem, DeliveryProblemStatus, ProblemMove>({
      name: 'delivery problem',
      entity: DeliveryProblem,
      table: DELIVERY_PROBLEM_TRANSITIONS,
      stamp: (_problem, to, move) => (to === DeliveryProblemStatus.RESOLVED ? { resolvedAt: move.at, resolvedBy: move.actor.id } : {}),
      record: (tx, problem, from, to, move) =>
        recordEvent(tx, {
          orderId: problem.orderId, type: `DELIVERY_PROBLEM_${to}`, actor: move.actor, at: move.at, from, to,
          data: { problemId: problem.id, kind: problem.kind, resolution: problem.resolution, ...details(move) },
        }),
      onEnter: { RESOLVED: (tx, problem, move) => this.deliveryProblemResolved(tx, problem, move) },
    });

    this.withdrawal = withdrawalMachine(app);
    this.refund = refundMachine(app);
    this.priceChange = priceChangeMachine(app);
  }

  /**
   * Cancels an order with everything that goes with it (see the class). Returns the yen
   * refunded and the yen kept (`retainMinor`, as far as the money received covers it).
   */
  async cancelOrder(tx: EntityManager, order: Order, move: OrderMove): Promise<{ refunded: bigint; retained: bigint }> {
    const before = await this.money(tx, order.id);
    await this.order.transition(tx, order, OrderStatus.CANCELLED, move);
    const retain = move.retainMinor ?? 0n;
    return { refunded: (await this.money(tx, order.id)).refunded - before.refunded, retained: retain < before.net ? retain : before.net };
  }

  /** The yen refunded on the order's invoices while `work` runs. */
  async refundsOf(tx: EntityManager, orderId: string, work: () => Promise<unknown>): Promise<bigint> {
    const before = await this.money(tx, orderId);
    await work();
    return (await this.money(tx, orderId)).refunded - before.refunded;
  }

  /**
   * Moves the order on when its items no longer hold it where it is. The one place that
   * decides "nothing left to buy / to arrive / at all".
   */
  async advance(tx: EntityManager, order: Order, move: LifeMove & { lastItemLeft?: ItemStatus }): Promise<void> {
    if (!ORDER_OPEN_FOR_ITEMS.includes(order.status)) return;
    const live = await this.liveItems(tx, order.id);
    const base = { actor: move.actor, at: move.at };
    if (!live.length) {
      const reason = move.reason ?? (move.lastItemLeft === ItemStatus.UNAVAILABLE ? CancelReason.PURCHASE_FAILED : CancelReason.ALL_ITEMS_CANCELLED);
      const note = reason === CancelReason.PURCHASE_FAILED ? 'None of the items could be bought.' : (move.note ?? null);
      await this.cancelOrder(tx, order, { ...base, reason, note, refundTo: move.refundTo });
      return;
    }
    if (order.status === OrderStatus.PURCHASING && !live.some((i) => i.status === ItemStatus.PURCHASING)) {
      await this.order.transition(tx, order, OrderStatus.AWAITING_ARRIVAL, base);
    }
    if (order.status === OrderStatus.AWAITING_ARRIVAL && !live.some((i) => i.status === ItemStatus.PURCHASED || i.status === ItemStatus.PURCHASING)) {
      await this.order.transition(tx, order, OrderStatus.INSPECTING, base);
    }
  }

  liveItems(tx: EntityManager, orderId: string): Promise<OrderItem[]> {
    return tx.getRepository(OrderItem).find({ where: { orderId, status: In(LIVE_ITEM_STATUSES) }, order: { position: 'ASC' } });
  }

  private async orderCancelled(tx: EntityManager, order: Order, move: OrderMove): Promise<void> {
    const cascade = { actor: move.actor, at: move.at, reason: move.reason, order };
    for (const item of await this.liveItems(tx, order.id)) await this.item.transition(tx, item, ItemStatus.CANCELLED, cascade);

    const invoices = await tx.getRepository(Invoice).find({ where: { orderId: order.id }, order: { issuedAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    let retain = move.retainMinor ?? 0n;
    for (const invoice of invoices) {
      const net = invoice.amountPaidMinor - invoice.amountRefundedMinor;
      const keep = retain < net ? retain : net;
      retain -= keep;
      await this.app.invoices.refund(tx, invoice, order, {
        amountMinor: net - keep, reference: { kind: DepositReferenceKind.ORDER, id: order.id }, note: `Order cancelled (${humanize(move.reason ?? CancelReason.OTHER)})`, actor: move.actor, at: move.at,
        refundTo: move.refundTo,
      });
      // Void only when no money stays on it (unpaid, or paid and refunded in full).
      if (invoice.status === InvoiceStatus.OPEN && invoice.amountPaidMinor === invoice.amountRefundedMinor) {
        await this.invoice.transition(tx, invoice, InvoiceStatus.VOID, { actor: move.actor, at: move.at, order });
      }
    }

    const pending = await tx.getRepository(CancellationRequest).findOne({ where: { orderId: order.id, status: CancellationRequestStatus.PENDING } });
    if (pending) {
      const note = `The order was cancelled (${humanize(move.reason ?? CancelReason.OTHER)}).`;
      await this.cancellationRequest.transition(tx, pending, CancellationRequestStatus.APPROVED, {
        actor: move.actor, at: move.at, changes: { decidedBy: move.actor.id, decidedAt: move.at, decisionNote: note }, data: { note },
      });
    }
    const open = await tx.getRepository(ItemReturnRequest).find({ where: { orderId: order.id, status: In(OPEN_EXCHANGE_STATUSES) } });
    for (const request of open) {
      await this.returnRequest.transition(tx, request, ItemExchangeStatus.CLOSED, { actor: move.actor, at: move.at, data: { note: 'The order was cancelled.' } });
    }
    await this.withdrawPriceChanges(tx, { orderId: order.id }, { actor: move.actor, at: move.at, order, data: { note: 'The order was cancelled.' } });
    await this.app.messages.closeReplyDeadlines(tx, order.id, move.at);
  }

  /**
   * What a resolution does (docs/warehouse.md, "Delivery problems"); the service has checked
   * its rules under the order's lock. RESHIP: the order shows the new parcel, and its 30 days
   * to auto-completion count from now. REFUND: the amount goes back from the order's invoices,
   * the first invoice (goods) first, each at most what it received and has not refunded.
   */
  private async deliveryProblemResolved(tx: EntityManager, problem: DeliveryProblem, move: ProblemMove): Promise<void> {
    const { order } = move;
    if (problem.resolution === DeliveryProblemResolution.RESHIP) {
      const parcel = { shipmentCarrier: problem.reshipCarrier, trackingNumber: problem.reshipTrackingNumber, shippedAt: move.at };
      await tx.getRepository(Order).update({ id: order.id }, parcel);
      Object.assign(order, parcel);
      return;
    }
    if (problem.resolution !== DeliveryProblemResolution.REFUND) return;
    let left = problem.refundAmountMinor ?? 0n;
    const invoices = await tx.getRepository(Invoice).find({ where: { orderId: order.id }, order: { kind: 'ASC', issuedAt: 'ASC', id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    for (const invoice of invoices) {
      const net = invoice.amountPaidMinor - invoice.amountRefundedMinor;
      const amount = left < net ? left : net;
      if (amount <= 0n) continue;
      left -= amount;
      await this.app.invoices.refund(tx, invoice, order, {
        amountMinor: amount, reference: { kind: DepositReferenceKind.DELIVERY_PROBLEM, id: problem.id },
        note: `Delivery problem (${humanize(problem.kind)}): ${problem.resolutionNote ?? 'refund'}`, actor: move.actor, at: move.at, refundTo: move.refundTo,
      });
    }
    if (left > 0n) throw new Error(`delivery problem ${problem.id}: ¥${left} of the refund found no money received`);
  }

  private async itemMoved(tx: EntityManager, item: OrderItem, move: ItemMove, from: ItemStatus): Promise<void> {
    const { order } = move;
    if (order.status === OrderStatus.CANCELLED) return; // the order's own cancellation refunds everything at once
    const left = item.status === ItemStatus.CANCELLED || item.status === ItemStatus.UNAVAILABLE;
    if (left && PAID_ITEM_STATUSES.includes(from)) {
      // Each part back from the invoice that received it: the first, and a price rise's additional one.
      const invoices = await this.app.invoices.itemInvoices(tx, order.id);
      let retain = move.retainMinor ?? 0n;
      for (const { invoice, amount } of itemPayments(invoices, item)) {
        const keep = retain < amount ? retain : amount;
        retain -= keep;
        await this.app.invoices.refund(tx, invoice, order, {
          amountMinor: amount - keep,
          reference: move.refund?.reference ?? { kind: DepositReferenceKind.ORDER_ITEM, id: item.id },
          note: move.refund?.note ?? `“${item.title}” ${humanize(item.status)}`,
          actor: move.actor, at: move.at, itemId: item.id, refundTo: move.refundTo,
        });
      }
      // A price rise's invoice has nothing left to ask for once the item is gone.
      for (const invoice of invoices) {
        if (invoice.kind === InvoiceKind.ADDITIONAL && invoice.status === InvoiceStatus.OPEN && invoice.amountPaidMinor === invoice.amountRefundedMinor && invoice.storedLines.some((l) => l.itemId === item.id)) {
          await this.invoice.transition(tx, invoice, InvoiceStatus.VOID, { actor: move.actor, at: move.at, order });
        }
      }
      await this.withdrawPriceChanges(tx, { itemId: item.id }, { actor: move.actor, at: move.at, order, data: { note: `The item is ${humanize(item.status)}.` } });
    } else if (left) {
      await this.app.invoices.recomputeFirst(tx, order, move.actor, move.at);
    }
    if (left) {
      const open = await tx.getRepository(ItemReturnRequest).find({ where: { itemId: item.id, status: In(OPEN_EXCHANGE_STATUSES) } });
      for (const request of open) await this.returnRequest.transition(tx, request, ItemExchangeStatus.CLOSED, { actor: move.actor, at: move.at, data: { note: 'The item left the order.' } });
    }
    if (left || item.status === ItemStatus.PURCHASED || item.status === ItemStatus.ARRIVED) {
      await this.advance(tx, order, { actor: move.actor, at: move.at, reason: move.reason, note: move.note, refundTo: move.refundTo, lastItemLeft: left ? item.status : undefined });
    }
  }

  private async invoicePaid(tx: EntityManager, invoice: Invoice, move: InvoiceMove): Promise<void> {
    const { order } = move;
    const base = { actor: move.actor, at: move.at };
    if (invoice.kind === InvoiceKind.FIRST && order.status === OrderStatus.AWAITING_FIRST_PAYMENT) {
      await this.order.transition(tx, order, OrderStatus.PURCHASING, base);
      const items = await tx.getRepository(OrderItem).find({ where: { orderId: order.id, status: ItemStatus.BEFORE_PAYMENT }, order: { position: 'ASC' } });
      for (const item of items) await this.item.transition(tx, item, ItemStatus.PURCHASING, { ...base, order });
    } else if (invoice.kind === InvoiceKind.SECOND && order.status === OrderStatus.AWAITING_SECOND_PAYMENT) {
      await this.order.transition(tx, order, OrderStatus.PREPARING_SHIPMENT, base);
    } else if (invoice.kind === InvoiceKind.ADDITIONAL) {
      const change = await tx.getRepository(PriceChange).findOne({ where: { invoiceId: invoice.id, status: In(PENDING_PRICE_CHANGE) }, lock: { mode: 'pessimistic_write' } });
      if (change) await this.priceChange.transition(tx, change, PriceChangeStatus.APPLIED, { ...base, order });
    }
  }

  /** Price changes still waiting for the customer, of an item or a whole order, → WITHDRAWN (their invoices are settled by the caller). */
  private async withdrawPriceChanges(tx: EntityManager, where: { orderId: string } | { itemId: string }, move: PriceChangeMove): Promise<void> {
    const pending = await tx.getRepository(PriceChange).find({ where: { ...where, status: In(PENDING_PRICE_CHANGE) }, lock: { mode: 'pessimistic_write' } });
    for (const change of pending) await this.priceChange.transition(tx, change, PriceChangeStatus.WITHDRAWN, move);
  }

  private async money(tx: EntityManager, orderId: string): Promise<{ refunded: bigint; net: bigint }> {
    const [row]: { refunded: string; paid: string }[] = await tx.query(
      `SELECT coalesce(sum(amount_refunded), 0)::text AS refunded, coalesce(sum(amount_paid), 0)::text AS paid FROM invoice WHERE order_id = $1`,
      [orderId],
    );
    return { refunded: BigInt(row.refunded), net: BigInt(row.paid) - BigInt(row.refunded) };
  }
}
