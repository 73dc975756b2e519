import { autoCancelUnpaid } from '../src/jobs/auto-cancel.job';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

/**
 * Issue 11: each combination that used to leave an order where nobody could move it, driven
 * through GraphQL to COMPLETED or CANCELLED with the money accounted for. Each test names the
 * seed rule it covers.
 */
let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const yen = (n: number | string) => ({ amount: String(n), currency: 'JPY' });
const STATE = `query($id: ID!) { order(id: $id) { status cancelReason availableActions items { id status availableActions }
  firstInvoice { id status overdue total { amount } amountPaid { amount } amountRefunded { amount } }
  secondInvoice { id status amountPaid { amount } amountRefunded { amount } } cancellationRequests { status } } }`;
const BALANCE = `{ me { deposit { balance { amount } } } }`;

async function gql(query: string, variables: Record<string, unknown>, who: Actor, name: string) {
  const res = await gw.gql(query, variables, { token: who.token });
  const payload = res.data?.[name];
  if (!payload) throw new Error(`${name}: ${JSON.stringify(res.body)}`);
  return payload;
}
async function ok(query: string, variables: Record<string, unknown>, who: Actor, name: string) {
  const payload = await gql(query, variables, who, name);
  if (payload.userErrors?.length) throw new Error(`${name}: ${JSON.stringify(payload.userErrors)}`);
  return payload;
}
const state = async (orderId: string, who: Actor) => (await gw.gql(STATE, { id: orderId }, { token: who.token })).data.order;
const balance = async (who: Actor) => (await gw.gql(BALANCE, {}, { token: who.token })).data.me.deposit.balance.amount as string;

const REQUEST = `mutation($i: OrderCancellationRequestInput!) { orderCancellationRequest(input: $i) { cancellationRequest { id status } userErrors { code field message } } }`;
const DECIDE = `mutation($i: CancellationRequestDecideInput!) { cancellationRequestDecide(input: $i) { cancellationRequest { status refunded { amount } } userErrors { code message } } }`;
const CANCEL = `mutation($i: OrderCancelInput!) { orderCancel(input: $i) { order { status } userErrors { code message } } }`;
const STAFF_CANCEL = `mutation($i: OrderCancelByStaffInput!) { orderCancelByStaff(input: $i) { order { status } userErrors { code message } } }`;
const PURCHASE = `mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code message } } }`;
const ARRIVAL = `mutation($i: OrderItemArrivalInput!) { orderItemArrival(input: $i) { order { status } userErrors { code message } } }`;
const SECOND = `mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) { order { secondInvoice { id total { amount } } } userErrors { code message } } }`;
const SHIP = `mutation($i: OrderShipInput!) { orderShip(input: $i) { order { status } userErrors { code message } } }`;
const RECEIPT = `mutation($i: OrderReceiptReportInput!) { orderReceiptReport(input: $i) { order { status } userErrors { code message } } }`;
const PARCEL = { weightKg: '1', lengthCm: '20', widthCm: '20', heightCm: '10' };

/** An order of two items (10 and 20 CNY at 20.00: ¥200 + ¥400 + ¥500 fee = ¥1,100), paid in full from the deposit. */
async function paidTwoItemOrder(owner: Actor) {
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1), itemInput(2)]), ['10', '20'], ['0', '0'], '20');
  await creditDeposit(gw, clerk, owner.id, 1100);
  const paid = await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id });
  expect(paid.data.invoicePay.invoice.status).toBe('PAID');
  return order as { id: string; items: { id: string }[]; firstInvoice: { id: string } };
}

async function toPreparingShipment(owner: Actor) {
  const order = await paidTwoItemOrder(owner);
  for (const item of order.items) await ok(PURCHASE, { i: { itemId: item.id, quantityBought: 1 } }, clerk, 'orderItemPurchase');
  for (const item of order.items) await ok(ARRIVAL, { i: { itemId: item.id, receivedQuantity: 1 } }, clerk, 'orderItemArrival');
  const second = await ok(SECOND, { i: { orderId: order.id, ...PARCEL } }, clerk, 'invoiceSecondIssue');
  const total = second.order.secondInvoice.total.amount;
  await creditDeposit(gw, clerk, owner.id, total);
  expect((await invoicePay(gw, owner, { invoiceId: second.order.secondInvoice.id })).data.invoicePay.invoice.status).toBe('PAID');
  expect((await state(order.id, owner)).status).toBe('PREPARING_SHIPMENT');
  return { order, secondTotal: Number(total) };
}

it('seed 003 (per-item cancellation after payment): approving it while the other item is bought moves the order on to arrival and completion', async () => {
  const owner = await customer(gw);
  const order = await paidTwoItemOrder(owner);
  await ok(PURCHASE, { i: { itemId: order.items[1].id, quantityBought: 1 } }, clerk, 'orderItemPurchase');
  const req = await ok(REQUEST, { i: { orderId: order.id, reason: 'サイズ違い', itemIds: [order.items[0].id] } }, owner, 'orderCancellationRequest');
  expect((await state(order.id, clerk)).availableActions).toContain('DECIDE_CANCELLATION');
  const decided = await ok(DECIDE, { i: { requestId: req.cancellationRequest.id, approve: true, note: 'OK' } }, clerk, 'cancellationRequestDecide');
  expect(decided.cancellationRequest.refunded.amount).toBe('200');

  // Nothing left to buy: the order waits for the bought item, which can arrive.
  const waiting = await state(order.id, clerk);
  expect(waiting.status).toBe('AWAITING_ARRIVAL');
  expect(waiting.availableActions).toContain('MARK_ARRIVED');
  const arrived = await ok(ARRIVAL, { i: { itemId: order.items[1].id, receivedQuantity: 1 } }, clerk, 'orderItemArrival');
  expect(arrived.order.status).toBe('INSPECTING');
  expect((await state(order.id, clerk)).availableActions).toContain('ISSUE_SECOND_INVOICE');
  const second = await ok(SECOND, { i: { orderId: order.id, ...PARCEL } }, clerk, 'invoiceSecondIssue');
  await creditDeposit(gw, clerk, owner.id, second.order.secondInvoice.total.amount);
  await invoicePay(gw, owner, { invoiceId: second.order.secondInvoice.id });
  expect((await state(order.id, clerk)).availableActions).toContain('SHIP');
  await ok(SHIP, { i: { orderId: order.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, clerk, 'orderShip');
  expect((await state(order.id, owner)).availableActions).toContain('REPORT_RECEIPT');
  expect((await ok(RECEIPT, { i: { orderId: order.id } }, owner, 'orderReceiptReport')).order.status).toBe('COMPLETED');
  // ¥1,100 + second paid in; ¥200 refunded; the rest kept for goods delivered.
  expect(await balance(owner)).toBe('200');
});

it('seed 002 (cancellation until shipment): at PREPARING_SHIPMENT a request can be approved and refunds both invoices', async () => {
  const owner = await customer(gw);
  const { order, secondTotal } = await toPreparingShipment(owner);
  expect((await state(order.id, owner)).availableActions).toContain('REQUEST_CANCELLATION');
  const req = await ok(REQUEST, { i: { orderId: order.id, reason: '不要になりました' } }, owner, 'orderCancellationRequest');
  // Staff are not offered SHIP while the customer's request waits, and shipping is refused.
  const staffView = await state(order.id, clerk);
  expect(staffView.availableActions).toEqual(expect.arrayContaining(['DECIDE_CANCELLATION', 'CANCEL_BY_STAFF']));
  expect(staffView.availableActions).not.toContain('SHIP');
  const ship = await gql(SHIP, { i: { orderId: order.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, clerk, 'orderShip');
  expect(ship.userErrors[0].code).toBe('CANCELLATION_ALREADY_REQUESTED');

  const decided = await ok(DECIDE, { i: { requestId: req.cancellationRequest.id, approve: true, note: '承知しました' } }, clerk, 'cancellationRequestDecide');
  expect(decided.cancellationRequest.refunded.amount).toBe(String(1100 + secondTotal));
  const after = await state(order.id, owner);
  expect(after).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER_REQUEST', firstInvoice: { amountRefunded: { amount: '1100' } }, secondInvoice: { amountRefunded: { amount: String(secondTotal) } } });
  expect(await balance(owner)).toBe(String(1100 + secondTotal));
});

it('seed 002: staff can cancel at PREPARING_SHIPMENT, and a pending request is answered with it', async () => {
  const owner = await customer(gw);
  const { order, secondTotal } = await toPreparingShipment(owner);
  await ok(REQUEST, { i: { orderId: order.id, reason: '不要' } }, owner, 'orderCancellationRequest');
  await ok(STAFF_CANCEL, { i: { orderId: order.id, reason: 'FORWARDING_FAILED', note: '輸送できません' } }, clerk, 'orderCancelByStaff');
  const after = await state(order.id, owner);
  expect(after.status).toBe('CANCELLED');
  expect(after.cancellationRequests).toEqual([{ status: 'APPROVED' }]);
  expect(after.availableActions).not.toContain('REQUEST_CANCELLATION');
  expect(await balance(owner)).toBe(String(1100 + secondTotal));
});

/** ¥1,100 quoted; ¥400 on deposit goes first, the rest by a bank transfer chosen but not reported. */
async function partlyPaid(owner: Actor) {
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1), itemInput(2)]), ['10', '20'], ['0', '0'], '20');
  await creditDeposit(gw, clerk, owner.id, 400);
  const pay = await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' });
  expect(pay.data.invoicePay.invoice).toMatchObject({ status: 'OPEN', amountPaid: { amount: '400' } });
  expect(await balance(owner)).toBe('0');
  return order;
}

it('seed 003 (partly paid first invoice): orderCancel points at the request, which works and refunds the part received', async () => {
  const owner = await customer(gw);
  const order = await partlyPaid(owner);
  const view = await state(order.id, owner);
  expect(view.availableActions).toContain('REQUEST_CANCELLATION');
  expect(view.availableActions).not.toContain('CANCEL_ORDER');
  const refused = await gql(CANCEL, { i: { orderId: order.id } }, owner, 'orderCancel');
  expect(refused.userErrors[0]).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE', message: expect.stringContaining('cancellation request') });
  const perItem = await gql(REQUEST, { i: { orderId: order.id, reason: 'x', itemIds: [order.items[0].id] } }, owner, 'orderCancellationRequest');
  expect(perItem.userErrors[0].field).toEqual(['input', 'itemIds']);
  const req = await ok(REQUEST, { i: { orderId: order.id, reason: 'やめます' } }, owner, 'orderCancellationRequest');
  const decided = await ok(DECIDE, { i: { requestId: req.cancellationRequest.id, approve: true, note: '返金します' } }, clerk, 'cancellationRequestDecide');
  expect(decided.cancellationRequest.refunded.amount).toBe('400');
  expect(await state(order.id, owner)).toMatchObject({ status: 'CANCELLED', firstInvoice: { status: 'VOID', amountPaid: { amount: '400' }, amountRefunded: { amount: '400' } } });
  expect(await balance(owner)).toBe('400');
});

it('seed 003 (7 days after the quote): a partly paid order is auto-cancelled and its paid part refunded', async () => {
  const owner = await customer(gw);
  const order = await partlyPaid(owner);
  await autoCancelUnpaid(gw.app, new Date(gw.clock.now().getTime() + 7 * 86_400_000 + 1000));
  expect(await state(order.id, owner)).toMatchObject({ status: 'CANCELLED', cancelReason: 'UNPAID_TIMEOUT', firstInvoice: { status: 'VOID', amountRefunded: { amount: '400' } } });
  expect(await balance(owner)).toBe('400');
});

it('seed 003 (申し込みから7日): an application never quoted is cancelled 7 days after it was submitted', async () => {
  const owner = await customer(gw);
  const order = await submitOrder(gw, owner, [itemInput(1)]);
  const submitted = gw.clock.now().getTime();
  await autoCancelUnpaid(gw.app, new Date(submitted + 7 * 86_400_000 - 1000));
  expect((await state(order.id, owner)).status).toBe('SUBMITTED');
  await autoCancelUnpaid(gw.app, new Date(submitted + 7 * 86_400_000));
  expect(await state(order.id, owner)).toMatchObject({ status: 'CANCELLED', cancelReason: 'NOT_QUOTED', availableActions: expect.not.arrayContaining(['CANCEL_ORDER']) });
});

it('seed 002 (振込確認): a reported transfer undecided at the due date is not cancelled but waits in the staff queue flagged overdue', async () => {
  const owner = await customer(gw);
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
  const pay = await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', useDeposit: false });
  const transfer = pay.data.invoicePay.payments[0];
  await ok(`mutation($i: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $i) { payment { status } userErrors { code message } } }`,
    { i: { paymentId: transfer.id, payerName: 'ヤマダ ハナコ', amount: yen(transfer.amount.amount), transferDate: gw.clock.now().toISOString().slice(0, 10) } }, owner, 'paymentBankTransferReport');
  gw.clock.advanceDays(8);
  for (const who of [owner, clerk]) who.token = (await gw.app.tokens.issue(who.id, gw.clock.now())).token; // 7-day tokens
  await autoCancelUnpaid(gw.app, gw.clock.now());
  const view = await state(order.id, clerk);
  expect(view).toMatchObject({ status: 'AWAITING_FIRST_PAYMENT', firstInvoice: { overdue: true } });
  expect(view.availableActions).toContain('CONFIRM_TRANSFER');
  const queue = await gw.gql(`{ orders(first: 50, filter: { awaiting: TRANSFER_CONFIRMATION }) { nodes { id } } }`, {}, { token: clerk.token });
  expect(queue.data.orders.nodes.map((o: any) => o.id)).toContain(order.id);
  // Staff decide: rejected, the order is then due and the next sweep cancels it.
  await ok(`mutation($i: PaymentRejectInput!) { paymentReject(input: $i) { payment { status } userErrors { code message } } }`, { i: { paymentId: transfer.id, reason: '入金が確認できません' } }, clerk, 'paymentReject');
  await autoCancelUnpaid(gw.app, gw.clock.now());
  expect((await state(order.id, owner)).status).toBe('CANCELLED');
});

it('a guest order already claimed answers ALREADY_CLAIMED to the one who proves it', async () => {
  const order = await submitOrder(gw, null, [itemInput(1)]);
  const first = await customer(gw);
  const CLAIM = `mutation($i: GuestOrderClaimInput!) { guestOrderClaim(input: $i) { order { id } userErrors { code message } } }`;
  await ok(CLAIM, { i: { orderNumber: order.orderNumber, phone: '080-9999-0000' } }, first, 'guestOrderClaim');
  const again = await gql(CLAIM, { i: { orderNumber: order.orderNumber, phone: '080-9999-0000' } }, await customer(gw), 'guestOrderClaim');
  expect(again.userErrors[0].code).toBe('ALREADY_CLAIMED');
  const wrongPhone = await gql(CLAIM, { i: { orderNumber: order.orderNumber, phone: '080-1111-2222' } }, await customer(gw), 'guestOrderClaim');
  expect(wrongPhone.userErrors[0].code).toBe('NOT_FOUND');
});
