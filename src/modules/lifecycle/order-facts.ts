import type { EntityManager } from 'typeorm';
import type { DeliveryProblemKind } from '../delivery-problems/delivery-problem.entity';
import { ItemExchangeStatus } from '../warehouse/return-request-state';

/**
 * What other modules hold about an order that decides who may do what next: read in one
 * statement for any number of orders, by `availableActions` (through a loader) and by the
 * mutations under the order's lock, so both apply the same rules to the same facts.
 */
export interface OrderFacts {
  /** A cancellation request waits for staff. */
  cancellationPending: boolean;
  /** Items with a seller question the customer asked and staff have not answered. */
  sellerQuestionItemIds: string[];
  /** Exchanges and returns in progress. */
  openReturns: { itemId: string; status: ItemExchangeStatus }[];
  /** In a combined parcel: ships only with its group. */
  grouped: boolean;
  /** The delivery problem staff are working on (at most one per order). */
  openDeliveryProblem: { id: string; kind: DeliveryProblemKind } | null;
  /** Seller's price rises waiting for the customer (the item is not bought meanwhile). */
  pendingPriceChanges: { id: string; itemId: string; invoiceId: string | null; status: string }[];
}

export const ORDER_FACTS_SQL = `
  SELECT o.id,
    EXISTS (SELECT 1 FROM cancellation_request c WHERE c.order_id = o.id AND c.status = 'PENDING') AS cancellation_pending,
    ARRAY(SELECT DISTINCT q.item_id FROM message q WHERE q.order_id = o.id AND q.ask_seller_before_purchase AND q.answered_at IS NULL AND q.item_id IS NOT NULL) AS question_items,
    coalesce((SELECT json_agg(json_build_object('itemId', r.item_id, 'status', r.status)) FROM item_return_request r
               WHERE r.order_id = o.id AND r.status IN ('REQUESTED', 'SELLER_ACCEPTED')), '[]'::json) AS open_returns,
    EXISTS (SELECT 1 FROM shipment_group_order g WHERE g.order_id = o.id) AS grouped,
    (SELECT json_build_object('id', p.id, 'kind', p.kind) FROM delivery_problem p WHERE p.order_id = o.id AND p.status = 'OPEN') AS open_problem,
    coalesce((SELECT json_agg(json_build_object('id', c.id, 'itemId', c.item_id, 'invoiceId', c.invoice_id, 'status', c.status) ORDER BY c.seq) FROM price_change c
               WHERE c.order_id = o.id AND c.status IN ('AWAITING_RESPONSE', 'ACCEPTED')), '[]'::json) AS price_changes
  FROM unnest($1::uuid[]) AS o(id)`;

interface FactsRow {
  id: string;
  cancellation_pending: boolean;
  question_items: string[];
  open_returns: { itemId: string; status: ItemExchangeStatus }[];
  grouped: boolean;
  open_problem: { id: string; kind: DeliveryProblemKind } | null;
  price_changes: OrderFacts['pendingPriceChanges'];
}

export async function loadOrderFacts(db: Pick<EntityManager, 'query'>, orderIds: readonly string[]): Promise<OrderFacts[]> {
  const rows: FactsRow[] = await db.query(ORDER_FACTS_SQL, [[...orderIds]]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return orderIds.map((id) => {
    const r = byId.get(id)!;
    return { cancellationPending: r.cancellation_pending, sellerQuestionItemIds: r.question_items, openReturns: r.open_returns, grouped: r.grouped, openDeliveryProblem: r.open_problem, pendingPriceChanges: r.price_changes };
  });
}
