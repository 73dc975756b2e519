import { isStaff } from '../../app/auth-checker';
import type { Account } from '../accounts/account.entity';
import { refuseDeliveryProblemReport, refuseDeliveryProblemResolution } from '../delivery-problems/delivery-problem-rules';
import type { Invoice } from '../invoices/invoice.entity';
import { refuseInvoicePayment } from '../invoices/invoice-money';
import type { OrderFacts } from '../lifecycle/order-facts';
import { refuseMessage, refuseSellerQuestion } from '../messaging/messaging-rules';
import { refuseExchangeRequest } from '../warehouse/return-request-rules';
import { ItemExchangeStatus } from '../warehouse/return-request-state';
import type { OrderItem } from './order-item.entity';
import type { Order } from './order.entity';
import { ItemStatus } from './order-state';
import {
  refuseAddressChange, refuseCancellationRequest, refuseCustomerCancel, refuseItemChange, refuseQuote, refuseReceiptReport, refuseSecondInvoice, refuseShipment,
  refuseStaffCancel, type FirstPaymentState,
} from './order-rules';
import { ItemAction, OrderAction } from './order.types';

/** What the payments module knows that the actions depend on (built by payments/payment-actions.ts). */
export interface OrderPaymentState {
  /** A bank transfer of this order was chosen and awaits the customer's report. */
  transferToReport: boolean;
  /** A reported transfer awaits staff confirmation. */
  transferReported: boolean;
  secondInvoice: Invoice | null;
  /** Money for the second invoice is on its way (a reported transfer, a held card capture). */
  secondPending: boolean;
  /** Price rises' invoices, each with whether money for it is on its way. */
  additional: { invoice: Invoice; pending: boolean }[];
}

/**
 * What the viewer may do now, from the very rules the mutations enforce (order-rules.ts and
 * the rules next to each mutation): a client never shows a button that fails, and the
 * lifecycle model test (test/lifecycle-model.test.ts) takes every action offered.
 * `viewer` is null for a guest, who may do what the customer may.
 */
export function orderActions(
  viewer: Account | null, order: Order, items: OrderItem[], pay: FirstPaymentState, now: Date, payments: OrderPaymentState, facts: OrderFacts,
): OrderAction[] {
  const actions: OrderAction[] = [];
  const offer = (action: OrderAction, when: boolean) => when && actions.push(action);
  const messaging = !refuseMessage(order, now);
  if (isStaff(viewer)) {
    offer(OrderAction.QUOTE, !refuseQuote(order));
    offer(OrderAction.CONFIRM_TRANSFER, payments.transferReported);
    const repricing = facts.pendingPriceChanges.map((c) => c.itemId);
    offer(OrderAction.CHANGE_ITEM_PRICE, items.some((i) => i.status === ItemStatus.PURCHASING && !repricing.includes(i.id)));
    offer(OrderAction.PURCHASE_ITEM, items.some((i) => i.status === ItemStatus.PURCHASING && !facts.sellerQuestionItemIds.includes(i.id) && !repricing.includes(i.id)));
    offer(OrderAction.MARK_UNAVAILABLE, items.some((i) => i.status === ItemStatus.PURCHASING));
    offer(OrderAction.MARK_ARRIVED, items.some((i) => i.status === ItemStatus.PURCHASED));
    offer(OrderAction.ISSUE_SECOND_INVOICE, !refuseSecondInvoice(order, facts));
    offer(OrderAction.SHIP, !refuseShipment(order, facts));
    offer(OrderAction.DECIDE_CANCELLATION, facts.cancellationPending);
    offer(OrderAction.DECIDE_EXCHANGE, facts.openReturns.some((r) => r.status === ItemExchangeStatus.REQUESTED));
    offer(OrderAction.COMPLETE_EXCHANGE, facts.openReturns.some((r) => r.status === ItemExchangeStatus.SELLER_ACCEPTED));
    offer(OrderAction.ANSWER_SELLER_QUESTION, messaging && facts.sellerQuestionItemIds.length > 0);
    offer(OrderAction.REPORT_DELIVERY_PROBLEM, !refuseDeliveryProblemReport(order, facts));
    offer(OrderAction.RESOLVE_DELIVERY_PROBLEM, !refuseDeliveryProblemResolution(facts));
    offer(OrderAction.CANCEL_BY_STAFF, !refuseStaffCancel(order, pay));
  } else {
    offer(OrderAction.PAY_FIRST_INVOICE, Boolean(pay.invoice) && !refuseInvoicePayment(order, pay.invoice!, pay.pending));
    offer(OrderAction.REPORT_BANK_TRANSFER, payments.transferToReport);
    // Accepting a rise waiting for an answer always works; declining needs no money on its way.
    const onItsWay = (invoiceId: string | null) => payments.additional.some((a) => a.invoice.id === invoiceId && a.pending);
    offer(OrderAction.RESPOND_PRICE_CHANGE, facts.pendingPriceChanges.some((c) => c.status === 'AWAITING_RESPONSE' || !onItsWay(c.invoiceId)));
    offer(OrderAction.PAY_ADDITIONAL_INVOICE, payments.additional.some((a) => !refuseInvoicePayment(order, a.invoice, a.pending)));
    offer(OrderAction.PAY_SECOND_INVOICE, Boolean(payments.secondInvoice) && !refuseInvoicePayment(order, payments.secondInvoice!, payments.secondPending));
    offer(OrderAction.CANCEL_ORDER, !refuseCustomerCancel(order, pay));
    offer(OrderAction.REQUEST_CANCELLATION, !refuseCancellationRequest(order, pay, false, facts.cancellationPending));
    offer(OrderAction.REPORT_RECEIPT, !refuseReceiptReport(order));
    offer(OrderAction.REPORT_PROBLEM, messaging && !refuseDeliveryProblemReport(order, facts));
    offer(OrderAction.ASK_SELLER, messaging && items.some((item) => !refuseSellerQuestion(item)));
  }
  offer(OrderAction.CHANGE_ITEMS, items.some((item) => !refuseItemChange(order, item, pay)));
  offer(OrderAction.CHANGE_DELIVERY_ADDRESS, !refuseAddressChange(order));
  offer(OrderAction.SEND_MESSAGE, messaging);
  return actions;
}

/** `openReturnRequest`: the item has an exchange/return in progress (unknown when left out). */
export function itemActions(viewer: Account | null, order: Order, item: OrderItem, pay: FirstPaymentState, now: Date, openReturnRequest?: boolean): ItemAction[] {
  const actions = refuseItemChange(order, item, pay) ? [] : [ItemAction.CHANGE_QUANTITY, ItemAction.CANCEL_ITEM];
  if (!isStaff(viewer) && !refuseMessage(order, now) && !refuseSellerQuestion(item)) actions.push(ItemAction.ASK_SELLER);
  if (!isStaff(viewer) && !refuseExchangeRequest(order, item, openReturnRequest)) actions.push(ItemAction.REQUEST_EXCHANGE, ItemAction.REQUEST_RETURN);
  return actions;
}
