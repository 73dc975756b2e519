import { StaffQueue } from '../modules/orders/order.inputs';
import type { QueueConditions } from '../modules/orders/order-query.service';

/**
 * The staff queues that are not a plain order status, each a condition on the order (alias `o`)
 * over the rows of the module that owns the fact, composed here above the modules. Each reads a
 * partial index holding only the rows in its queue (docs/architecture.md, docs/benchmarks.md).
 */
export const STAFF_QUEUES: QueueConditions = {
  // Payments: a reported transfer to confirm.
  [StaffQueue.TRANSFER_CONFIRMATION]: {
    sql: `EXISTS (SELECT 1 FROM payment p WHERE p.order_id = o.id AND p.status = 'REPORTED')`,
  },
  // Messaging: facts on the order row (kept by messageWritten and orderClosed), each with a partial
  // index holding only the orders in its queue, in the queue's order: a page reads a page of rows.
  [StaffQueue.UNANSWERED_MESSAGE]: {
    sql: 'o.awaiting_reply_since IS NOT NULL',
    orderBy: { column: 'o.awaiting_reply_since', key: (order) => order.awaitingReplySince! },
  },
  [StaffQueue.SELLER_QUESTION]: {
    sql: 'o.seller_question_since IS NOT NULL',
    orderBy: { column: 'o.seller_question_since', key: (order) => order.sellerQuestionSince! },
  },
  // Seed 001: staff set a deadline ("no reply by then and the order is cancelled") that passed
  // without a reply. Read from message_open_reply_deadline_idx: only deadlines still counting.
  [StaffQueue.REPLY_OVERDUE]: {
    sql: `EXISTS (SELECT 1 FROM message d WHERE d.order_id = o.id AND d.author_side = 'STAFF' AND d.reply_deadline_closed_at IS NULL AND d.reply_deadline <= :replyDueBy)`,
    params: (now) => ({ replyDueBy: now }),
  },
  // Cancellations: read from cancellation_request_pending_key (PENDING rows only), however many were ever decided.
  [StaffQueue.CANCELLATION_REQUEST]: {
    sql: `EXISTS (SELECT 1 FROM cancellation_request c WHERE c.order_id = o.id AND c.status = 'PENDING')`,
  },
  // Delivery problems: read from delivery_problem_open_key (OPEN rows only).
  [StaffQueue.DELIVERY_PROBLEM]: {
    sql: `EXISTS (SELECT 1 FROM delivery_problem p WHERE p.order_id = o.id AND p.status = 'OPEN')`,
  },
  // Price changes: the few waiting changes first (their partial indexes), then their orders by key.
  [StaffQueue.PRICE_CHANGE_RESPONSE]: {
    sql: `o.id IN (SELECT c.order_id FROM price_change c WHERE c.status IN ('AWAITING_RESPONSE', 'ACCEPTED'))`,
  },
};
