import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { autoCancelUnpaid } from '../../src/jobs/auto-cancel.job';
import { autoCompleteShipped } from '../../src/jobs/auto-complete.job';
import { declinePriceChangesPastDue } from '../../src/jobs/price-change-expiry.job';
import type { TestGateway } from './gateway';
import { Role as AccountRole } from '../../src/modules/accounts/account.entity';
import { accountMadeDirectly, creditDeposit, itemInput, submitOrder, type Actor } from './builders';

/**
 * The order lifecycle as a model-based test (issue 11): random sequences of customer, guest,
 * staff and clock steps through the real GraphQL endpoint. Every action the generator can take
 * is in `ACTIONS`, keyed by the `OrderAction` it stands for, so an action added to the API and
 * offered in `availableActions` without a step here fails `everyOfferedActionIsModelled`.
 */

export type Role = 'customer' | 'staff';
const GUEST_PHONE = '080-9999-0000';

export interface ModelOrder {
  id: string;
  orderNumber: string;
  /** A guest order: the customer's steps are taken as a guest (order number + phone). */
  guest: boolean;
}

export interface World {
  gw: TestGateway;
  clerk: Actor;
  owner: Actor;
  orders: ModelOrder[];
  steps: string[];
}

/** What each role sees of an order: the same fields a client screen reads. */
const FIELDS = `id status availableActions
  items { id status quantity purchasedQuantity availableActions unitPrice { amount } }
  firstInvoice { id status amountDue { amount } payments { id method status amount { amount } } }
  additionalInvoices { id status amountDue { amount } payments { id method status amount { amount } } }
  priceChanges { id status itemId invoice { id } }
  secondInvoice { id status amountDue { amount } payments { id method status amount { amount } } }
  cancellationRequests { id status }
  deliveryProblems { id status }`;

export interface View {
  id: string;
  status: string;
  availableActions: string[];
  items: { id: string; status: string; quantity: number; purchasedQuantity: number | null; availableActions: string[]; unitPrice: { amount: string } | null }[];
  firstInvoice: InvoiceView | null;
  additionalInvoices: InvoiceView[];
  priceChanges: { id: string; status: string; itemId: string; invoice: { id: string } | null }[];
  secondInvoice: InvoiceView | null;
  cancellationRequests: { id: string; status: string }[];
  deliveryProblems: { id: string; status: string }[];
}
interface InvoiceView {
  id: string;
  status: string;
  amountDue: { amount: string };
  payments: { id: string; method: string; status: string; amount: { amount: string } }[];
}

export const TERMINAL = ['COMPLETED', 'CANCELLED'];

export async function view(world: World, order: ModelOrder, role: Role): Promise<View> {
  const res =
    role === 'customer' && order.guest
      ? await world.gw.gql(`query($n: String!, $p: String!) { o: guestOrder(orderNumber: $n, phone: $p) { ${FIELDS} } }`, { n: order.orderNumber, p: GUEST_PHONE })
      : await world.gw.gql(`query($id: ID!) { o: order(id: $id) { ${FIELDS} } }`, { id: order.id }, { token: (role === 'staff' ? world.clerk : world.owner).token });
  if (!res.data?.o) throw new Error(`cannot read order ${order.id} as ${role}: ${JSON.stringify(res.body)}`);
  return res.data.o;
}

/** The outcome of one mutation: its userErrors, or the top-level errors. */
export interface Outcome {
  userErrors: { code: string; message: string }[];
  errors?: unknown[];
}

async function mutate(world: World, role: Role, order: ModelOrder, name: string, inputType: string, input: Record<string, unknown>): Promise<Outcome> {
  const guest = role === 'customer' && order.guest;
  const res = await world.gw.gql(
    `mutation($i: ${inputType}!) { r: ${name}(input: $i) { userErrors { code message } } }`,
    { i: guest ? { ...input, guest: { orderNumber: order.orderNumber, phone: GUEST_PHONE } } : input },
    guest ? {} : { token: (role === 'staff' ? world.clerk : world.owner).token },
  );
  if (res.body.errors) return { userErrors: [], errors: res.body.errors };
  return { userErrors: res.data.r.userErrors };
}

export interface Step {
  role: Role;
  /**
   * Runs the action with valid input against `v` (the order as `role` sees it). Returns null when
   * the action has nothing to act on (e.g. no reported transfer to confirm): it cannot be taken.
   */
  run: (world: World, order: ModelOrder, v: View, pick: number) => Promise<Outcome | null> | null;
  /** False for actions whose mutation is a general one that also serves other purposes (a message). */
  refusable?: boolean;
}

const firstItem = (v: View, pred: (i: View['items'][number]) => boolean) => v.items.find(pred) ?? null;
const live = (i: { status: string }) => !['CANCELLED', 'UNAVAILABLE'].includes(i.status);
const invoicePayments = (v: View) => [...(v.firstInvoice?.payments ?? []), ...(v.secondInvoice?.payments ?? []), ...v.additionalInvoices.flatMap((i) => i.payments)];
/** Money for the invoice is on its way (a reported transfer, a held card capture): what blocks declining a price rise. */
const onItsWay = (invoice: InvoiceView | undefined) => Boolean(invoice?.payments.some((p) => p.method !== 'DEPOSIT' && ['REPORTED', 'CAPTURING'].includes(p.status)));
const key = () => randomBytes(12).toString('hex');

async function openQuestionItems(world: World, orderId: string): Promise<string[]> {
  const rows: { item_id: string }[] = await world.gw.app.ds.query(
    `SELECT DISTINCT item_id FROM message WHERE order_id = $1 AND ask_seller_before_purchase AND answered_at IS NULL AND item_id IS NOT NULL`,
    [orderId],
  );
  return rows.map((r) => r.item_id);
}

const RESHIP_NUMBERS = ['EE987654321JP', 'EE123456785JP', 'EE111111111JP'];
let reships = 0;
const PROBLEM_KINDS = ['LOST', 'RETURNED_TO_SENDER', 'REFUSED', 'DAMAGED', 'WRONG_ITEM'];

/** One step per OrderAction (the API's names), each with valid input. */
export const ACTIONS: Record<string, Step> = {
  // --- customer (or guest) ---
  PAY_FIRST_INVOICE: {
    role: 'customer',
    run: (w, o, v) => (v.firstInvoice ? mutate(w, 'customer', o, 'invoicePay', 'InvoicePayInput', { invoiceId: v.firstInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: key() }) : null),
  },
  PAY_SECOND_INVOICE: {
    role: 'customer',
    run: (w, o, v) => (v.secondInvoice ? mutate(w, 'customer', o, 'invoicePay', 'InvoicePayInput', { invoiceId: v.secondInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: key() }) : null),
  },
  RESPOND_PRICE_CHANGE: {
    role: 'customer',
    run: (w, o, v, pick) => {
      const waiting = v.priceChanges.filter((c) => ['AWAITING_RESPONSE', 'ACCEPTED'].includes(c.status));
      const paying = (c: View['priceChanges'][number]) => onItsWay(v.additionalInvoices.find((i) => i.id === c.invoice?.id));
      // An answer that can be given: accept a rise still waiting; decline one with no money on its way.
      const change = waiting.find((c) => c.status === 'AWAITING_RESPONSE' || !paying(c)) ?? waiting[0];
      if (!change) return null;
      const accept = change.status === 'AWAITING_RESPONSE' && (paying(change) || pick % 2 === 0);
      return mutate(w, 'customer', o, 'priceChangeRespond', 'PriceChangeRespondInput', { priceChangeId: change.id, accept });
    },
  },
  PAY_ADDITIONAL_INVOICE: {
    role: 'customer',
    run: (w, o, v, pick) => {
      const invoice = v.additionalInvoices.find((i) => i.status === 'OPEN') ?? v.additionalInvoices[0];
      if (!invoice) return null;
      return mutate(w, 'customer', o, 'invoicePay', 'InvoicePayInput', { invoiceId: invoice.id, method: 'BANK_TRANSFER', idempotencyKey: key() });
    },
  },
  REPORT_BANK_TRANSFER: {
    role: 'customer',
    run: (w, o, v) => {
      const p = invoicePayments(v).find((x) => x.method === 'BANK_TRANSFER' && x.status === 'PENDING');
      if (!p) return null;
      const transferDate = w.gw.clock.now().toISOString().slice(0, 10);
      return mutate(w, 'customer', o, 'paymentBankTransferReport', 'PaymentBankTransferReportInput', { paymentId: p.id, payerName: 'ヤマダ ハナコ', amount: { amount: p.amount.amount, currency: 'JPY' }, transferDate });
    },
  },
  CHANGE_ITEMS: {
    role: 'customer',
    run: (w, o, v, pick) => {
      const item = firstItem(v, (i) => i.availableActions.includes('CHANGE_QUANTITY')) ?? v.items[0];
      return mutate(w, 'customer', o, 'orderItemQuantityChange', 'OrderItemQuantityChangeInput', { itemId: item.id, quantity: pick % 4 });
    },
  },
  ASK_SELLER: {
    role: 'customer',
    run: (w, o, v) => {
      const item = firstItem(v, (i) => i.availableActions.includes('ASK_SELLER')) ?? v.items[0];
      return mutate(w, 'customer', o, 'messageSend', 'MessageSendInput', { orderId: o.id, itemId: item.id, askSellerBeforePurchase: true, title: '質問', body: '色違いはありますか' });
    },
  },
  CANCEL_ORDER: { role: 'customer', run: (w, o) => mutate(w, 'customer', o, 'orderCancel', 'OrderCancelInput', { orderId: o.id }) },
  REQUEST_CANCELLATION: {
    role: 'customer',
    run: (w, o) => mutate(w, 'customer', o, 'orderCancellationRequest', 'OrderCancellationRequestInput', { orderId: o.id, reason: '不要になりました' }),
  },
  REPORT_RECEIPT: { role: 'customer', run: (w, o) => mutate(w, 'customer', o, 'orderReceiptReport', 'OrderReceiptReportInput', { orderId: o.id }) },
  REPORT_PROBLEM: {
    role: 'customer',
    run: (w, o, _v, pick) => mutate(w, 'customer', o, 'orderProblemReport', 'OrderProblemReportInput', { orderId: o.id, kind: PROBLEM_KINDS[pick % PROBLEM_KINDS.length], body: '届いていません' }),
  },
  SEND_MESSAGE: {
    role: 'customer',
    refusable: true,
    run: (w, o) => mutate(w, 'customer', o, 'messageSend', 'MessageSendInput', { orderId: o.id, title: '連絡', body: 'よろしくお願いします' }),
  },
  CHANGE_DELIVERY_ADDRESS: {
    role: 'customer',
    run: (w, o) =>
      mutate(w, 'customer', o, 'orderDeliveryAddressChange', 'OrderDeliveryAddressChangeInput', {
        orderId: o.id,
        deliveryAddress: { recipient: '山田 太郎', postalCode: '150-0002', prefecture: '東京都', city: '渋谷区', line1: '渋谷2-1-1', line2: null, phone: '090-1234-5678' },
      }),
  },

  // --- staff ---
  QUOTE: {
    role: 'staff',
    run: (w, o, v, pick) =>
      mutate(w, 'staff', o, 'orderQuote', 'OrderQuoteInput', {
        orderId: o.id,
        exchangeRate: '20',
        items: v.items.filter(live).map((i, n) => ({ itemId: i.id, unitPrice: { amount: String(5 + ((pick + n) % 40)), currency: 'CNY' }, chinaShipping: { amount: String((pick + n) % 3), currency: 'CNY' } })),
      }),
  },
  CONFIRM_TRANSFER: {
    role: 'staff',
    run: (w, o, v, pick) => {
      const p = invoicePayments(v).find((x) => x.status === 'REPORTED');
      if (!p) return null;
      return pick % 8 === 0
        ? mutate(w, 'staff', o, 'paymentReject', 'PaymentRejectInput', { paymentId: p.id, reason: '入金が確認できません' })
        : mutate(w, 'staff', o, 'paymentConfirm', 'PaymentConfirmInput', { paymentId: p.id, receivedAmount: { amount: p.amount.amount, currency: 'JPY' } });
    },
  },
  PURCHASE_ITEM: {
    role: 'staff',
    run: async (w, o, v, pick) => {
      const open = await openQuestionItems(w, o.id);
      const repricing = v.priceChanges.filter((c) => ['AWAITING_RESPONSE', 'ACCEPTED'].includes(c.status)).map((c) => c.itemId);
      const item = firstItem(v, (i) => i.status === 'PURCHASING' && !open.includes(i.id) && !repricing.includes(i.id)) ?? v.items[0];
      return mutate(w, 'staff', o, 'orderItemPurchase', 'OrderItemPurchaseInput', { itemId: item.id, quantityBought: 1 + (pick % item.quantity) });
    },
  },
  CHANGE_ITEM_PRICE: {
    role: 'staff',
    run: (w, o, v, pick) => {
      const repricing = v.priceChanges.filter((c) => ['AWAITING_RESPONSE', 'ACCEPTED'].includes(c.status)).map((c) => c.itemId);
      const item = firstItem(v, (i) => i.status === 'PURCHASING' && !repricing.includes(i.id)) ?? v.items[0];
      const now = Number(item.unitPrice?.amount ?? '10');
      // Mostly rises (the common surprise), now and then a fall; never to zero.
      const next = pick % 4 === 0 && now > 1 ? Math.max(1, Math.floor(now / 2)) : now + 1 + (pick % 20);
      return mutate(w, 'staff', o, 'orderItemPriceChange', 'OrderItemPriceChangeInput', { itemId: item.id, unitPrice: { amount: String(next), currency: 'CNY' }, note: '販売者が価格を変更しました' });
    },
  },
  MARK_UNAVAILABLE: {
    role: 'staff',
    run: (w, o, v) => {
      const item = firstItem(v, (i) => i.status === 'PURCHASING') ?? v.items[0];
      return mutate(w, 'staff', o, 'orderItemUnavailable', 'OrderItemUnavailableInput', { itemId: item.id, reason: 'SOLD_OUT' });
    },
  },
  MARK_ARRIVED: {
    role: 'staff',
    run: (w, o, v, pick) => {
      const item = firstItem(v, (i) => i.status === 'PURCHASED') ?? v.items[0];
      const bought = item.purchasedQuantity ?? item.quantity;
      return mutate(w, 'staff', o, 'orderItemArrival', 'OrderItemArrivalInput', { itemId: item.id, receivedQuantity: pick % 5 === 0 ? Math.max(0, bought - 1) : bought });
    },
  },
  ISSUE_SECOND_INVOICE: {
    role: 'staff',
    run: (w, o) => mutate(w, 'staff', o, 'invoiceSecondIssue', 'InvoiceSecondIssueInput', { orderId: o.id, weightKg: '1', lengthCm: '20', widthCm: '20', heightCm: '10' }),
  },
  SHIP: {
    role: 'staff',
    run: (w, o) => mutate(w, 'staff', o, 'orderShip', 'OrderShipInput', { orderId: o.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' }),
  },
  DECIDE_CANCELLATION: {
    role: 'staff',
    run: (w, o, v, pick) => {
      const request = v.cancellationRequests.find((r) => r.status === 'PENDING');
      if (!request) return null;
      // Approving is a staff cancellation: possible exactly when CANCEL_BY_STAFF is offered; rejecting always is.
      const approve = pick % 3 !== 0 && v.availableActions.includes('CANCEL_BY_STAFF');
      return mutate(w, 'staff', o, 'cancellationRequestDecide', 'CancellationRequestDecideInput', { requestId: request.id, approve, note: '確認しました' });
    },
  },
  ANSWER_SELLER_QUESTION: {
    role: 'staff',
    refusable: false, // a staff message about an item is always possible while the thread is open
    run: async (w, o) => {
      const [itemId] = await openQuestionItems(w, o.id);
      if (!itemId) return null;
      return mutate(w, 'staff', o, 'messageSend', 'MessageSendInput', { orderId: o.id, itemId, title: '回答', body: 'ございます' });
    },
  },
  REPORT_DELIVERY_PROBLEM: {
    role: 'staff',
    run: (w, o, _v, pick) => mutate(w, 'staff', o, 'orderDeliveryProblemReport', 'OrderDeliveryProblemReportInput', { orderId: o.id, kind: PROBLEM_KINDS[pick % PROBLEM_KINDS.length], note: '配送業者より連絡' }),
  },
  RESOLVE_DELIVERY_PROBLEM: {
    role: 'staff',
    run: (w, o, v, pick) => {
      const problem = v.deliveryProblems.find((p) => p.status === 'OPEN');
      if (!problem) return null;
      const how = ['RESHIP', 'REFUND', 'CLOSE'][pick % 3];
      // A reship is a new parcel: a tracking number other than the parcel's (SHIP's, or the last reship's).
      const extra = how === 'RESHIP' ? { carrier: 'JAPAN_POST', trackingNumber: RESHIP_NUMBERS[reships++ % RESHIP_NUMBERS.length] } : how === 'REFUND' ? { refundAmount: { amount: '100', currency: 'JPY' } } : {};
      return mutate(w, 'staff', o, 'orderDeliveryProblemResolve', 'OrderDeliveryProblemResolveInput', { problemId: problem.id, resolution: how, note: '対応しました', ...extra });
    },
  },
  CANCEL_BY_STAFF: {
    role: 'staff',
    run: (w, o) => mutate(w, 'staff', o, 'orderCancelByStaff', 'OrderCancelByStaffInput', { orderId: o.id, reason: 'OTHER', note: 'スタッフによるキャンセル' }),
  },
};

/** Actions the model does not take, with the reason (each is covered by its own tests). */
export const NOT_MODELLED: Record<string, string> = {
  DECIDE_EXCHANGE: 'exchanges and returns: test/exchange-return.test.ts',
  COMPLETE_EXCHANGE: 'exchanges and returns: test/exchange-return.test.ts',
};

/** Steps that belong to no order: the clock (with the sweeps) and money coming into the deposit. */
export const WORLD_STEPS = {
  async advanceClock(world: World, days: number) {
    world.gw.clock.advanceDays(days);
    // Tokens live 7 days: the people sign in again, as they would.
    for (const who of [world.owner, world.clerk]) who.token = (await world.gw.app.tokens.issue(who.id, world.gw.clock.now())).token;
    await autoCancelUnpaid(world.gw.app, world.gw.clock.now());
    await declinePriceChangesPastDue(world.gw.app, world.gw.clock.now());
    await autoCompleteShipped(world.gw.app, world.gw.clock.now());
  },
  async creditDeposit(world: World, yen: number) {
    await creditDeposit(world.gw, world.clerk, world.owner.id, yen);
  },
};

/** A fresh customer with one order of their own and one guest order, both of two items. */
export async function newWorld(gw: TestGateway, clerk: Actor): Promise<World> {
  const owner = await accountMadeDirectly(gw, AccountRole.CUSTOMER);
  const mine = await submitOrder(gw, owner, [itemInput(1, 2), itemInput(2, 1)]);
  const guest = await submitOrder(gw, null, [itemInput(3, 1), itemInput(4, 3)]);
  return {
    gw,
    clerk,
    owner,
    orders: [
      { id: mine.id, orderNumber: mine.orderNumber, guest: false },
      { id: guest.id, orderNumber: guest.orderNumber, guest: true },
    ],
    steps: [],
  };
}

export type Command =
  | { kind: 'act'; order: number; action: string; pick: number }
  | { kind: 'clock'; days: number }
  | { kind: 'credit'; yen: number };

/** Random steps, weighted towards the actions (most of them are refused at any given moment). */
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('act' as const), order: fc.nat(1), action: fc.constantFrom(...Object.keys(ACTIONS)), pick: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clock' as const), days: fc.constantFrom(1, 1, 3, 8, 31) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('credit' as const), yen: fc.constantFrom(300, 1000, 5000) }) },
);

/** Biased towards the action offered now, so sequences go deep into the lifecycle. */
export async function chooseOffered(world: World, order: ModelOrder, pick: number): Promise<string | null> {
  const [c, s] = await Promise.all([view(world, order, 'customer'), view(world, order, 'staff')]);
  const offered = [...c.availableActions.filter((a) => ACTIONS[a]?.role === 'customer'), ...s.availableActions.filter((a) => ACTIONS[a]?.role === 'staff')].filter(
    (a) => !['SEND_MESSAGE', 'CHANGE_DELIVERY_ADDRESS'].includes(a),
  );
  // Mostly a step forward; now and then a way out (cancelling, changing the items).
  let forward = offered.filter((a) => !WAYS_OUT.includes(a) && !['SEND_MESSAGE', 'CHANGE_DELIVERY_ADDRESS'].includes(a));
  // A transfer chosen is usually reported, not chosen again.
  if (forward.includes('REPORT_BANK_TRANSFER')) forward = forward.filter((a) => !a.startsWith('PAY_'));
  if (forward.length && pick % 2 === 0) return forward.sort((a, b) => DEPTH.indexOf(a) - DEPTH.indexOf(b))[0];
  const pool = forward.length && pick % 5 !== 0 ? forward : offered;
  return pool.length ? pool[pick % pool.length] : null;
}

/** Forward steps, the furthest along first. */
const DEPTH = ['RESOLVE_DELIVERY_PROBLEM', 'REPORT_RECEIPT', 'SHIP', 'DECIDE_CANCELLATION', 'CONFIRM_TRANSFER', 'REPORT_BANK_TRANSFER', 'PAY_SECOND_INVOICE', 'ISSUE_SECOND_INVOICE', 'MARK_ARRIVED', 'PURCHASE_ITEM', 'PAY_ADDITIONAL_INVOICE', 'RESPOND_PRICE_CHANGE', 'ANSWER_SELLER_QUESTION', 'MARK_UNAVAILABLE', 'PAY_FIRST_INVOICE', 'QUOTE'];

const WAYS_OUT = ['CHANGE_ITEM_PRICE', 'REPORT_PROBLEM', 'REPORT_DELIVERY_PROBLEM', 'CANCEL_ORDER', 'REQUEST_CANCELLATION', 'CANCEL_BY_STAFF', 'CHANGE_ITEMS', 'ASK_SELLER'];
