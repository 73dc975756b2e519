import { IsNull, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { DomainError, UserError, UserErrorCode } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { inTransaction, mutation, type Payload } from '../../common/transaction';
import { actorOf, recordEvent, SYSTEM, type Actor } from '../orders/order-events';
import type { OrderAccess } from '../orders/order.service';
import { CardProviderError, type CardCaptureStatus, type CardWebhookEvent } from './providers/card-provider';
import { lockPayment, SYSTEM_ACCESS, type LockedPayment } from './payment-access';
import { Payment } from './payment.entity';
import type { PaymentCardCompleteInput } from './payment.inputs';
import { PaymentMethod, PaymentPurpose, PaymentStatus, transitionPayment } from './payment-state';
import { amountDue } from '../invoices/invoice-money';
import { settle } from './settlement';

/** What a capture told us, from the capture call or from a webhook event. */
interface CaptureFacts {
  captureId: string;
  status: CardCaptureStatus;
  amountJpy: bigint;
}

const HANDLED_EVENTS = new Set(['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.DENIED', 'PAYMENT.CAPTURE.DECLINED', 'CHECKOUT.ORDER.APPROVED']);

export type WebhookOutcome = 'settled-or-unchanged' | 'ignored' | 'unknown-payment';

/**
 * Card payments through the provider (PayPal or the simulator). Capturing happens under the
 * order → invoice → payment locks, so the client's return and PayPal's webhooks, however many
 * and however concurrent, capture and settle a payment once; the capture's PayPal-Request-Id
 * (`capture:<paymentId>`) and the UNIQUE capture_id column back that up.
 */
export class CardPaymentService {
  constructor(private readonly app: App) {}

  /**
   * Creates the PayPal order of a PENDING card payment that has none yet, outside any
   * transaction (a network call must not hold row locks). The request id `order:<paymentId>`
   * makes retries return the same PayPal order. Returns a userError when PayPal is unreachable.
   */
  async ensureProviderOrder(payment: Payment): Promise<UserError | null> {
    if (payment.status !== PaymentStatus.PENDING || payment.providerOrderId) return null;
    let created;
    try {
      created = await this.app.cardProvider.createOrder({
        amountJpy: payment.amountMinor + payment.feeMinor,
        reference: payment.id,
        description: await this.describe(payment),
        returnUrl: this.returnUrl(payment.id, false),
        cancelUrl: this.returnUrl(payment.id, true),
        requestId: `order:${payment.id}`,
      });
    } catch (error) {
      if (!(error instanceof CardProviderError)) throw error;
      this.app.log.warn({ err: error, paymentId: payment.id }, 'card order not created');
      return {
        code: UserErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
        field: null,
        message: 'The card payment service cannot be reached. The payment is recorded: retry with the same idempotency key to get the approval page.',
      };
    }
    await this.app.ds.getRepository(Payment).update(
      { id: payment.id, status: PaymentStatus.PENDING, providerOrderId: IsNull() },
      { providerOrderId: created.providerOrderId, storedApprovalUrl: created.approvalUrl, provider: this.app.cardProvider.name },
    );
    Object.assign(payment, await this.app.ds.getRepository(Payment).findOneByOrFail({ id: payment.id }));
    return null;
  }

  /** The customer is back from PayPal: capture the approved payment and settle it. Safe to repeat. */
  complete(access: OrderAccess, input: PaymentCardCompleteInput): Promise<Payload<LockedPayment>> {
    return mutation(this.app.ds, async (tx) => {
      const locked = await lockPayment(tx, this.app, access, input.paymentId);
      if (locked.payment.method !== PaymentMethod.CARD) {
        throw new DomainError(UserErrorCode.NOT_A_CARD_PAYMENT, 'This payment is not a card payment.', ['input', 'paymentId']);
      }
      await this.capture(tx, locked, actorOf(access.viewer));
      return locked;
    });
  }

  /**
   * A verified PayPal event. Capture events settle (or fail) the payment they name; an approved
   * order is captured like a client return (the buyer may never come back). Anything else is
   * ignored. Throws CardProviderError('UNAVAILABLE') when PayPal should deliver again later.
   */
  async handleWebhook(event: CardWebhookEvent): Promise<WebhookOutcome> {
    if (!HANDLED_EVENTS.has(event.eventType)) return 'ignored';
    const paymentId = await this.findPaymentId(event);
    if (!paymentId) {
      this.app.log.warn({ eventId: event.id, eventType: event.eventType, providerOrderId: event.providerOrderId }, 'card webhook for no known payment');
      return 'unknown-payment';
    }
    try {
      await inTransaction(this.app.ds, async (tx) => {
        const locked = await lockPayment(tx, this.app, SYSTEM_ACCESS, paymentId);
        if (event.eventType === 'CHECKOUT.ORDER.APPROVED') return this.capture(tx, locked, SYSTEM);
        if (!event.captureId || !event.captureStatus || event.amountJpy === null) return;
        const status: CardCaptureStatus = event.eventType === 'PAYMENT.CAPTURE.COMPLETED' ? 'COMPLETED' : event.captureStatus;
        await this.applyCapture(tx, locked, { captureId: event.captureId, status, amountJpy: event.amountJpy }, SYSTEM);
      });
    } catch (error) {
      if (error instanceof DomainError) {
        if (error.errors[0].code === UserErrorCode.PAYMENT_PROVIDER_UNAVAILABLE) throw new CardProviderError('UNAVAILABLE', error.message);
        return 'settled-or-unchanged'; // e.g. declined: the buyer decides what next
      }
      throw error;
    }
    return 'settled-or-unchanged';
  }

  /** Captures a locked PENDING card payment at the provider and applies the result. */
  private async capture(tx: EntityManager, locked: LockedPayment, actor: Actor): Promise<void> {
    const { payment, invoice } = locked;
    if (payment.status === PaymentStatus.SETTLED) return;
    if (payment.status !== PaymentStatus.PENDING) {
      throw new DomainError(UserErrorCode.PAYMENT_NOT_PENDING, `This card payment is ${payment.status.toLowerCase()}: start a new payment.`, ['input', 'paymentId']);
    }
    if (payment.captureId) return; // PayPal holds the capture; its webhook settles it
    if (!payment.providerOrderId) {
      throw new DomainError(UserErrorCode.NOT_APPROVED, 'This payment was not sent to PayPal yet: retry the payment with the same idempotency key.', ['input', 'paymentId']);
    }
    const at = this.app.clock.now();
    // The invoice changed since the card page opened (paid otherwise, cancelled, recomputed lower): charge nothing.
    if (payment.purpose === PaymentPurpose.INVOICE && amountDue(invoice!) < payment.amountMinor) {
      await transitionPayment(tx, payment, PaymentStatus.CANCELLED, {
        actor,
        at,
        changes: { failureReason: 'The invoice changed after this card payment was started; nothing was charged. Pay the invoice again.' },
        data: { reason: 'INVOICE_CHANGED' },
      });
      return;
    }
    let capture;
    try {
      capture = await this.app.cardProvider.captureOrder({ providerOrderId: payment.providerOrderId, requestId: `capture:${payment.id}` });
    } catch (error) {
      if (!(error instanceof CardProviderError)) throw error;
      if (error.code === 'ORDER_CLOSED' || error.code === 'NOT_FOUND') {
        await transitionPayment(tx, payment, PaymentStatus.FAILED, {
          actor,
          at,
          changes: { failureReason: 'The PayPal payment expired or was voided; nothing was charged. Pay again.' },
          data: { reason: error.code },
        });
        return;
      }
      throw providerRefusal(error, this.app, payment.id);
    }
    await this.applyCapture(tx, locked, capture, actor);
  }

  /**
   * Applies a capture's outcome to the locked payment, once: only a PENDING payment moves, and a
   * second delivery of the same capture finds it SETTLED and changes nothing.
   */
  private async applyCapture(tx: EntityManager, locked: LockedPayment, capture: CaptureFacts, actor: Actor): Promise<void> {
    const { payment } = locked;
    if (payment.status !== PaymentStatus.PENDING) {
      if (payment.captureId !== capture.captureId) {
        this.app.log.error({ paymentId: payment.id, status: payment.status, captureId: capture.captureId }, 'card capture for a payment that is no longer pending');
      }
      return;
    }
    const at = this.app.clock.now();
    if (capture.status === 'COMPLETED') {
      // The fee is the operator's; the rest is what the customer paid towards the invoice or deposit.
      await settle(tx, this.app, payment, capture.amountJpy - payment.feeMinor, {
        actor,
        at,
        order: locked.order,
        invoice: locked.invoice,
        changes: { captureId: capture.captureId },
        data: { captureId: capture.captureId },
      });
    } else if (capture.status === 'PENDING') {
      if (payment.captureId) return;
      await tx.getRepository(Payment).update({ id: payment.id, status: PaymentStatus.PENDING }, { captureId: capture.captureId });
      payment.captureId = capture.captureId;
      if (payment.orderId) {
        await recordEvent(tx, { orderId: payment.orderId, type: 'PAYMENT_CAPTURE_HELD', actor, at, data: { paymentId: payment.id, captureId: capture.captureId } });
      }
    } else if (capture.status === 'DECLINED' || capture.status === 'FAILED') {
      await transitionPayment(tx, payment, PaymentStatus.FAILED, {
        actor,
        at,
        changes: { captureId: capture.captureId, failureReason: 'The card payment was declined; nothing was charged. Pay again.' },
        data: { captureId: capture.captureId, captureStatus: capture.status },
      });
    }
  }

  private async findPaymentId(event: CardWebhookEvent): Promise<string | null> {
    const repo = this.app.ds.getRepository(Payment);
    const byOrder = event.providerOrderId ? await repo.findOne({ where: { providerOrderId: event.providerOrderId }, select: { id: true } }) : null;
    if (byOrder) return byOrder.id;
    if (!event.reference || !isUuid(event.reference)) return null;
    const byReference = await repo.findOne({ where: { id: event.reference.toLowerCase(), method: PaymentMethod.CARD }, select: { id: true, providerOrderId: true } });
    // A reference must agree with the order id when both are known.
    if (!byReference || (event.providerOrderId && byReference.providerOrderId && byReference.providerOrderId !== event.providerOrderId)) return null;
    return byReference.id;
  }

  private async describe(payment: Payment): Promise<string> {
    if (payment.purpose === PaymentPurpose.DEPOSIT_TOP_UP) return 'Deposit top-up';
    const [row]: { order_number: string; kind: string }[] = await this.app.ds.query(
      `SELECT o.order_number, i.kind FROM invoice i JOIN customer_order o ON o.id = i.order_id WHERE i.id = $1`,
      [payment.invoiceId],
    );
    return `Order ${row.order_number}: ${row.kind === 'FIRST' ? 'first' : 'second'} payment`;
  }

  /** The client's page; PayPal adds ?token=<PayPal order id>. */
  private returnUrl(paymentId: string, cancelled: boolean): string {
    const url = new URL(this.app.config.CARD_RETURN_URL ?? `${this.app.config.publicBaseUrl}/payments/card/return`);
    url.searchParams.set('payment', paymentId);
    if (cancelled) url.searchParams.set('cancelled', 'true');
    return url.toString();
  }
}

/** Provider failures the customer can act on, as userErrors; configuration and bugs stay errors. */
function providerRefusal(error: CardProviderError, app: App, paymentId: string): Error {
  const field = ['input', 'paymentId'];
  switch (error.code) {
    case 'DECLINED':
      return new DomainError(UserErrorCode.CARD_DECLINED, 'The card was declined. Open the approval page again to pay with another card.', field);
    case 'NOT_APPROVED':
      return new DomainError(UserErrorCode.NOT_APPROVED, 'The payment has not been approved at PayPal yet. Open the approval page first.', field);
    case 'UNAVAILABLE':
    case 'AUTH_FAILED':
      if (error.code === 'AUTH_FAILED') app.log.error({ err: error, paymentId }, 'PayPal refused our credentials');
      return new DomainError(UserErrorCode.PAYMENT_PROVIDER_UNAVAILABLE, 'The card payment service cannot be reached. Try again in a few minutes; you will not be charged twice.', field);
    default:
      return error;
  }
}
