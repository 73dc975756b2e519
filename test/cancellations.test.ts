import { inTransaction } from '../src/common/transaction';
import { DepositReferenceKind } from '../src/modules/deposits/deposit-entry.entity';
import { Invoice } from '../src/modules/invoices/invoice.entity';
import { Order } from '../src/modules/orders/order.entity';
import { SYSTEM } from '../src/modules/orders/order-events';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

let gw: TestGateway;
let clerk: Actor;
let boss: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  [clerk, boss] = await Promise.all([staff(gw), staff(gw)]);
});
afterAll(() => gw.close());

const yen = (n: number) => ({ amount: String(n), currency: 'JPY' });
const REQUEST = `mutation($i: OrderCancellationRequestInput!) { orderCancellationRequest(input: $i) { cancellationRequest { id status itemIds } userErrors { code field message } } }`;
const DECIDE = `mutation($i: CancellationRequestDecideInput!) { cancellationRequestDecide(input: $i) {
  cancellationRequest { id status decisionNote refunded { amount } } userErrors { code field message } } }`;
const STATE = `query($id: ID!) { order(id: $id) { status cancelReason availableActions items { status }
  firstInvoice { status amountPaid { amount } amountRefunded { amount } } cancellationRequests { status } } }`;
const BALANCE = `{ me { deposit { balance { amount } } } }`;

/** A customer with a paid order: 2 × 10 CNY (+1 CNY shipping) and 1 × 20 CNY at 20.00 → ¥400 + ¥20 + ¥400 + ¥500 fee = ¥1,320. */
async function paidOrder() {
  const owner = await customer(gw);
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1, 2), itemInput(2, 1)]), ['10', '20'], ['1', '0'], '20');
  await gw.gql(`mutation($i: DepositAdjustInput!) { depositAdjust(input: $i) { userErrors { code } } }`, { i: { accountId: owner.id, amount: yen(1320), note: 'funds', idempotencyKey: `f-${order.id}` } }, { token: clerk.token });
  const pay = await gw.gql(`mutation($i: InvoicePayInput!) { invoicePay(input: $i) { invoice { status } userErrors { code message } } }`, { i: { invoiceId: order.firstInvoice.id, idempotencyKey: `p-${order.id}` } }, { token: owner.token });
  expect(pay.data.invoicePay.invoice.status).toBe('PAID');
  return { owner, order };
}

it('cancels a paid order on approval and refunds everything to the deposit', async () => {
  const { owner, order } = await paidOrder();
  expect((await gw.gql(STATE, { id: order.id }, { token: owner.token })).data.order.availableActions).toContain('REQUEST_CANCELLATION');
  const req = await gw.gql(REQUEST, { i: { orderId: order.id, reason: '別の店で買いました' } }, { token: owner.token });
  expect(req.data.orderCancellationRequest.cancellationRequest).toMatchObject({ status: 'PENDING', itemIds: null });
  const again = await gw.gql(REQUEST, { i: { orderId: order.id, reason: 'again' } }, { token: owner.token });
  expect(again.data.orderCancellationRequest.userErrors[0].code).toBe('CANCELLATION_ALREADY_REQUESTED');
  const decided = await gw.gql(DECIDE, { i: { requestId: req.data.orderCancellationRequest.cancellationRequest.id, approve: true, note: '承知しました' } }, { token: clerk.token });
  expect(decided.data.cancellationRequestDecide.cancellationRequest).toMatchObject({ status: 'APPROVED', refunded: { amount: '1320' } });
  const state = (await gw.gql(STATE, { id: order.id }, { token: owner.token })).data.order;
  expect(state).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER_REQUEST', firstInvoice: { amountPaid: { amount: '1320' }, amountRefunded: { amount: '1320' } } });
  expect(state.items.map((i: any) => i.status)).toEqual(['CANCELLED', 'CANCELLED']);
  expect((await gw.gql(BALANCE, {}, { token: owner.token })).data.me.deposit.balance.amount).toBe('1320');
});

it('cancels only the named items and refunds what was paid for them', async () => {
  const { owner, order } = await paidOrder();
  const req = await gw.gql(REQUEST, { i: { orderId: order.id, reason: 'サイズ違い', itemIds: [order.items[0].id] } }, { token: owner.token });
  const decided = await gw.gql(DECIDE, { i: { requestId: req.data.orderCancellationRequest.cancellationRequest.id, approve: true, note: 'OK' } }, { token: clerk.token });
  expect(decided.data.cancellationRequestDecide.cancellationRequest.refunded.amount).toBe('420'); // goods 400 + China shipping 20
  const state = (await gw.gql(STATE, { id: order.id }, { token: owner.token })).data.order;
  expect(state.status).toBe('PURCHASING');
  expect(state.items.map((i: any) => i.status)).toEqual(['CANCELLED', 'PURCHASING']);
  expect((await gw.gql(BALANCE, {}, { token: owner.token })).data.me.deposit.balance.amount).toBe('420');
});

it('rejects with a note, refunds nothing, and refuses a second decision even when two staff race', async () => {
  const { owner, order } = await paidOrder();
  const req = await gw.gql(REQUEST, { i: { orderId: order.id, reason: 'やめます' } }, { token: owner.token });
  const id = req.data.orderCancellationRequest.cancellationRequest.id;
  const [a, b] = await Promise.all([
    gw.gql(DECIDE, { i: { requestId: id, approve: false, note: 'Already bought' } }, { token: clerk.token }),
    gw.gql(DECIDE, { i: { requestId: id, approve: true, note: 'OK' } }, { token: boss.token }),
  ]);
  const outcomes = [a, b].map((r) => r.data.cancellationRequestDecide.userErrors[0]?.code ?? r.data.cancellationRequestDecide.cancellationRequest.status);
  expect(outcomes.filter((o) => o === 'INVALID_STATE')).toHaveLength(1);
  const events: { n: string }[] = await gw.app.ds.query(`SELECT count(*) AS n FROM order_event WHERE order_id = $1 AND type LIKE 'CANCELLATION_%ED' AND type <> 'CANCELLATION_REQUESTED'`, [order.id]);
  expect(events[0].n).toBe('1');
});

it('refuses a request before payment, a customer deciding, and a refund beyond what was paid', async () => {
  const owner = await customer(gw);
  const unpaid = await submitOrder(gw, owner, [itemInput(1)]);
  const early = await gw.gql(REQUEST, { i: { orderId: unpaid.id, reason: 'x' } }, { token: owner.token });
  expect(early.data.orderCancellationRequest.userErrors[0].code).toBe('ORDER_NOT_CANCELLABLE');
  const { owner: payer, order } = await paidOrder();
  const req = await gw.gql(REQUEST, { i: { orderId: order.id, reason: 'x' } }, { token: payer.token });
  const byCustomer = await gw.gql(DECIDE, { i: { requestId: req.data.orderCancellationRequest.cancellationRequest.id, approve: true, note: 'me' } }, { token: payer.token });
  expect(byCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  // The service refuses an over-refund, and the database would too.
  const over = inTransaction(gw.app.ds, async (tx) => {
    const invoice = (await tx.getRepository(Invoice).findOneBy({ id: order.firstInvoice.id }))!;
    const o = (await tx.getRepository(Order).findOneBy({ id: order.id }))!;
    await gw.app.invoices.refund(tx, invoice, o, { amountMinor: 1321n, reference: { kind: DepositReferenceKind.ORDER, id: o.id }, note: 'too much', actor: SYSTEM, at: gw.clock.now() });
  });
  await expect(over).rejects.toMatchObject({ errors: [expect.objectContaining({ code: 'REFUND_EXCEEDS_PAID' })] });
  await expect(gw.app.ds.query(`UPDATE invoice SET amount_refunded = amount_paid + 1 WHERE id = $1`, [order.firstInvoice.id])).rejects.toThrow(/invoice_refund_check/);
});

it('lets staff cancel a paid order with a reason (refunding it) and count cancellations by reason', async () => {
  const { owner, order } = await paidOrder();
  const res = await gw.gql(`mutation($i: OrderCancelByStaffInput!) { orderCancelByStaff(input: $i) { order { status cancelReason } userErrors { code message } } }`,
    { i: { orderId: order.id, reason: 'FORWARDING_FAILED', note: 'リチウム電池は航空便で送れません' } }, { token: clerk.token });
  expect(res.data.orderCancelByStaff).toEqual({ order: { status: 'CANCELLED', cancelReason: 'FORWARDING_FAILED' }, userErrors: [] });
  expect((await gw.gql(BALANCE, {}, { token: owner.token })).data.me.deposit.balance.amount).toBe('1320');
  const from = new Date(gw.clock.now().getTime() - 86_400_000).toISOString();
  const to = new Date(gw.clock.now().getTime() + 86_400_000).toISOString();
  const counts = await gw.gql(`query($f: DateTimeISO!, $t: DateTimeISO!) { cancellationCounts(from: $f, to: $t) { reason count } }`, { f: from, t: to }, { token: clerk.token });
  expect(counts.data.cancellationCounts).toEqual(expect.arrayContaining([{ reason: 'FORWARDING_FAILED', count: 1 }, { reason: 'CUSTOMER_REQUEST', count: expect.any(Number) }]));
  const asCustomer = await gw.gql(`query($f: DateTimeISO!, $t: DateTimeISO!) { cancellationCounts(from: $f, to: $t) { reason } }`, { f: from, t: to }, { token: owner.token });
  expect(asCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
});
