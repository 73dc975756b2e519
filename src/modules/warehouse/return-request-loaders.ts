import type { Context } from '../../app/context';
import { groupBy } from '../../app/loaders';
import type { ItemReturnRequest } from './return-request.entity';
import { OPEN_EXCHANGE_STATUSES } from './return-request-state';

/** Every exchange/return request of the item, oldest first; one query per request for all items. */
export function returnRequestsOf(ctx: Context, itemId: string): Promise<ItemReturnRequest[]> {
  return ctx.loaders
    .get<string, ItemReturnRequest[]>('item.returnRequests', async (ids) => groupBy(ids, await ctx.app.itemReturns.forItems(ids), (r) => r.itemId))
    .load(itemId);
}

/** Whether the item has an exchange or return in progress (for `availableActions`). */
export async function hasOpenReturnRequest(ctx: Context, itemId: string): Promise<boolean> {
  return (await returnRequestsOf(ctx, itemId)).some((r) => OPEN_EXCHANGE_STATUSES.includes(r.status));
}
