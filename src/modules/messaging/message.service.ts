import { IsNull, type EntityManager } from 'typeorm';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { DomainError, UserErrorCode } from '../../common/errors';
import { isUuid } from '../../common/ids';
import { mutation, type Payload } from '../../common/transaction';
import { assertValid } from '../../common/validation';
import { Attachment, AttachmentPurpose } from '../attachments/attachment.entity';
import { discardStoredAttachments, storeUploads, type StoredAttachment } from '../attachments/upload-intake';
import { OrderItem } from '../orders/order-item.entity';
import type { Order } from '../orders/order.entity';
import { OrderStatus } from '../orders/order-state';
import { actorOf, recordEvent } from '../orders/order-events';
import type { OrderAccess } from '../orders/order.service';
import { Message, MessageSide } from './message.entity';
import type { MessageSendInput } from './message.inputs';
import { MESSAGING_DAYS_AFTER_CLOSE, refuseMessage, refuseSellerQuestion } from './messaging-rules';
import { addDays } from '../../common/clock';

/**
 * For features that are a message plus a record of their own (an exchange request, say):
 * `check` runs with the rules, before any file is stored; `within` runs in the message's own
 * transaction, so the record and the message (and its files) are written all or nothing.
 */
export interface SendHooks<X> {
  check?: (tx: EntityManager) => Promise<unknown>;
  within?: (tx: EntityManager, message: Message) => Promise<X>;
}

export function sideOf(access: OrderAccess): MessageSide {
  return isStaff(access.viewer) ? MessageSide.STAFF : MessageSide.CUSTOMER;
}

export class MessageService {
  constructor(private readonly app: App) {}

  /**
   * A finished order's thread closes 30 days after it ended (`refuseMessage`): a customer message
   * still unanswered then can no longer be answered here (the customer is sent to the contact
   * form), so the order leaves UNANSWERED_MESSAGE instead of waiting there for ever. Reads only
   * the queue's rows (its partial index). Returns how many left.
   */
  async leaveClosedThreads(now: Date): Promise<number> {
    const [, count] = await this.app.ds.query(
      `UPDATE customer_order SET awaiting_reply_since = NULL
        WHERE awaiting_reply_since IS NOT NULL AND status IN ('COMPLETED', 'CANCELLED') AND coalesce(completed_at, cancelled_at) < $1`,
      [addDays(now, -MESSAGING_DAYS_AFTER_CLOSE)],
    );
    return Number(count ?? 0);
  }

  /**
   * The order was completed or cancelled: its reply deadlines stop counting (nothing is left to
   * cancel for a missing reply), and it leaves the UNANSWERED_MESSAGE and SELLER_QUESTION queues
   * (closing the order answers what was pending, and an open seller question is moot). A
   * customer message while the thread stays open puts it back in UNANSWERED_MESSAGE.
   */
  async orderClosed(tx: EntityManager, order: Order, at: Date): Promise<void> {
    await this.closeReplyDeadlines(tx, order.id, at);
    await tx.query(`UPDATE customer_order SET awaiting_reply_since = NULL, seller_question_since = NULL WHERE id = $1`, [order.id]);
    Object.assign(order, { awaitingReplySince: null, sellerQuestionSince: null });
  }

  /**
   * Keeps the order's queue facts after a message, in its transaction: a customer message starts
   * the wait for a reply (unless one is already waiting), a seller question the wait for its
   * answer; any staff message is the reply, and one answering seller questions leaves the
   * order waiting only for the oldest question still open, if any.
   */
  private async messageWritten(tx: EntityManager, order: Order, message: Message, answered: number): Promise<void> {
    const customer = message.authorSide === MessageSide.CUSTOMER;
    const [[row]]: [{ awaiting_reply_since: Date | null; seller_question_since: Date | null }[], number] = await tx.query(
      customer
        ? `UPDATE customer_order SET awaiting_reply_since = coalesce(awaiting_reply_since, $2),
             seller_question_since = CASE WHEN $3 THEN coalesce(seller_question_since, $2) ELSE seller_question_since END
            WHERE id = $1 RETURNING awaiting_reply_since, seller_question_since`
        : `UPDATE customer_order SET awaiting_reply_since = NULL,
             seller_question_since = CASE WHEN $2 THEN (SELECT min(q.created_at) FROM message q WHERE q.order_id = $1 AND q.ask_seller_before_purchase AND q.answered_at IS NULL)
                                          ELSE seller_question_since END
            WHERE id = $1 RETURNING awaiting_reply_since, seller_question_since`,
      customer ? [order.id, message.createdAt, message.askSellerBeforePurchase] : [order.id, answered > 0],
    );
    Object.assign(order, { awaitingReplySince: row.awaiting_reply_since, sellerQuestionSince: row.seller_question_since });
  }

  /** The order's reply deadlines stop counting (the customer replied, a newer one was set, or the order ended). */
  async closeReplyDeadlines(tx: EntityManager, orderId: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE message SET reply_deadline_closed_at = $2 WHERE order_id = $1 AND author_side = 'STAFF' AND reply_deadline IS NOT NULL AND reply_deadline_closed_at IS NULL`,
      [orderId, at],
    );
  }

  /**
   * Sends a message with up to 3 files, all or nothing. The rules are checked first (so a
   * refused message uploads nothing), the files are then streamed to storage outside the
   * transaction (it is never held open during an upload), and the message and its file rows
   * are written in one transaction that checks the rules again under the order's lock. If
   * that transaction refuses or fails, the stored files are deleted again.
   */
  async send<X extends object = object>(access: OrderAccess, input: MessageSendInput, hooks: SendHooks<X> = {}): Promise<Payload<{ message: Message } & X>> {
    const precheck = await mutation(this.app.ds, async (tx) => {
      await this.check(tx, access, input);
      await hooks.check?.(tx);
      return {};
    });
    if (precheck.userErrors.length) return precheck;

    let stored: StoredAttachment[];
    try {
      stored = await storeUploads(this.app.storage, input.files, { field: ['input', 'files'], purpose: AttachmentPurpose.MESSAGE, log: this.app.log });
    } catch (error) {
      // A refused file: nothing was stored (the intake cleans up after itself).
      if (error instanceof DomainError) return { userErrors: error.errors } as Payload<{ message: Message } & X>;
      throw error;
    }
    const discard = () => discardStoredAttachments(this.app.storage, stored.map((s) => s.storageKey), this.app.log);
    try {
      const result = await mutation(this.app.ds, async (tx) => {
        const message = await this.write(tx, access, input, stored);
        const extra = hooks.within ? await hooks.within(tx, message) : ({} as X);
        return { ...extra, message };
      });
      if (result.userErrors.length) await discard();
      return result;
    } catch (error) {
      await discard();
      throw error;
    }
  }

  /** The order (locked) and the item the message is about, after every rule has passed. */
  private async check(tx: EntityManager, access: OrderAccess, input: MessageSendInput): Promise<{ order: Order; item: OrderItem | null }> {
    await assertValid(input);
    const order = await this.app.orders.lockVisible(tx, access, input.orderId);
    const refusal = refuseMessage(order, this.app.clock.now());
    if (refusal) throw refusal;
    let item: OrderItem | null = null;
    if (input.itemId) {
      item = isUuid(input.itemId) ? await tx.getRepository(OrderItem).findOneBy({ id: input.itemId, orderId: order.id }) : null;
      if (!item) throw new DomainError(UserErrorCode.NOT_FOUND, 'No such item on this order.', ['input', 'itemId']);
    }
    const side = sideOf(access);
    if (input.askSellerBeforePurchase) {
      if (side === MessageSide.STAFF) throw new DomainError(UserErrorCode.INVALID, 'Only the customer asks seller questions; answer them in the thread.', ['input', 'askSellerBeforePurchase']);
      const sellerRefusal = refuseSellerQuestion(item);
      if (sellerRefusal) throw sellerRefusal;
    }
    if (input.replyDeadline) {
      if (side !== MessageSide.STAFF) throw new DomainError(UserErrorCode.INVALID, 'Only staff set reply deadlines.', ['input', 'replyDeadline']);
      if (input.replyDeadline.getTime() <= this.app.clock.now().getTime()) throw new DomainError(UserErrorCode.INVALID, 'A reply deadline must be in the future.', ['input', 'replyDeadline']);
      if (order.status === OrderStatus.COMPLETED || order.status === OrderStatus.CANCELLED) {
        throw new DomainError(UserErrorCode.INVALID, `The order is ${order.status.toLowerCase()}: there is nothing left to cancel for a missing reply.`, ['input', 'replyDeadline']);
      }
    }
    return { order, item };
  }

  private async write(tx: EntityManager, access: OrderAccess, input: MessageSendInput, stored: StoredAttachment[]): Promise<Message> {
    const { order, item } = await this.check(tx, access, input);
    const now = this.app.clock.now();
    const side = sideOf(access);
    const actor = actorOf(access.viewer);
    const repo = tx.getRepository(Message);
    // A customer's message answers the open deadlines; a new deadline replaces the earlier ones.
    if (side === MessageSide.CUSTOMER || input.replyDeadline) await this.closeReplyDeadlines(tx, order.id, now);
    const message = repo.create({
      orderId: order.id,
      itemId: item?.id ?? null,
      authorSide: side,
      authorId: access.viewer?.id ?? null,
      // Staff write as the operator; customers by their own (or the recipient's) name.
      authorName: side === MessageSide.STAFF ? `${access.viewer!.name} (staff)` : (access.viewer?.name ?? order.deliveryAddress.recipient),
      title: input.title.trim(),
      body: input.body.trim(),
      askSellerBeforePurchase: input.askSellerBeforePurchase,
      replyDeadline: input.replyDeadline ?? null,
      createdAt: now,
    });
    await repo.insert(message);
    if (stored.length) {
      await tx.getRepository(Attachment).insert(
        stored.map((s, position) => ({ ...s, orderId: order.id, messageId: message.id, itemId: item?.id ?? null, purpose: AttachmentPurpose.MESSAGE, position })),
      );
    }
    let answered = 0;
    if (side === MessageSide.STAFF && item) {
      // A staff message about an item answers that item's open seller questions.
      const result = await repo.update(
        { orderId: order.id, itemId: item.id, askSellerBeforePurchase: true, answeredAt: IsNull() },
        { answeredAt: now, answerMessageId: message.id },
      );
      answered = result.affected ?? 0;
    }
    await this.messageWritten(tx, order, message, answered);
    const type = input.askSellerBeforePurchase ? 'SELLER_QUESTION_ASKED' : answered ? 'SELLER_QUESTION_ANSWERED' : 'MESSAGE_SENT';
    await recordEvent(tx, { orderId: order.id, itemId: item?.id ?? null, type, actor, at: now, data: { messageId: message.id, files: stored.length } });
    return message;
  }

  /** Marks the other side's messages in this thread as read, up to now. */
  async markRead(tx: EntityManager, access: OrderAccess, orderId: string): Promise<number> {
    const order = await this.app.orders.lockVisible(tx, access, orderId);
    const other = sideOf(access) === MessageSide.STAFF ? MessageSide.CUSTOMER : MessageSide.STAFF;
    const result = await tx.getRepository(Message).update({ orderId: order.id, authorSide: other, readAt: IsNull() }, { readAt: this.app.clock.now() });
    return result.affected ?? 0;
  }
}
