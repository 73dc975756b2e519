import { autoCompleteShipped } from '../src/jobs/auto-complete.job';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, itemInput, ORDER_FIELDS, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { jpeg, png } from './support/files';

let gw: TestGateway;
let hanako: Actor;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  [hanako, clerk] = await Promise.all([customer(gw), staff(gw)]);
});
afterAll(() => gw.close());

const yen = (n: number) => ({ amount: String(n), currency: 'JPY' });
const PAYMENT = `id method status amount { amount } fee { amount } total { amount } approvalUrl`;
const DETAIL = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS}
  secondInvoice { status total { amount } amountPaid { amount } lines { kind description amount { amount } } }
  firstInvoiceRefunded: firstInvoice { amountRefunded { amount } }
  items { id status purchasedQuantity inspection { receivedQuantity shortfall note photos { contentType url } } }
  shipment { carrier trackingNumber trackingUrl shippedAt }
  payments { method status amount { amount } }
  events(first: 100) { nodes { type actorRole fromState toState data } } } }`;

async function ok(res: { data: any; errors?: unknown; body: any }, field: string) {
  if (res.errors || res.data?.[field]?.userErrors?.length) throw new Error(`${field}: ${JSON.stringify(res.body)}`);
  return res.data[field];
}

/** Runs one order through application → quote → full deposit payment → purchase → arrival → second invoice → deposit → ship. */
async function shippedOrder(owner: Actor) {
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0']);
  await ok(await gw.gql(`mutation($i: DepositAdjustInput!) { depositAdjust(input: $i) { userErrors { code } } }`, { i: { accountId: owner.id, amount: yen(100_000), note: 'test funds', idempotencyKey: `fund-${order.id}` } }, { token: clerk.token }), 'depositAdjust');
  const pay = (invoiceId: string, key: string) => gw.gql(`mutation($i: InvoicePayInput!) { invoicePay(input: $i) { userErrors { code message } } }`, { i: { invoiceId, idempotencyKey: key } }, { token: owner.token });
  await ok(await pay(order.firstInvoice.id, `first-${order.id}`), 'invoicePay');
  await ok(await gw.gql(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code } } }`, { i: { itemId: order.items[0].id, quantityBought: 1 } }, { token: clerk.token }), 'orderItemPurchase');
  await ok(await gw.upload(`mutation($i: OrderItemArrivalInput!) { orderItemArrival(input: $i) { userErrors { code } } }`, { i: { itemId: order.items[0].id, receivedQuantity: 1, photos: [] } }, [], { token: clerk.token }), 'orderItemArrival');
  const second = await ok(await gw.gql(`mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) { order { secondInvoice { id } } userErrors { code } } }`, { i: { orderId: order.id, weightKg: '1', lengthCm: '20', widthCm: '20', heightCm: '10' } }, { token: clerk.token }), 'invoiceSecondIssue');
  await ok(await pay(second.order.secondInvoice.id, `second-${order.id}`), 'invoicePay');
  await ok(await gw.gql(`mutation($i: OrderShipInput!) { orderShip(input: $i) { userErrors { code } } }`, { i: { orderId: order.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token }), 'orderShip');
  return order;
}

it('drives an order from application to completion through GraphQL only', async () => {
  // A customer with ¥2,000 on deposit (a staff correction, e.g. a previous refund).
  await ok(await gw.gql(`mutation($i: DepositAdjustInput!) { depositAdjust(input: $i) { userErrors { code } } }`,
    { i: { accountId: hanako.id, amount: yen(2000), note: 'Goodwill credit', idempotencyKey: 'e2e-credit' } }, { token: clerk.token }), 'depositAdjust');

  // Application and quote: 2 × 12.50, 1 × 99.99, 3 × 0.35 CNY at 21.37 → ¥3,483 (see orders.test.ts).
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, hanako), ['12.50', '99.99', '0.35'], ['8.00', '0', '5.55']);
  expect(order.firstInvoice.total.amount).toBe('3483');

  // First payment: the deposit first (¥2,000), the rest (¥1,483) by bank transfer, reported and confirmed.
  const paid = await ok(await gw.gql(`mutation($i: InvoicePayInput!) { invoicePay(input: $i) { payments { ${PAYMENT} } invoice { status amountDue { amount } } userErrors { code message } } }`,
    { i: { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: 'e2e-first' } }, { token: hanako.token }), 'invoicePay');
  expect(paid.payments.map((p: any) => [p.method, p.status, p.amount.amount])).toEqual([['DEPOSIT', 'SETTLED', '2000'], ['BANK_TRANSFER', 'PENDING', '1483']]);
  expect(paid.invoice).toEqual({ status: 'OPEN', amountDue: { amount: '1483' } });
  const transfer = paid.payments[1];
  await ok(await gw.gql(`mutation($i: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $i) { payment { status } userErrors { code message } } }`,
    { i: { paymentId: transfer.id, payerName: 'ヤマダ ハナコ', amount: yen(1483), transferDate: gw.clock.now().toISOString().slice(0, 10) } }, { token: hanako.token }), 'paymentBankTransferReport');
  const confirmed = await ok(await gw.gql(`mutation($i: PaymentConfirmInput!) { paymentConfirm(input: $i) { payment { status } invoice { status } order { status items { status } } userErrors { code message } } }`,
    { i: { paymentId: transfer.id, receivedAmount: yen(1483) } }, { token: clerk.token }), 'paymentConfirm');
  expect(confirmed).toMatchObject({ payment: { status: 'SETTLED' }, invoice: { status: 'PAID' }, order: { status: 'PURCHASING' } });
  expect(confirmed.order.items.every((i: any) => i.status === 'PURCHASING')).toBe(true);

  // Buying: item 1 bought, item 2 sold out (its ¥2,137 goes back to the deposit), item 3 bought.
  const PURCHASE = `mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { item { status purchasedQuantity } order { status } userErrors { code message } } }`;
  await ok(await gw.gql(PURCHASE, { i: { itemId: order.items[0].id, quantityBought: 2 } }, { token: clerk.token }), 'orderItemPurchase');
  const unavailable = await ok(await gw.gql(`mutation($i: OrderItemUnavailableInput!) { orderItemUnavailable(input: $i) { item { status } order { status } userErrors { code message } } }`,
    { i: { itemId: order.items[1].id, reason: 'SOLD_OUT', note: '売り切れでした' } }, { token: clerk.token }), 'orderItemUnavailable');
  expect(unavailable).toMatchObject({ item: { status: 'UNAVAILABLE' }, order: { status: 'PURCHASING' } });
  const last = await ok(await gw.gql(PURCHASE, { i: { itemId: order.items[2].id, quantityBought: 3 } }, { token: clerk.token }), 'orderItemPurchase');
  expect(last.order.status).toBe('AWAITING_ARRIVAL');

  // Arrival with inspection photos; item 3 arrives one short.
  const ARRIVE = `mutation($i: OrderItemArrivalInput!) { orderItemArrival(input: $i) { order { status } userErrors { code message } } }`;
  await ok(await gw.upload(ARRIVE, { i: { itemId: order.items[0].id, receivedQuantity: 2, note: '外箱に傷なし', photos: [null, null] } },
    [{ path: 'i.photos.0', name: 'front.jpg', type: 'image/jpeg', bytes: jpeg() }, { path: 'i.photos.1', name: 'back.png', type: 'image/png', bytes: png() }], { token: clerk.token }), 'orderItemArrival');
  const arrived = await ok(await gw.upload(ARRIVE, { i: { itemId: order.items[2].id, receivedQuantity: 2, note: '1点不足', photos: [] } }, [], { token: clerk.token }), 'orderItemArrival');
  expect(arrived.order.status).toBe('INSPECTING');

  // Second invoice: EMS (the SPEED default) for 2.5 kg in a 40×30×20 box, plus packing.
  const second = await ok(await gw.gql(`mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) { order { status secondInvoice { id total { amount } lines { kind amount { amount } } } } userErrors { code message } } }`,
    { i: { orderId: order.id, weightKg: '2.5', lengthCm: '40', widthCm: '30', heightCm: '20', extraLines: [{ description: '梱包材', amount: '300' }] } }, { token: clerk.token }), 'invoiceSecondIssue');
  expect(second.order.status).toBe('AWAITING_SECOND_PAYMENT');
  const lines = second.order.secondInvoice.lines;
  expect(lines.map((l: any) => l.kind)).toEqual(['INTERNATIONAL_SHIPPING', 'OTHER']);
  const secondTotal = Number(second.order.secondInvoice.total.amount);
  expect(secondTotal).toBe(Number(lines[0].amount.amount) + 300);

  // Second payment by card (no deposit): the total shown includes the card fee; approve at the simulator; return.
  const card = await ok(await gw.gql(`mutation($i: InvoicePayInput!) { invoicePay(input: $i) { payments { ${PAYMENT} } approvalUrl userErrors { code message } } }`,
    { i: { invoiceId: second.order.secondInvoice.id, useDeposit: false, method: 'CARD', idempotencyKey: 'e2e-second' } }, { token: hanako.token }), 'invoicePay');
  const cardPayment = card.payments[0];
  const fee = Number(cardPayment.fee.amount);
  expect(fee).toBe(Math.round((secondTotal * 360) / 10_000) + 40); // 3.6% + ¥40, half up
  expect(Number(cardPayment.total.amount)).toBe(secondTotal + fee);
  const approvalPage = await fetch(card.approvalUrl);
  expect(await approvalPage.text()).toContain('SIMULATOR');
  const providerOrderId = new URL(card.approvalUrl).searchParams.get('order')!;
  const approve = await fetch(new URL('approve', card.approvalUrl), { method: 'POST', body: new URLSearchParams({ order: providerOrderId, action: 'approve' }), redirect: 'manual' });
  expect(approve.status).toBe(303);
  const complete = await ok(await gw.gql(`mutation($i: PaymentCardCompleteInput!) { paymentCardComplete(input: $i) { payment { status } order { status } userErrors { code message } } }`,
    { i: { paymentId: cardPayment.id } }, { token: hanako.token }), 'paymentCardComplete');
  expect(complete).toMatchObject({ payment: { status: 'SETTLED' }, order: { status: 'PREPARING_SHIPMENT' } });

  // Shipping with tracking; receipt with a published comment.
  const shipped = await ok(await gw.gql(`mutation($i: OrderShipInput!) { orderShip(input: $i) { order { status shipment { carrier trackingNumber trackingUrl } } userErrors { code message } } }`,
    { i: { orderId: order.id, carrier: 'JAPAN_POST', trackingNumber: 'ee 123 456 789 jp' } }, { token: clerk.token }), 'orderShip');
  expect(shipped.order.shipment).toMatchObject({ carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP', trackingUrl: expect.stringContaining('EE123456789JP') });
  const comment = 'とても楽しみにしていて、今日受け取りました。丁寧なご対応ありがとうございました。';
  const done = await ok(await gw.gql(`mutation($i: OrderReceiptReportInput!) { orderReceiptReport(input: $i) { order { status completedAt } userErrors { code message } } }`,
    { i: { orderId: order.id, comment, publishComment: true } }, { token: hanako.token }), 'orderReceiptReport');
  expect(done.order.status).toBe('COMPLETED');
  const reports = (await gw.gql(`{ recentArrivalReports(first: 5) { nodes { reportedAt comment } } }`)).data.recentArrivalReports.nodes;
  expect(reports[0]).toEqual({ reportedAt: done.order.completedAt, comment });

  // Every invoice, the ledger and the timeline.
  const detail = (await gw.gql(DETAIL, { id: order.id }, { token: hanako.token })).data.order;
  expect(detail.firstInvoice).toMatchObject({ status: 'PAID', total: { amount: '3483' }, amountPaid: { amount: '3483' }, amountDue: { amount: '0' } });
  expect(detail.firstInvoiceRefunded.amountRefunded.amount).toBe('2137');
  expect(detail.secondInvoice).toMatchObject({ status: 'PAID', amountPaid: { amount: String(secondTotal) } });
  expect(detail.items.map((i: any) => i.status)).toEqual(['ARRIVED', 'UNAVAILABLE', 'ARRIVED']);
  expect(detail.items[0].inspection).toMatchObject({ receivedQuantity: 2, shortfall: 0, note: '外箱に傷なし' });
  expect(detail.items[0].inspection.photos.map((p: any) => p.contentType)).toEqual(['image/jpeg', 'image/png']);
  expect((await fetch(detail.items[0].inspection.photos[0].url)).status).toBe(200);
  expect(detail.items[2].inspection).toMatchObject({ receivedQuantity: 2, shortfall: 1 });
  expect(detail.payments.map((p: any) => [p.method, p.status, p.amount.amount])).toEqual([
    ['DEPOSIT', 'SETTLED', '2000'], ['BANK_TRANSFER', 'SETTLED', '1483'], ['CARD', 'SETTLED', String(secondTotal)],
  ]);
  const ledger = (await gw.gql(`{ me { deposit { balance { amount } entries(first: 10) { nodes { kind amount { amount } balanceAfter { amount } } } } } }`, {}, { token: hanako.token })).data.me.deposit;
  expect(ledger.entries.nodes.map((e: any) => [e.kind, e.amount.amount, e.balanceAfter.amount])).toEqual([
    ['REFUND', '2137', '2137'], ['INVOICE_PAYMENT', '-2000', '0'], ['ADJUSTMENT', '2000', '2000'],
  ]);
  expect(ledger.balance.amount).toBe('2137');
  const statuses = detail.events.nodes.filter((e: any) => e.type === 'ORDER_STATUS_CHANGED').map((e: any) => e.toState);
  expect(statuses).toEqual(['AWAITING_FIRST_PAYMENT', 'PURCHASING', 'AWAITING_ARRIVAL', 'INSPECTING', 'AWAITING_SECOND_PAYMENT', 'PREPARING_SHIPMENT', 'SHIPPED', 'COMPLETED']);
  expect(detail.events.nodes).toContainEqual(expect.objectContaining({ type: 'REFUNDED_TO_DEPOSIT', data: expect.objectContaining({ amount: '2137' }) }));
});

it('completes shipped orders after 30 days, not 29, each exactly once under three sweeps', async () => {
  const owner = await customer(gw);
  const orders = [];
  for (let i = 0; i < 6; i++) orders.push(await shippedOrder(owner));
  const shippedAt = gw.clock.now().getTime();
  expect(await autoCompleteShipped(gw.app, new Date(shippedAt + 29 * 86_400_000))).toBe(0);
  const at30 = new Date(shippedAt + 30 * 86_400_000);
  const counts = await Promise.all([autoCompleteShipped(gw.app, at30), autoCompleteShipped(gw.app, at30), autoCompleteShipped(gw.app, at30)]);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(6);
  const rows: { n: string }[] = await gw.app.ds.query(
    `SELECT count(*) AS n FROM order_event WHERE type = 'ORDER_STATUS_CHANGED' AND to_state = 'COMPLETED' AND order_id = ANY($1) GROUP BY order_id`,
    [orders.map((o) => o.id)],
  );
  expect(rows.map((r) => r.n)).toEqual(Array(6).fill('1'));
});

it('refuses buying an item with an open seller question, and a bad tracking number', async () => {
  const owner = await customer(gw);
  const order = await submitOrder(gw, owner, [itemInput(1)]);
  await gw.upload(`mutation($i: MessageSendInput!) { messageSend(input: $i) { userErrors { code } } }`,
    { i: { orderId: order.id, itemId: order.items[0].id, askSellerBeforePurchase: true, title: 'Q', body: '色は？', files: [] } }, [], { token: owner.token });
  const quoted = await quoteOrder(gw, clerk, order, ['10'], ['0']);
  await ok(await gw.gql(`mutation($i: DepositAdjustInput!) { depositAdjust(input: $i) { userErrors { code } } }`, { i: { accountId: owner.id, amount: yen(10_000), note: 'funds', idempotencyKey: 'q-fund' } }, { token: clerk.token }), 'depositAdjust');
  await ok(await gw.gql(`mutation($i: InvoicePayInput!) { invoicePay(input: $i) { userErrors { code } } }`, { i: { invoiceId: quoted.firstInvoice.id, idempotencyKey: 'q-pay' } }, { token: owner.token }), 'invoicePay');
  const refused = await gw.gql(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code field } } }`, { i: { itemId: order.items[0].id, quantityBought: 1 } }, { token: clerk.token });
  expect(refused.data.orderItemPurchase.userErrors).toEqual([{ code: 'SELLER_QUESTION_OPEN', field: ['input', 'itemId'] }]);
  const asCustomer = await gw.gql(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code } } }`, { i: { itemId: order.items[0].id, quantityBought: 1 } }, { token: owner.token });
  expect(asCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const bad = await gw.gql(`mutation($i: OrderShipInput!) { orderShip(input: $i) { userErrors { code field } } }`, { i: { orderId: order.id, carrier: 'YAMATO', trackingNumber: 'not-a-number' } }, { token: clerk.token });
  expect(bad.data.orderShip.userErrors[0]).toMatchObject({ code: 'INVALID_TRACKING_NUMBER' });
});

describe('after payment and after completion', () => {
  const SEND = `mutation($i: MessageSendInput!) { messageSend(input: $i) { message { id } userErrors { code field } } }`;
  const send = (actor: Actor, orderId: string, extra: Record<string, unknown> = {}) =>
    gw.upload(SEND, { i: { orderId, title: 't', body: 'b', files: [], ...extra } }, [], { token: actor.token });
  const refresh = async (actor: Actor) => {
    actor.token = (await gw.app.tokens.issue(actor.id, gw.clock.now())).token;
  };

  it('refuses a seller question on a paid item', async () => {
    const owner = await customer(gw);
    const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0']);
    await ok(await gw.gql(`mutation($i: DepositAdjustInput!) { depositAdjust(input: $i) { userErrors { code } } }`, { i: { accountId: owner.id, amount: yen(5000), note: 'funds', idempotencyKey: 'sq-fund' } }, { token: clerk.token }), 'depositAdjust');
    await ok(await gw.gql(`mutation($i: InvoicePayInput!) { invoicePay(input: $i) { userErrors { code } } }`, { i: { invoiceId: order.firstInvoice.id, idempotencyKey: 'sq-pay' } }, { token: owner.token }), 'invoicePay');
    const res = await send(owner, order.id, { itemId: order.items[0].id, askSellerBeforePurchase: true });
    expect(res.data.messageSend.userErrors).toEqual([{ code: 'SELLER_QUESTION_NOT_ALLOWED', field: ['input', 'askSellerBeforePurchase'] }]);
  });

  it('keeps the thread open 29 days after completion and closes it at 31', async () => {
    const owner = await customer(gw);
    const order = await shippedOrder(owner);
    await ok(await gw.gql(`mutation($i: OrderReceiptReportInput!) { orderReceiptReport(input: $i) { userErrors { code } } }`, { i: { orderId: order.id } }, { token: owner.token }), 'orderReceiptReport');
    gw.clock.advanceDays(29);
    await refresh(owner);
    expect((await send(owner, order.id)).data.messageSend.userErrors).toEqual([]);
    gw.clock.advanceDays(2);
    await refresh(owner);
    expect((await send(owner, order.id)).data.messageSend.userErrors[0].code).toBe('MESSAGING_CLOSED');
    await refresh(clerk);
  });
});
