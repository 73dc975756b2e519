import { IsNull } from 'typeorm';
import type { App } from '../../app/app';
import { UserErrorCode, type UserError } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { inTransaction, mutation, type Payload } from '../../common/transaction';
import { Invoice } from '../invoices/invoice.entity';
import { actorOf, SYSTEM } from '../orders/order-events';
import { Order } from '../orders/order.entity';
import type { OrderAccess } from '../orders/order.service';
import { CardCaptures } from './card-capture';
import { lockPayment, SYSTEM_ACCESS, type LockedPayment } from './payment-access';
import { Payment } from './payment.entity';
import type { PaymentCardCompleteInput } from './payment.inputs';
import { PaymentMethod, PaymentPurpose, PaymentStatus } from './payment-state';
import { CardProviderError, type CardWebhookEvent } from './providers/card-provider';

const HANDLED_EVENTS = new Set(['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.DENIED', 'PAYMENT.CAPTURE.DECLINED', 'CHECKOUT.ORDER.APPROVED']);

export type WebhookOutcome = 'settled-or-unchanged' | 'ignored' | 'unknown-payment';

/** How often a caller that found the payment CAPTURING in another process looks again (a plain read, no lock). */
const POLL_MS = [100, 200, 300, 500];

/**
 * Card payments through the provider (PayPal or the simulator). The client's return, PayPal's
 * webhooks and the recovery sweep capture through `CardCaptures` (claim → provider call outside
 * any transaction → settle), so however many arrive at once a payment is captured and settled
 * once, and nobody holds a row lock or a pooled connection while PayPal answers; the capture's
 * PayPal-Request-Id (`capture:<paymentId>`) and the UNIQUE capture_id column back that up.
 */
export class CardPaymentService {
  readonly captures: CardCaptures;

  constructor(private readonly app: App) {
    this.captures = new CardCaptures(app);
  }

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

  /**
   * The customer is back from PayPal: capture the approved payment and settle it. Safe to repeat
   * and to call concurrently: while another call captures it, this one waits without a database
   * connection (up to CARD_CAPTURE_WAIT_MS) and answers the same result, or PAYMENT_IN_PROGRESS
   * after that (call again: a settled payment answers as settled).
   */
  async complete(access: OrderAccess, input: PaymentCardCompleteInput): Promise<Payload<LockedPayment>> {
    const actor = actorOf(access.viewer);
    const deadline = Date.now() + this.app.config.CARD_CAPTURE_WAIT_MS;
    for (;;) {
      const step = await mutation(this.app.ds, async (tx) => ({ claim: await this.captures.claim(tx, await lockPayment(tx, this.app, access, input.paymentId), actor) }));
      const claim = step.claim;
      if (!claim) return { userErrors: step.userErrors };
      if (claim.kind === 'claimed') return this.answer(claim.paymentId, await this.captures.run(claim, actor));
      if (claim.kind === 'done') return this.answer(claim.paymentId, []);
      // Someone else is capturing it: wait for their outcome, holding no connection.
      const left = deadline - Date.now();
      if (left <= 0) return { userErrors: [inProgress()] };
      const shared = this.captures.inFlight(claim.paymentId);
      if (shared) {
        const outcome = await within(shared, left);
        return outcome ? this.answer(claim.paymentId, outcome) : { userErrors: [inProgress()] };
      }
      await this.whileCapturing(claim.paymentId, deadline); // then step 1 again: it answers what the other caller left
    }
  }

  /**
   * A verified PayPal event. Capture events settle (or fail) the payment they name; an approved
   * order is captured like a client return (the buyer may never come back) unless a capture is
   * already under way. Anything else is ignored. Throws CardProviderError('UNAVAILABLE') when
   * PayPal should deliver again later.
   */
  async handleWebhook(event: CardWebhookEvent): Promise<WebhookOutcome> {
    if (!HANDLED_EVENTS.has(event.eventType)) return 'ignored';
    const paymentId = await this.findPaymentId(event);
    if (!paymentId) {
      this.app.log.warn({ eventId: event.id, eventType: event.eventType, providerOrderId: event.providerOrderId }, 'card webhook for no known payment');
      return 'unknown-payment';
    }
    if (event.eventType === 'CHECKOUT.ORDER.APPROVED') {
      const step = await mutation(this.app.ds, async (tx) => ({ claim: await this.captures.claim(tx, await lockPayment(tx, this.app, SYSTEM_ACCESS, paymentId), SYSTEM) }));
      // Refused (e.g. not pending any more), done, or being captured by someone else: nothing for this event to do.
      if (step.claim?.kind !== 'claimed') return 'settled-or-unchanged';
      const userErrors = await this.captures.run(step.claim, SYSTEM);
      if (userErrors[0]?.code === UserErrorCode.PAYMENT_PROVIDER_UNAVAILABLE) throw new CardProviderError('UNAVAILABLE', userErrors[0].message);
      return 'settled-or-unchanged'; // e.g. declined: the buyer decides what next
    }
    if (!event.captureId || !event.captureStatus || event.amountJpy === null) return 'settled-or-unchanged';
    const capture = { captureId: event.captureId, status: event.eventType === 'PAYMENT.CAPTURE.COMPLETED' ? 'COMPLETED' : event.captureStatus, amountJpy: event.amountJpy } as const;
    await inTransaction(this.app.ds, async (tx) => this.captures.applyCapture(tx, await lockPayment(tx, this.app, SYSTEM_ACCESS, paymentId), capture, SYSTEM));
    return 'settled-or-unchanged';
  }

  /** The payload of a completion: the payment, its invoice and order as they are now (read without locks). */
  private async answer(paymentId: string, userErrors: UserError[]): Promise<Payload<LockedPayment>> {
    if (userErrors.length) return { userErrors };
    const payment = await this.app.ds.getRepository(Payment).findOneByOrFail({ id: paymentId });
    const invoice = payment.invoiceId ? await this.app.ds.getRepository(Invoice).findOneByOrFail({ id: payment.invoiceId }) : null;
    const order = payment.orderId ? await this.app.ds.getRepository(Order).findOneByOrFail({ id: payment.orderId }) : null;
    return { payment, invoice, order, userErrors };
  }

  /**
   * Waits while another process captures the payment: short plain reads of its status with
   * growing pauses, no lock and no connection held in between. Returns when it is no longer
   * CAPTURING, when a capture of it starts in this process (awaitable), or at the deadline.
   */
  private async whileCapturing(paymentId: string, deadline: number): Promise<void> {
    for (let i = 0; Date.now() < deadline; i++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS[Math.min(i, POLL_MS.length - 1)], Math.max(0, deadline - Date.now()))));
      if (this.captures.inFlight(paymentId)) return;
      const [row]: { status: string }[] = await this.app.ds.query(`SELECT status FROM payment WHERE id = $1`, [paymentId]);
      if (row?.status !== PaymentStatus.CAPTURING) return;
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
    const what: Record<string, string> = { FIRST: 'first payment', SECOND: 'second payment', ADDITIONAL: 'additional payment (price change)' };
    return `Order ${row.order_number}: ${what[row.kind] ?? 'payment'}`;
  }

  /** The client's page; PayPal adds ?token=<PayPal order id>. */
  private returnUrl(paymentId: string, cancelled: boolean): string {
    const url = new URL(this.app.config.CARD_RETURN_URL ?? `${this.app.config.publicBaseUrl}/payments/card/return`);
    url.searchParams.set('payment', paymentId);
    if (cancelled) url.searchParams.set('cancelled', 'true');
    return url.toString();
  }
}

function inProgress(): UserError {
  return {
    code: UserErrorCode.PAYMENT_IN_PROGRESS,
    field: ['input', 'paymentId'],
    message: 'This card payment is being captured right now. Call again in a few seconds to see the result; you will not be charged twice.',
  };
}

/** The promise's value, or null if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
