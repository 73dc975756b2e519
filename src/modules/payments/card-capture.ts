import { hostname } from 'node:os';
import type { EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { DomainError, UserErrorCode, type UserError } from '../../common/errors';
import { inTransaction } from '../../common/transaction';
import { amountDue } from '../invoices/invoice-money';
import { recordEvent, SYSTEM, type Actor } from '../orders/order-events';
import { lockPayment, SYSTEM_ACCESS, type LockedPayment } from './payment-access';
import { PaymentMethod, PaymentPurpose, PaymentStatus, transitionPayment } from './payment-state';
import { Payment } from './payment.entity';
import { CardProviderError, type CardCaptureStatus } from './providers/card-provider';
import { settle } from './settlement';

/** What a capture told us, from the capture call, the order's status or a webhook event. */
export interface CaptureFacts {
  captureId: string;
  status: CardCaptureStatus;
  amountJpy: bigint;
}

/** Step 1's answer: the payment is ours to capture, someone else is capturing it, or there is nothing to capture. */
export type Claim =
  | { kind: 'claimed'; paymentId: string; providerOrderId: string; requestId: string }
  | { kind: 'busy'; paymentId: string }
  | { kind: 'done'; paymentId: string };

/** What the provider said for a claimed payment: a capture, or a refusal/failure. */
type ProviderAnswer = { capture: CaptureFacts } | { error: CardProviderError };

/** A payment CAPTURING for longer than this was left by a crash (or a call that never ended): the sweep asks PayPal. */
export const CAPTURE_RECOVERY_AFTER_MS = 60_000;
const RECOVERY_BATCH = 20;
const PROCESS = `${hostname()}:${process.pid}`;

/**
 * Card capture in three steps, so no row lock or pooled connection is held while PayPal is
 * asked (CONVENTIONS, "Concurrency"):
 * 1. `claim` — in the caller's short transaction, under the order → invoice → payment locks:
 *    PENDING → CAPTURING through the payment machine, with who, when and the PayPal-Request-Id.
 * 2. the provider call, outside any transaction, with that request id (a repeat is the same capture);
 * 3. `finish` — a second short transaction under the same locks: settle (`settle()`), fail, or
 *    back to PENDING when the buyer can act (declined, not approved) or PayPal was unreachable.
 * A payment is CAPTURING only between 1 and 3; one left there by a crash is finished by `recover`
 * (the `recoverCardCaptures` sweep), which asks PayPal what happened.
 */
export class CardCaptures {
  /** Captures this process is making now, by payment: concurrent callers here await the same outcome. */
  private readonly inflight = new Map<string, Promise<UserError[]>>();

  constructor(private readonly app: App) {}

  /**
   * Step 1, in the caller's transaction with the payment locked: claims a PENDING, approved card
   * payment for capture. A settled or held payment needs nothing; one whose invoice went down
   * since the card page opened is CANCELLED with nothing charged.
   */
  async claim(tx: EntityManager, locked: LockedPayment, actor: Actor): Promise<Claim> {
    const { payment, invoice } = locked;
    const paymentId = payment.id;
    if (payment.method !== PaymentMethod.CARD) {
      throw new DomainError(UserErrorCode.NOT_A_CARD_PAYMENT, 'This payment is not a card payment.', ['input', 'paymentId']);
    }
    if (payment.status === PaymentStatus.SETTLED) return { kind: 'done', paymentId };
    if (payment.status === PaymentStatus.CAPTURING) return { kind: 'busy', paymentId };
    if (payment.status !== PaymentStatus.PENDING) {
      throw new DomainError(UserErrorCode.PAYMENT_NOT_PENDING, `This card payment is ${payment.status.toLowerCase()}: start a new payment.`, ['input', 'paymentId']);
    }
    if (payment.captureId) return { kind: 'done', paymentId }; // PayPal holds the capture; its webhook settles it
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
      return { kind: 'done', paymentId };
    }
    const requestId = payment.captureRequestId ?? `capture:${payment.id}`;
    await transitionPayment(tx, payment, PaymentStatus.CAPTURING, {
      actor,
      at,
      changes: { captureRequestId: requestId, captureStartedAt: at, captureStartedBy: claimant(actor) },
      data: { requestId },
    });
    return { kind: 'claimed', paymentId, providerOrderId: payment.providerOrderId, requestId };
  }

  /**
   * Steps 2 and 3 for a payment this caller claimed. Returns the userErrors the caller answers
   * (CARD_DECLINED, NOT_APPROVED, PAYMENT_PROVIDER_UNAVAILABLE), none when it settled, failed
   * for good or is held by PayPal. Callers in this process that find the payment CAPTURING can
   * await the same outcome (`inFlight`).
   */
  run(claim: Extract<Claim, { kind: 'claimed' }>, actor: Actor): Promise<UserError[]> {
    const attempt = (async () => this.finish(claim, await this.ask(claim), actor, { releaseOnRefusedCredentials: true }))();
    this.inflight.set(claim.paymentId, attempt);
    const forget = () => {
      if (this.inflight.get(claim.paymentId) === attempt) this.inflight.delete(claim.paymentId);
    };
    attempt.then(forget, forget);
    return attempt;
  }

  inFlight(paymentId: string): Promise<UserError[]> | undefined {
    return this.inflight.get(paymentId);
  }

  /**
   * Step 2: the capture at the provider, outside any transaction, with the claim's request id.
   * Anything but a CardProviderError (a bug, an unreadable answer) leaves the payment CAPTURING:
   * whether money was taken is unknown, and the recovery sweep asks PayPal.
   */
  private async ask(claim: Extract<Claim, { kind: 'claimed' }>): Promise<ProviderAnswer> {
    try {
      return { capture: await this.app.cardProvider.captureOrder({ providerOrderId: claim.providerOrderId, requestId: claim.requestId }) };
    } catch (error) {
      if (error instanceof CardProviderError && error.code !== 'UNEXPECTED_RESPONSE') return { error };
      this.app.log.error({ err: error, paymentId: claim.paymentId }, 'card capture ended without a readable answer; the recovery sweep will ask PayPal');
      throw error;
    }
  }

  /**
   * Step 3: a short transaction under the usual locks applies what the provider said. Only the
   * claim's own CAPTURING payment is moved by a refusal; a capture is applied from PENDING too
   * (webhook semantics), so money PayPal took is never dropped because someone else finished first.
   */
  private async finish(
    claim: Extract<Claim, { kind: 'claimed' }>,
    answer: ProviderAnswer,
    actor: Actor,
    options: { releaseOnRefusedCredentials: boolean },
  ): Promise<UserError[]> {
    let rethrow: Error | null = null;
    const userErrors = await inTransaction(this.app.ds, async (tx): Promise<UserError[]> => {
      const locked = await lockPayment(tx, this.app, SYSTEM_ACCESS, claim.paymentId);
      if ('capture' in answer) {
        await this.applyCapture(tx, locked, answer.capture, actor);
        return [];
      }
      const { payment } = locked;
      const { error } = answer;
      if (payment.status !== PaymentStatus.CAPTURING || payment.captureRequestId !== claim.requestId) return []; // finished by someone else
      const at = this.app.clock.now();
      const release = (renew: boolean) =>
        transitionPayment(tx, payment, PaymentStatus.PENDING, {
          actor,
          at,
          // A definitive refusal may be cached by PayPal under its request id: the next attempt needs a new one.
          changes: renew ? { captureRequestId: nextRequestId(claim.requestId) } : {},
          data: { reason: error.code, requestId: claim.requestId },
        });
      switch (error.code) {
        case 'ORDER_CLOSED':
        case 'NOT_FOUND':
          await transitionPayment(tx, payment, PaymentStatus.FAILED, {
            actor,
            at,
            changes: { failureReason: 'The PayPal payment expired or was voided; nothing was charged. Pay again.' },
            data: { reason: error.code },
          });
          return [];
        case 'DECLINED':
        case 'NOT_APPROVED':
          await release(true);
          return refusal(error, this.app, payment.id);
        case 'UNAVAILABLE':
          // Unknown whether PayPal took the money: the payment stays CAPTURING (money on its way,
          // so nothing can replace or cancel it) until the recovery sweep has asked PayPal.
          return refusal(error, this.app, payment.id);
        case 'AUTH_FAILED':
          // PayPal refused our credentials: nothing was charged, the buyer may try again later.
          if (options.releaseOnRefusedCredentials) await release(false);
          return refusal(error, this.app, payment.id);
        default:
          // INVALID_REQUEST: PayPal refused our request (a bug); nothing was captured.
          await release(true);
          rethrow = error;
          return [];
      }
    });
    if (rethrow) throw rethrow;
    return userErrors;
  }

  /**
   * Applies a capture's outcome to the locked payment, once: only a PENDING or CAPTURING payment
   * moves, and a second delivery of the same capture finds it SETTLED and changes nothing.
   */
  async applyCapture(tx: EntityManager, locked: LockedPayment, capture: CaptureFacts, actor: Actor): Promise<void> {
    const { payment } = locked;
    if (payment.status !== PaymentStatus.PENDING && payment.status !== PaymentStatus.CAPTURING) {
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
      // Captured but held by PayPal (review): money on its way, settled by the later webhook.
      if (payment.status === PaymentStatus.CAPTURING) {
        await transitionPayment(tx, payment, PaymentStatus.PENDING, { actor, at, changes: { captureId: capture.captureId }, data: { captureId: capture.captureId, held: true } });
      } else {
        if (payment.captureId) return;
        await tx.getRepository(Payment).update({ id: payment.id, status: PaymentStatus.PENDING }, { captureId: capture.captureId });
        payment.captureId = capture.captureId;
      }
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

  /**
   * The recovery sweep: payments CAPTURING for over a minute (the process died between the
   * steps, or its call never ended) are re-claimed in a short transaction (SKIP LOCKED, so
   * several processes share the work), then PayPal is asked about the order: captured →
   * settled (or failed, or held, as the capture says); approved but not captured → captured now
   * with the same request id; voided or unknown → FAILED; not approved → back to PENDING.
   * PayPal unreachable: left CAPTURING, tried again next minute. Returns how many it finished.
   */
  async recover(now: Date): Promise<number> {
    const staleBefore = new Date(now.getTime() - CAPTURE_RECOVERY_AFTER_MS);
    let finished = 0;
    for (;;) {
      const batch = await inTransaction(this.app.ds, async (tx) => {
        const rows: { id: string; provider_order_id: string; capture_request_id: string }[] = await tx.query(
          `SELECT id, provider_order_id, capture_request_id FROM payment
            WHERE status = 'CAPTURING' AND capture_started_at <= $1
            ORDER BY capture_started_at, id LIMIT ${RECOVERY_BATCH} FOR UPDATE SKIP LOCKED`,
          [staleBefore],
        );
        // Re-stamped while locked: another process's sweep leaves them alone for the next minute.
        // Only payment rows are locked here, and SKIP LOCKED never waits: the lock order is not at stake.
        if (rows.length) {
          await tx.query(`UPDATE payment SET capture_started_at = $2, capture_started_by = $3, updated_at = now() WHERE id = ANY($1::uuid[])`, [
            rows.map((r) => r.id),
            now,
            claimant(SYSTEM, 'recovery'),
          ]);
        }
        return rows;
      });
      for (const row of batch) {
        const claim = { kind: 'claimed' as const, paymentId: row.id, providerOrderId: row.provider_order_id, requestId: row.capture_request_id };
        try {
          if (await this.recoverOne(claim)) finished++;
        } catch (error) {
          this.app.log.error({ err: error, paymentId: row.id }, 'card capture recovery failed; tried again next minute');
        }
      }
      if (batch.length < RECOVERY_BATCH) return finished;
    }
  }

  private async recoverOne(claim: Extract<Claim, { kind: 'claimed' }>): Promise<boolean> {
    const log = this.app.log.child({ paymentId: claim.paymentId, providerOrderId: claim.providerOrderId });
    let answer: ProviderAnswer;
    try {
      const order = await this.app.cardProvider.getOrder(claim.providerOrderId);
      if (order.capture) answer = { capture: order.capture };
      else if (order.status === 'APPROVED') answer = await this.ask(claim); // the crashed call may never have reached PayPal
      else if (order.status === 'VOIDED') answer = { error: new CardProviderError('ORDER_CLOSED', 'PayPal order voided') };
      else if (order.status === 'COMPLETED') {
        log.error('PayPal order completed without a capture; left CAPTURING for staff');
        return false;
      } else answer = { error: new CardProviderError('NOT_APPROVED', `PayPal order ${order.status}`) };
    } catch (error) {
      if (!(error instanceof CardProviderError)) throw error;
      answer = { error };
    }
    if ('error' in answer && ['UNAVAILABLE', 'AUTH_FAILED', 'UNEXPECTED_RESPONSE'].includes(answer.error.code)) {
      log.warn({ err: answer.error }, 'card capture recovery: no usable answer from PayPal, tried again next minute');
      return false;
    }
    const attempt = this.finish(claim, answer, SYSTEM, { releaseOnRefusedCredentials: false });
    this.inflight.set(claim.paymentId, attempt);
    try {
      await attempt;
    } finally {
      if (this.inflight.get(claim.paymentId) === attempt) this.inflight.delete(claim.paymentId);
    }
    log.info({ outcome: 'capture' in answer ? answer.capture.status : answer.error.code }, 'card capture recovered');
    return true;
  }
}

/** Who claimed a capture, for `capture_started_by` (the timeline has the actor too). */
function claimant(actor: Actor, why?: string): string {
  return `${actor.role}${actor.id ? ` ${actor.id}` : ''}${why ? ` (${why})` : ''} @ ${PROCESS}`.slice(0, 200);
}

/** capture:<id> → capture:<id>:2 → capture:<id>:3 … */
export function nextRequestId(requestId: string): string {
  const match = /^(capture:[^:]+)(?::(\d+))?$/.exec(requestId);
  return match ? `${match[1]}:${Number(match[2] ?? 1) + 1}` : `${requestId}:2`;
}

/** Provider failures the customer can act on, as userErrors. */
function refusal(error: CardProviderError, app: App, paymentId: string): UserError[] {
  const field = ['input', 'paymentId'];
  switch (error.code) {
    case 'DECLINED':
      return [{ code: UserErrorCode.CARD_DECLINED, field, message: 'The card was declined. Open the approval page again to pay with another card.' }];
    case 'NOT_APPROVED':
      return [{ code: UserErrorCode.NOT_APPROVED, field, message: 'The payment has not been approved at PayPal yet. Open the approval page first.' }];
    default:
      if (error.code === 'AUTH_FAILED') app.log.error({ err: error, paymentId }, 'PayPal refused our credentials');
      return [{ code: UserErrorCode.PAYMENT_PROVIDER_UNAVAILABLE, field, message: 'The card payment service cannot be reached. We will confirm the payment with it within a few minutes; you will not be charged twice.' }];
  }
}
