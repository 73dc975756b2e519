import { In, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { DomainError, UserErrorCode, type UserError } from '../../common/errors';
import { requireUuid } from '../../common/ids';
import { Currency, formatMinor, parseMoneyInput } from '../../common/money';
import { pgCode, type Payload } from '../../common/transaction';
import { assertValid } from '../../common/validation';
import type { Account } from '../accounts/account.entity';
import { netReceived } from '../invoices/invoice-money';
import { Invoice } from '../invoices/invoice.entity';
import { loadOrderFacts } from '../lifecycle/order-facts';
import { MessageSendInput } from '../messaging/message.inputs';
import type { Order } from '../orders/order.entity';
import { actorOf, recordEvent, type Actor } from '../orders/order-events';
import type { OrderAccess } from '../orders/order.service';
import { isValidTrackingNumber, normalizeTrackingNumber } from '../warehouse/carriers';
import { DeliveryProblem, DeliveryProblemKind, DeliveryProblemResolution, DeliveryProblemStatus } from './delivery-problem.entity';
import type { DeliveryProblemPayload, OrderDeliveryProblemReportInput, OrderDeliveryProblemResolveInput, OrderProblemReportInput } from './delivery-problem.inputs';
import { refuseDeliveryProblemReport, refuseDeliveryProblemResolution, refuseProblemRefund, refuseReship } from './delivery-problem-rules';

/**
 * Problems with a shipped parcel (seeds 001, 002, 004: lost, returned to the sender, refused,
 * damaged, the wrong goods). Staff record one, or the customer reports one with a message and
 * photos; staff resolve it by reshipping, refunding or closing it (docs/warehouse.md). While
 * one is open the order is not auto-completed.
 */
export class DeliveryProblemService {
  constructor(private readonly app: App) {}

  /**
   * The customer (or guest) reports a problem: a message with photos in the order's thread, as
   * before, and the open problem, written in the message's own transaction (rules checked again
   * under the order's lock) so the message, its files and the problem are written all or nothing.
   */
  async reportByCustomer(access: OrderAccess, input: OrderProblemReportInput): Promise<Payload<DeliveryProblemPayload>> {
    if (isStaff(access.viewer)) {
      return { userErrors: [{ code: UserErrorCode.INVALID, field: ['input', 'orderId'], message: 'Staff record delivery problems with orderDeliveryProblemReport.' }] };
    }
    const message = Object.assign(new MessageSendInput(), {
      orderId: input.orderId, title: '商品受取時の問題 / Problem on arrival', body: input.body, askSellerBeforePurchase: false, files: input.photos, guest: input.guest,
    });
    const sent = await this.app.messages.send(access, message, {
      check: (tx) => this.checkReport(tx, access, input),
      within: async (tx, written) => {
        const order = await this.checkReport(tx, access, input);
        const deliveryProblem = await this.open(tx, order, input.kind, input.body.trim(), actorOf(access.viewer), written.id);
        return { deliveryProblem, order };
      },
    });
    return sent.userErrors.length ? { userErrors: sent.userErrors.map(asReportField) } : sent;
  }

  /** Staff record a problem they learned of (the carrier, a returned parcel, a phone call). */
  async reportByStaff(tx: EntityManager, viewer: Account, input: OrderDeliveryProblemReportInput): Promise<{ deliveryProblem: DeliveryProblem; order: Order }> {
    await assertValid(input);
    requireText(input.note, ['input', 'note'], 'Say what happened to the parcel.');
    const order = await this.app.orders.lockForStaff(tx, input.orderId);
    const refusal = refuseDeliveryProblemReport(order, (await loadOrderFacts(tx, [order.id]))[0]);
    if (refusal) throw refusal;
    return { deliveryProblem: await this.open(tx, order, input.kind, input.note.trim(), actorOf(viewer), null), order };
  }

  /**
   * Staff resolve the open problem, with a note to the customer. RESHIP: a new carrier and
   * tracking number (checked as for orderShip) while the order is SHIPPED; REFUND: an amount
   * in JPY up to what the order's invoices received and have not refunded; CLOSE: nothing
   * else. What each does is the problem's RESOLVED hook (modules/lifecycle). Concurrent
   * resolutions serialise on the order's lock: the second finds the problem resolved.
   */
  async resolve(tx: EntityManager, viewer: Account, input: OrderDeliveryProblemResolveInput): Promise<{ deliveryProblem: DeliveryProblem; order: Order }> {
    await assertValid(input);
    requireText(input.note, ['input', 'note'], 'Write a note to the customer.');
    const id = requireUuid(input.problemId, ['input', 'problemId'], 'delivery problem');
    const found = await tx.getRepository(DeliveryProblem).findOne({ where: { id }, select: { id: true, orderId: true } });
    if (!found) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such delivery problem.', ['input', 'problemId']);
    const order = await this.app.orders.lockForStaff(tx, found.orderId);
    const problem = (await tx.getRepository(DeliveryProblem).findOneBy({ id }))!;
    const refusal = refuseDeliveryProblemResolution((await loadOrderFacts(tx, [order.id]))[0], problem.id);
    if (refusal) throw refusal;
    this.refuseOtherResolutionsFields(input);

    const changes: Partial<DeliveryProblem> = { resolution: input.resolution, resolutionNote: input.note.trim() };
    const data: Record<string, unknown> = {};
    if (input.resolution === DeliveryProblemResolution.RESHIP) {
      const reship = refuseReship(order);
      if (reship) throw reship;
      if (!input.carrier) throw new DomainError(UserErrorCode.INVALID, 'Name the carrier of the new parcel.', ['input', 'carrier']);
      const tracking = normalizeTrackingNumber(input.trackingNumber ?? '');
      if (!isValidTrackingNumber(input.carrier, tracking)) {
        throw new DomainError(UserErrorCode.INVALID_TRACKING_NUMBER, `That is not a ${input.carrier} tracking number.`, ['input', 'trackingNumber']);
      }
      if (tracking === order.trackingNumber) {
        throw new DomainError(UserErrorCode.INVALID_TRACKING_NUMBER, 'That is the tracking number of the parcel with the problem: give the new parcel’s.', ['input', 'trackingNumber']);
      }
      Object.assign(changes, { reshipCarrier: input.carrier, reshipTrackingNumber: tracking });
      Object.assign(data, { carrier: input.carrier, trackingNumber: tracking, previousCarrier: order.shipmentCarrier, previousTrackingNumber: order.trackingNumber });
    } else if (input.resolution === DeliveryProblemResolution.REFUND) {
      if (!input.refundAmount) throw new DomainError(UserErrorCode.INVALID, 'Give the amount to refund, in JPY.', ['input', 'refundAmount']);
      const amount = parseMoneyInput(input.refundAmount, Currency.JPY, ['input', 'refundAmount']);
      const invoices = await tx.getRepository(Invoice).find({ where: { orderId: order.id } });
      const refundable = invoices.reduce((sum, invoice) => sum + netReceived(invoice), 0n);
      const tooMuch = refuseProblemRefund(amount, refundable);
      if (tooMuch) throw tooMuch;
      changes.refundAmountMinor = amount;
      data.amount = formatMinor(amount, Currency.JPY);
    }
    await this.app.lifecycle.deliveryProblem.transition(tx, problem, DeliveryProblemStatus.RESOLVED, {
      actor: actorOf(viewer), at: this.app.clock.now(), order, note: changes.resolutionNote, changes, data, field: ['input', 'problemId'], refundTo: input.refundTo,
    });
    return { deliveryProblem: problem, order };
  }

  /** Every problem of these orders, oldest first (for `Order.deliveryProblems`, one statement per request). */
  forOrders(orderIds: readonly string[]): Promise<DeliveryProblem[]> {
    return this.app.ds.getRepository(DeliveryProblem).find({ where: { orderId: In([...orderIds]) }, order: { openedAt: 'ASC', id: 'ASC' } });
  }

  private async checkReport(tx: EntityManager, access: OrderAccess, input: OrderProblemReportInput): Promise<Order> {
    await assertValid(input);
    requireText(input.body, ['input', 'body'], 'Say what is wrong with the delivery.');
    const order = await this.app.orders.lockVisible(tx, access, input.orderId);
    const refusal = refuseDeliveryProblemReport(order, (await loadOrderFacts(tx, [order.id]))[0]);
    if (refusal) throw refusal;
    return order;
  }

  /** Writes the open problem (its first state) and its timeline event; the order is locked and the rules passed. */
  private async open(tx: EntityManager, order: Order, kind: DeliveryProblemKind, note: string, actor: Actor, messageId: string | null): Promise<DeliveryProblem> {
    const at = this.app.clock.now();
    const problem = tx.getRepository(DeliveryProblem).create({
      orderId: order.id, kind, status: DeliveryProblemStatus.OPEN, note, messageId, trackingNumber: order.trackingNumber ?? '',
      openedByRole: actor.role, openedBy: actor.id, openedAt: at,
      resolution: null, resolutionNote: null, resolvedBy: null, resolvedAt: null, refundAmountMinor: null, reshipCarrier: null, reshipTrackingNumber: null,
    });
    try {
      await tx.transaction((sp) => sp.getRepository(DeliveryProblem).insert(problem));
    } catch (error) {
      // The partial unique index is the last word on "one open problem per order".
      if (pgCode(error) === '23505') throw new DomainError(UserErrorCode.DELIVERY_PROBLEM_OPEN, 'A delivery problem of this order is already open.', ['input', 'orderId']);
      throw error;
    }
    await recordEvent(tx, { orderId: order.id, type: 'DELIVERY_PROBLEM_OPENED', actor, at, to: DeliveryProblemStatus.OPEN, data: { problemId: problem.id, kind, note, messageId } });
    return problem;
  }

  /** Fields of one resolution given with another are refused rather than ignored. */
  private refuseOtherResolutionsFields(input: OrderDeliveryProblemResolveInput): void {
    const reship = input.resolution === DeliveryProblemResolution.RESHIP;
    if (!reship && (input.carrier || input.trackingNumber)) {
      throw new DomainError(UserErrorCode.INVALID, 'A carrier and tracking number go with RESHIP only.', ['input', input.carrier ? 'carrier' : 'trackingNumber']);
    }
    if (input.resolution !== DeliveryProblemResolution.REFUND && input.refundAmount) {
      throw new DomainError(UserErrorCode.INVALID, 'An amount goes with REFUND only.', ['input', 'refundAmount']);
    }
  }
}

/** Blank text (spaces only) is no text. */
function requireText(value: string, field: string[], message: string): void {
  if (!value.trim()) throw new DomainError(UserErrorCode.INVALID, message, field);
}

/** The message's file errors point at the report's `photos`; its title and body at `body`. */
function asReportField(error: UserError): UserError {
  const field = error.field;
  if (!field || field[0] !== 'input') return error;
  if (field[1] === 'files') return { ...error, field: ['input', 'photos', ...field.slice(2)] };
  if (field[1] === 'title') return { ...error, field: ['input', 'body'] };
  return error;
}
