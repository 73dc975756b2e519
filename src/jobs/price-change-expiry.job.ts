import type { App } from '../app/app';

/**
 * A seller's price rise not accepted and paid by its due date (PRICE_CHANGE_DUE_DAYS) is
 * declined: the item is cancelled and what was paid for it refunded, through the same
 * transition as the customer's own decline. Not while money for it is on its way.
 */
export function declinePriceChangesPastDue(app: App, now: Date): Promise<number> {
  return app.priceChanges.declinePastDue(now);
}
