import type { App } from '../../app/app';
import { StateMachine } from '../../common/state-machine';
import { recordEvent } from '../orders/order-events';
import { PriceChange } from './price-change.entity';
import type { PriceChangeMove } from './price-change.service';
import { PRICE_CHANGE_TRANSITIONS, PriceChangeStatus } from './price-change-state';

/**
 * A price change's lifecycle (AWAITING_RESPONSE → ACCEPTED → APPLIED, or DECLINED / WITHDRAWN).
 * The caller holds the order's lock and the row's. Entering APPLIED gives the item its new
 * prices (a fall: the difference refunded); entering DECLINED cancels the item, whose own hooks
 * refund what was paid for it and void the additional invoice.
 */
export function priceChangeMachine(app: App) {
  return new StateMachine<PriceChange, PriceChangeStatus, PriceChangeMove>({
    name: 'price change',
    entity: PriceChange,
    table: PRICE_CHANGE_TRANSITIONS,
    stamp: (_change, _to, move) => ({ decidedAt: move.at }),
    record: (tx, change, from, to, move) =>
      recordEvent(tx, {
        orderId: change.orderId, itemId: change.itemId, type: `PRICE_CHANGE_${to}`, actor: move.actor, at: move.at, from, to,
        data: { priceChangeId: change.id, invoiceId: change.invoiceId, difference: change.differenceMinor.toString(), ...move.data },
      }),
    onEnter: {
      APPLIED: (tx, change, move) => app.priceChanges.applied(tx, change, move),
      DECLINED: (tx, change, move) => app.priceChanges.declined(tx, change, move),
    },
    notes: {
      onEnter: {
        APPLIED: 'the item takes the new unit price and China shipping; a fall refunds the difference from the first invoice (`refundTo`)',
        DECLINED: 'the item → CANCELLED (`PRICE_CHANGE_DECLINED`): its hooks refund what was paid for it (first and additional invoices) and void the additional invoice',
      },
    },
  });
}
