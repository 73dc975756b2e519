import { autoCompleteShipped } from '../src/jobs/auto-complete.job';
import { sqlStatementCount } from '../src/app/data-source';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, inspectedOrder, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { jpeg, png } from './support/files';

/**
 * Issue 11, after shipment (seeds 001, 002, 004): a parcel lost, returned to the sender,
 * refused, damaged or with the wrong goods. Staff record a problem, or the customer reports
 * one (a message with photos, as before, that now also opens the problem); the order shows it
 * and is not auto-completed meanwhile; staff resolve it by RESHIP, REFUND or CLOSE.
 */
let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  // Tests move the clock by weeks (auto-completion): tokens live 90 days.
  gw = await startTestGateway({ JWT_TTL_SECONDS: String(90 * 86_400) });
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const yen = (n: number | string) => ({ amount: String(n), currency: 'JPY' });
const PARCEL = { weightKg: '1', lengthCm: '20', widthCm: '20', heightCm: '10' };
const PROBLEM = `id orderId kind status note messageId trackingNumber openedByRole openedAt resolution resolutionNote resolvedAt refundAmount { amount currency } reshipCarrier reshipTrackingNumber`;
const ORDER = `id orderNumber status shippedAt availableActions shipment { carrier trackingNumber shippedAt } deliveryProblems { ${PROBLEM} }
  firstInvoice { amountPaid { amount } amountRefunded { amount } } secondInvoice { amountPaid { amount } amountRefunded { amount } }
  messages(first: 20) { nodes { id title body attachments { contentType } } }
  events(first: 100) { nodes { type fromState toState data } }`;
const DETAIL = `query($id: ID!) { order(id: $id) { ${ORDER} } }`;
const GUEST_DETAIL = `query($n: String!, $p: String!) { guestOrder(orderNumber: $n, phone: $p) { ${ORDER} } }`;
const PAYLOAD = `deliveryProblem { ${PROBLEM} } order { id status availableActions shipment { carrier trackingNumber shippedAt } } userErrors { code field message }`;
const STAFF_REPORT = `mutation($i: OrderDeliveryProblemReportInput!) { orderDeliveryProblemReport(input: $i) { ${PAYLOAD} } }`;
const CUSTOMER_REPORT = `mutation($i: OrderProblemReportInput!) { orderProblemReport(input: $i) { ${PAYLOAD} message { id title body attachments { contentType } } } }`;
const RESOLVE = `mutation($i: OrderDeliveryProblemResolveInput!) { orderDeliveryProblemResolve(input: $i) { ${PAYLOAD} } }`;
const RECEIPT = `mutation($i: OrderReceiptReportInput!) { orderReceiptReport(input: $i) { order { status } userErrors { code message } } }`;
const QUEUE = `query($q: StaffQueue!) { orders(first: 100, filter: { awaiting: $q }) { nodes { id } } }`;
const BALANCE = `{ me { deposit { balance { amount } } } }`;

function ok<T = any>(res: { data: any; errors?: unknown; body: any }, field: string): T {
  if (res.errors || res.data?.[field]?.userErrors?.length) throw new Error(`${field}: ${JSON.stringify(res.body)}`);
  return res.data[field];
}
const detail = async (orderId: string, who: Actor = clerk) => {
  const res = await gw.gql(DETAIL, { id: orderId }, { token: who.token });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.order;
};
const balance = async (who: Actor) => (await gw.gql(BALANCE, {}, { token: who.token })).data.me.deposit.balance.amount as string;
const queue = async (q: string) => (await gw.gql(QUEUE, { q }, { token: clerk.token })).data.orders.nodes.map((o: { id: string }) => o.id) as string[];
const staffReport = (orderId: string, kind = 'LOST', note = '追跡が3週間更新されていません', token = clerk.token) =>
  gw.gql(STAFF_REPORT, { i: { orderId, kind, note } }, { token });
const resolve = (input: Record<string, unknown>, token = clerk.token) => gw.gql(RESOLVE, { i: input }, { token });
function customerReport(input: Record<string, unknown>, files: { name: string; type: string; bytes: Buffer }[] = [], token?: string) {
  return gw.upload(CUSTOMER_REPORT, { i: { ...input, photos: files.map(() => null) } }, files.map((f, n) => ({ ...f, path: `i.photos.${n}` })), token ? { token } : {});
}

/** An order of `owner` shipped with Japan Post EE123456789JP: both invoices paid from the deposit (¥214 goods + ¥500 fee, ¥2,150 shipping). */
async function shippedOrder(owner: Actor) {
  const order = await inspectedOrder(gw, clerk, owner);
  const second = ok(await gw.gql(`mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) { order { secondInvoice { id total { amount } } } userErrors { code message } } }`,
    { i: { orderId: order.id, ...PARCEL } }, { token: clerk.token }), 'invoiceSecondIssue');
  await creditDeposit(gw, clerk, owner.id, BigInt(second.order.secondInvoice.total.amount));
  expect((await invoicePay(gw, owner, { invoiceId: second.order.secondInvoice.id })).data.invoicePay.invoice.status).toBe('PAID');
  ok(await gw.gql(`mutation($i: OrderShipInput!) { orderShip(input: $i) { userErrors { code message } } }`, { i: { orderId: order.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token }), 'orderShip');
  return { ...order, paid: Number(order.firstInvoice.total.amount) + Number(second.order.secondInvoice.total.amount) };
}

/** What a refused mutation must leave alone. */
async function snapshot(orderId: string, owner: Actor) {
  const order = await detail(orderId);
  return { order: { ...order, availableActions: undefined }, balance: await balance(owner), stored: await storedFiles() };
}
async function storedFiles(): Promise<number> {
  const [row] = await gw.app.ds.query(`SELECT count(*)::int AS n FROM attachment`);
  return row.n;
}

describe('staff record a LOST parcel (seed 001: 配送中に注文品を紛失)', () => {
  it('shows it on the order, keeps the order from auto-completing, queues it, and a REFUND to the deposit resolves it', async () => {
    // given a shipped order of ¥2,864 paid from the deposit
    const owner = await customer(gw);
    const order = await shippedOrder(owner);
    expect(order.paid).toBe(2864);
    const before = await detail(order.id, owner);
    expect(before.availableActions).toEqual(expect.arrayContaining(['REPORT_RECEIPT', 'REPORT_PROBLEM']));
    expect((await detail(order.id)).availableActions).toContain('REPORT_DELIVERY_PROBLEM');
    expect((await detail(order.id)).availableActions).not.toContain('RESOLVE_DELIVERY_PROBLEM');

    // when staff record it
    const reported = ok(await staffReport(order.id), 'orderDeliveryProblemReport');

    // then the order shows the open problem, who opened it, and the parcel it is about
    expect(reported.deliveryProblem).toMatchObject({
      orderId: order.id, kind: 'LOST', status: 'OPEN', note: '追跡が3週間更新されていません', messageId: null, trackingNumber: 'EE123456789JP', openedByRole: 'STAFF', resolution: null,
    });
    const asOwner = await detail(order.id, owner);
    expect(asOwner.deliveryProblems).toEqual([reported.deliveryProblem]);
    expect(asOwner.availableActions).not.toContain('REPORT_PROBLEM');
    expect(asOwner.availableActions).toContain('REPORT_RECEIPT');
    const asStaff = await detail(order.id);
    expect(asStaff.availableActions).toContain('RESOLVE_DELIVERY_PROBLEM');
    expect(asStaff.availableActions).not.toContain('REPORT_DELIVERY_PROBLEM');
    expect(asStaff.events.nodes).toContainEqual(expect.objectContaining({ type: 'DELIVERY_PROBLEM_OPENED', toState: 'OPEN' }));
    expect(await queue('DELIVERY_PROBLEM')).toContain(order.id);

    // and 31 days later the sweep leaves it shipped: staff are on it
    gw.clock.advanceDays(31);
    await autoCompleteShipped(gw.app, gw.clock.now());
    expect((await detail(order.id)).status).toBe('SHIPPED');

    // when staff refund everything received (goods, fee and shipping)
    const resolved = ok(await resolve({ problemId: reported.deliveryProblem.id, resolution: 'REFUND', note: '配送業者の調査で紛失が確定しました', refundAmount: yen(2864) }), 'orderDeliveryProblemResolve');

    // then the money is back in the deposit, both invoices record it, and the problem is resolved
    expect(resolved.deliveryProblem).toMatchObject({ status: 'RESOLVED', resolution: 'REFUND', refundAmount: yen(2864), resolutionNote: '配送業者の調査で紛失が確定しました' });
    expect(resolved.deliveryProblem.resolvedAt).not.toBeNull();
    expect(await balance(owner)).toBe('2864');
    const after = await detail(order.id, owner);
    expect(after.firstInvoice.amountRefunded.amount).toBe(after.firstInvoice.amountPaid.amount);
    expect(after.secondInvoice.amountRefunded.amount).toBe(after.secondInvoice.amountPaid.amount);
    expect(after.events.nodes.filter((e: any) => e.type === 'REFUNDED_TO_DEPOSIT')).toHaveLength(2);
    expect(after.events.nodes).toContainEqual(expect.objectContaining({ type: 'DELIVERY_PROBLEM_RESOLVED', fromState: 'OPEN', toState: 'RESOLVED' }));
    expect(after.availableActions).toContain('REPORT_PROBLEM'); // a new problem may be reported
    expect(await queue('DELIVERY_PROBLEM')).not.toContain(order.id);

    // and the next sweep completes the order (30 days since shipping have passed): it reaches an end with its money accounted for
    await autoCompleteShipped(gw.app, gw.clock.now());
    expect((await detail(order.id)).status).toBe('COMPLETED');
  });
});

describe('the customer reports a DAMAGED parcel (seed 003: the receipt form leads to a message with photos)', () => {
  it('sends the message with photos and opens the problem; a receipt report still completes the order and leaves the problem for staff to CLOSE', async () => {
    // given a shipped order
    const owner = await customer(gw);
    const order = await shippedOrder(owner);

    // when the customer reports it with two photos
    const sent = ok(await customerReport({ orderId: order.id, kind: 'DAMAGED', body: '箱が潰れて中身が割れていました' }, [
      { name: 'box.jpg', type: 'image/jpeg', bytes: jpeg() },
      { name: 'item.png', type: 'image/png', bytes: png() },
    ], owner.token), 'orderProblemReport');

    // then the message is in the thread as before, and the problem points at it
    expect(sent.message).toMatchObject({ title: '商品受取時の問題 / Problem on arrival', body: '箱が潰れて中身が割れていました' });
    expect(sent.message.attachments.map((a: any) => a.contentType)).toEqual(['image/jpeg', 'image/png']);
    expect(sent.deliveryProblem).toMatchObject({ kind: 'DAMAGED', status: 'OPEN', messageId: sent.message.id, openedByRole: 'CUSTOMER', note: '箱が潰れて中身が割れていました' });
    expect((await detail(order.id, owner)).messages.nodes.map((m: any) => m.id)).toContain(sent.message.id);

    // when the customer reports receipt anyway (the parcel did arrive)
    const received = ok(await gw.gql(RECEIPT, { i: { orderId: order.id } }, { token: owner.token }), 'orderReceiptReport');

    // then the order is completed and the problem stays open in the staff queue
    expect(received.order.status).toBe('COMPLETED');
    const completed = await detail(order.id);
    expect(completed.deliveryProblems[0].status).toBe('OPEN');
    expect(completed.availableActions).toContain('RESOLVE_DELIVERY_PROBLEM');
    expect(await queue('DELIVERY_PROBLEM')).toContain(order.id);

    // and a RESHIP is refused on a completed order (nothing changed), CLOSE resolves it
    const before = await snapshot(order.id, owner);
    const reship = await resolve({ problemId: sent.deliveryProblem.id, resolution: 'RESHIP', note: 'x', carrier: 'YAMATO', trackingNumber: '123456789012' });
    expect(reship.data.orderDeliveryProblemResolve.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'resolution'] })]);
    expect(await snapshot(order.id, owner)).toEqual(before);
    const closed = ok(await resolve({ problemId: sent.deliveryProblem.id, resolution: 'CLOSE', note: 'お客様と相談の上、対応済みです' }), 'orderDeliveryProblemResolve');
    expect(closed.deliveryProblem).toMatchObject({ status: 'RESOLVED', resolution: 'CLOSE', refundAmount: null, reshipTrackingNumber: null });
    expect(closed.order.status).toBe('COMPLETED');
    expect(await queue('DELIVERY_PROBLEM')).not.toContain(order.id);
  });
});

describe('RESHIP (seed 004: 商品が返送された)', () => {
  it('puts the new carrier and tracking number on the order and restarts the 30 days to auto-completion from the reship', async () => {
    // given a shipped order returned to the sender on day 20
    const owner = await customer(gw);
    const order = await shippedOrder(owner);
    const shippedAt = (await detail(order.id)).shippedAt;
    gw.clock.advanceDays(20);
    const reported = ok(await staffReport(order.id, 'RETURNED_TO_SENDER', '宛先不明で返送されました'), 'orderDeliveryProblemReport');

    // when staff send it again with Yamato
    const reshipped = ok(await resolve({ problemId: reported.deliveryProblem.id, resolution: 'RESHIP', note: '住所を確認のうえ再発送しました', carrier: 'YAMATO', trackingNumber: '1234-5678-9012' }), 'orderDeliveryProblemResolve');

    // then the order shows the new parcel, shipped now, and stays SHIPPED
    expect(reshipped.deliveryProblem).toMatchObject({ status: 'RESOLVED', resolution: 'RESHIP', reshipCarrier: 'YAMATO', reshipTrackingNumber: '123456789012', trackingNumber: 'EE123456789JP' });
    expect(reshipped.order).toMatchObject({ status: 'SHIPPED', shipment: { carrier: 'YAMATO', trackingNumber: '123456789012', shippedAt: gw.clock.now().toISOString() } });
    const resolvedEvent = (await detail(order.id)).events.nodes.find((e: any) => e.type === 'DELIVERY_PROBLEM_RESOLVED');
    expect(resolvedEvent.data).toMatchObject({ resolution: 'RESHIP', carrier: 'YAMATO', trackingNumber: '123456789012', previousTrackingNumber: 'EE123456789JP' });
    expect(new Date(shippedAt).getTime()).toBeLessThan(new Date(reshipped.order.shipment.shippedAt).getTime());

    // and 15 days later (35 after the first shipping) it is not auto-completed; 31 days after the reship it is
    gw.clock.advanceDays(15);
    await autoCompleteShipped(gw.app, gw.clock.now());
    expect((await detail(order.id)).status).toBe('SHIPPED');
    gw.clock.advanceDays(16);
    await autoCompleteShipped(gw.app, gw.clock.now());
    expect((await detail(order.id)).status).toBe('COMPLETED');
  });
});

describe('a guest', () => {
  it('reports a problem with order number and phone, and a refund to a guest goes back to a bank account (no deposit)', async () => {
    // given a guest order paid by confirmed bank transfers and shipped
    const guest = { orderNumber: '', phone: '080-9999-0000' };
    const quoted = await quoteOrder(gw, clerk, await submitOrder(gw, null, [itemInput(1)]), ['10'], ['0']);
    guest.orderNumber = quoted.orderNumber;
    const payByTransfer = async (invoiceId: string, amount: string) => {
      const paid = (await invoicePay(gw, null, { invoiceId, method: 'BANK_TRANSFER', guest })).data.invoicePay;
      const transfer = paid.payments[0];
      ok(await gw.gql(`mutation($i: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $i) { userErrors { code message } } }`,
        { i: { paymentId: transfer.id, payerName: 'ｹﾞｽﾄ', amount: yen(amount), transferDate: gw.clock.now().toISOString().slice(0, 10), guest } }), 'paymentBankTransferReport');
      ok(await gw.gql(`mutation($i: PaymentConfirmInput!) { paymentConfirm(input: $i) { userErrors { code message } } }`, { i: { paymentId: transfer.id, receivedAmount: yen(amount) } }, { token: clerk.token }), 'paymentConfirm');
    };
    await payByTransfer(quoted.firstInvoice.id, quoted.firstInvoice.total.amount);
    ok(await gw.gql(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code message } } }`, { i: { itemId: quoted.items[0].id, quantityBought: 1 } }, { token: clerk.token }), 'orderItemPurchase');
    ok(await gw.gql(`mutation($i: OrderItemArrivalInput!) { orderItemArrival(input: $i) { userErrors { code message } } }`, { i: { itemId: quoted.items[0].id, receivedQuantity: 1 } }, { token: clerk.token }), 'orderItemArrival');
    const second = ok(await gw.gql(`mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) { order { secondInvoice { id total { amount } } } userErrors { code message } } }`,
      { i: { orderId: quoted.id, ...PARCEL } }, { token: clerk.token }), 'invoiceSecondIssue');
    await payByTransfer(second.order.secondInvoice.id, second.order.secondInvoice.total.amount);
    ok(await gw.gql(`mutation($i: OrderShipInput!) { orderShip(input: $i) { userErrors { code message } } }`, { i: { orderId: quoted.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token }), 'orderShip');
    const asGuest = async () => (await gw.gql(GUEST_DETAIL, { n: guest.orderNumber, p: guest.phone })).data.guestOrder;
    expect((await asGuest()).availableActions).toContain('REPORT_PROBLEM');

    // when the guest reports the wrong goods
    const sent = ok(await customerReport({ orderId: quoted.id, kind: 'WRONG_ITEM', body: '別の商品が届きました', guest }), 'orderProblemReport');

    // then the problem is open, reported by a guest, and shown to them
    expect(sent.deliveryProblem).toMatchObject({ kind: 'WRONG_ITEM', status: 'OPEN', openedByRole: 'GUEST' });
    expect((await asGuest()).deliveryProblems.map((p: any) => p.status)).toEqual(['OPEN']);
    expect((await asGuest()).availableActions).not.toContain('REPORT_PROBLEM');

    // when staff refund ¥300
    ok(await resolve({ problemId: sent.deliveryProblem.id, resolution: 'REFUND', note: '一部返金いたします', refundAmount: yen(300) }), 'orderDeliveryProblemResolve');

    // then it goes back where it came from (a bank payout awaiting the guest's account), recorded on the first invoice
    const after = await asGuest();
    expect(after.events.nodes).toContainEqual(expect.objectContaining({ type: 'REFUNDED_TO_ORIGINAL_METHOD', data: expect.objectContaining({ amount: '300', bankTransfer: '300' }) }));
    expect(after.events.nodes).toContainEqual(expect.objectContaining({ type: 'WITHDRAWAL_REQUESTED', data: expect.objectContaining({ amount: '300', awaitingBankAccount: true }) }));
    expect(after.events.nodes.some((e: any) => e.type === 'REFUNDED_TO_DEPOSIT')).toBe(false);
    expect(after.firstInvoice.amountRefunded.amount).toBe('300');
  });
});

describe('refusals change nothing', () => {
  it('refuses reports before shipment, a second open problem, someone else’s order, and the wrong mutation for the caller', async () => {
    const owner = await customer(gw);
    const other = await customer(gw);
    const inspected = await inspectedOrder(gw, clerk, owner);

    // before shipment: INVALID_STATE for staff and customer; no message written, no file stored
    const early = await snapshot(inspected.id, owner);
    expect((await staffReport(inspected.id)).data.orderDeliveryProblemReport.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'orderId'] })]);
    const customerEarly = await customerReport({ orderId: inspected.id, kind: 'LOST', body: 'まだ届きません' }, [{ name: 'a.png', type: 'image/png', bytes: png() }], owner.token);
    expect(customerEarly.data.orderProblemReport.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'orderId'] })]);
    expect(await snapshot(inspected.id, owner)).toEqual(early);
    expect((await detail(inspected.id, owner)).availableActions).not.toContain('REPORT_PROBLEM');

    // shipped, with a problem open: a second report is DELIVERY_PROBLEM_OPEN, from either side
    const order = await shippedOrder(owner);
    ok(await staffReport(order.id, 'LOST'), 'orderDeliveryProblemReport');
    const open = await snapshot(order.id, owner);
    expect((await staffReport(order.id, 'DAMAGED')).data.orderDeliveryProblemReport.userErrors).toEqual([expect.objectContaining({ code: 'DELIVERY_PROBLEM_OPEN' })]);
    const second = await customerReport({ orderId: order.id, kind: 'DAMAGED', body: '壊れていました' }, [{ name: 'a.png', type: 'image/png', bytes: png() }], owner.token);
    expect(second.data.orderProblemReport.userErrors).toEqual([expect.objectContaining({ code: 'DELIVERY_PROBLEM_OPEN', field: ['input', 'orderId'] })]);
    expect(await snapshot(order.id, owner)).toEqual(open);

    // someone else's order looks missing; an empty note or body is INVALID; staff use their own mutation; customers cannot record or resolve for staff
    const fresh = await shippedOrder(owner);
    const untouched = await snapshot(fresh.id, owner);
    expect((await customerReport({ orderId: fresh.id, kind: 'LOST', body: 'x' }, [], other.token)).data.orderProblemReport.userErrors[0].code).toBe('NOT_FOUND');
    expect((await customerReport({ orderId: fresh.id, kind: 'LOST', body: ' ' }, [], owner.token)).data.orderProblemReport.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'body'] });
    expect((await staffReport(fresh.id, 'LOST', '')).data.orderDeliveryProblemReport.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'note'] });
    expect((await customerReport({ orderId: fresh.id, kind: 'LOST', body: 'x' }, [], clerk.token)).data.orderProblemReport.userErrors[0]).toMatchObject({ code: 'INVALID' });
    const forbidden = await staffReport(fresh.id, 'LOST', 'x', owner.token);
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await gw.upload(CUSTOMER_REPORT, { i: { orderId: fresh.id, kind: 'LOST', body: 'x' } }, []);
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // four photos are one more than a message carries
    const four = Array.from({ length: 4 }, (_, n) => ({ name: `p${n}.png`, type: 'image/png', bytes: png() }));
    expect((await customerReport({ orderId: fresh.id, kind: 'DAMAGED', body: 'x' }, four, owner.token)).data.orderProblemReport.userErrors[0]).toMatchObject({ code: 'TOO_MANY_FILES', field: ['input', 'photos'] });
    expect(await snapshot(fresh.id, owner)).toEqual(untouched);
  });

  it('refuses each bad resolution with its code and field, leaving the problem, the order and the money as they were', async () => {
    // given a shipped order (¥2,864 received) with an open problem
    const owner = await customer(gw);
    const order = await shippedOrder(owner);
    const problemId = ok(await staffReport(order.id), 'orderDeliveryProblemReport').deliveryProblem.id;
    const before = await snapshot(order.id, owner);
    const attempt = async (input: Record<string, unknown>, token = clerk.token) => (await resolve({ problemId, note: '対応', ...input }, token)).data?.orderDeliveryProblemResolve?.userErrors;

    // when staff try each wrong resolution, then each is refused where the input is wrong
    expect(await attempt({ problemId: '00000000-0000-4000-8000-000000000000', resolution: 'CLOSE' })).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'problemId'] })]);
    expect(await attempt({ problemId: 'not-an-id', resolution: 'CLOSE' })).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    expect(await attempt({ resolution: 'CLOSE', note: ' ' })).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'note'] })]);
    expect(await attempt({ resolution: 'RESHIP', trackingNumber: '123456789012' })).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'carrier'] })]);
    expect(await attempt({ resolution: 'RESHIP', carrier: 'YAMATO', trackingNumber: 'ABC' })).toEqual([expect.objectContaining({ code: 'INVALID_TRACKING_NUMBER', field: ['input', 'trackingNumber'] })]);
    expect(await attempt({ resolution: 'RESHIP', carrier: 'JAPAN_POST', trackingNumber: 'ee 123 456 789 jp' })).toEqual([expect.objectContaining({ code: 'INVALID_TRACKING_NUMBER' })]);
    expect(await attempt({ resolution: 'REFUND' })).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'refundAmount'] })]);
    expect(await attempt({ resolution: 'REFUND', refundAmount: yen(2865) })).toEqual([expect.objectContaining({ code: 'REFUND_EXCEEDS_PAID', field: ['input', 'refundAmount', 'amount'] })]);
    expect(await attempt({ resolution: 'REFUND', refundAmount: yen(0) })).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'refundAmount', 'amount'] })]);
    expect(await attempt({ resolution: 'REFUND', refundAmount: { amount: '10.00', currency: 'CNY' } })).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'refundAmount', 'currency'] })]);
    expect(await attempt({ resolution: 'CLOSE', refundAmount: yen(100) })).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'refundAmount'] })]);
    expect(await attempt({ resolution: 'REFUND', refundAmount: yen(100), carrier: 'YAMATO' })).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'carrier'] })]);
    const asCustomer = await resolve({ problemId, resolution: 'CLOSE', note: 'x' }, owner.token);
    expect(asCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot(order.id, owner)).toEqual(before);

    // and once resolved, resolving again is INVALID_STATE, and RESOLVE_DELIVERY_PROBLEM is no longer offered
    ok(await resolve({ problemId, resolution: 'REFUND', note: '返金', refundAmount: yen(1000) }), 'orderDeliveryProblemResolve');
    const resolved = await snapshot(order.id, owner);
    expect(resolved.balance).toBe('1000');
    expect(await attempt({ resolution: 'CLOSE' })).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'problemId'] })]);
    expect((await detail(order.id)).availableActions).not.toContain('RESOLVE_DELIVERY_PROBLEM');
    expect(await snapshot(order.id, owner)).toEqual(resolved);

    // and a later refund is held to what is left (¥1,864)
    const next = ok(await staffReport(order.id, 'DAMAGED', '二度目'), 'orderDeliveryProblemReport').deliveryProblem.id;
    expect((await resolve({ problemId: next, resolution: 'REFUND', note: 'x', refundAmount: yen(1865) })).data.orderDeliveryProblemResolve.userErrors[0].code).toBe('REFUND_EXCEEDS_PAID');
    ok(await resolve({ problemId: next, resolution: 'REFUND', note: 'x', refundAmount: yen(1864) }), 'orderDeliveryProblemResolve');
    expect(await balance(owner)).toBe('2864');
  });
});

describe('concurrency', () => {
  it('refunds once when two staff resolve the same problem with REFUND at the same time', async () => {
    // given a shipped order with an open problem
    const owner = await customer(gw);
    const order = await shippedOrder(owner);
    const problemId = ok(await staffReport(order.id), 'orderDeliveryProblemReport').deliveryProblem.id;
    const other = await staff(gw);

    // when two resolutions race (different amounts, so a double refund could not hide)
    const [a, b] = await Promise.all([
      resolve({ problemId, resolution: 'REFUND', note: 'A', refundAmount: yen(1000) }),
      resolve({ problemId, resolution: 'REFUND', note: 'B', refundAmount: yen(700) }, other.token),
    ]);

    // then exactly one wins, the other finds the problem resolved, and the deposit moved once
    const results = [a, b].map((r) => r.data.orderDeliveryProblemResolve);
    const winners = results.filter((r) => r.userErrors.length === 0);
    expect(winners).toHaveLength(1);
    expect(results.find((r) => r.userErrors.length)!.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE' })]);
    expect(await balance(owner)).toBe(winners[0].deliveryProblem.refundAmount.amount);
    const after = await detail(order.id);
    const refunded = Number(after.firstInvoice.amountRefunded.amount) + Number(after.secondInvoice.amountRefunded.amount);
    expect(String(refunded)).toBe(winners[0].deliveryProblem.refundAmount.amount);
    expect(after.events.nodes.filter((e: any) => e.type === 'DELIVERY_PROBLEM_RESOLVED')).toHaveLength(1);
  });

  it('opens one problem when the customer and staff report at the same time', async () => {
    const owner = await customer(gw);
    const order = await shippedOrder(owner);
    const [byStaff, byCustomer] = await Promise.all([staffReport(order.id), customerReport({ orderId: order.id, kind: 'LOST', body: '届きません' }, [], owner.token)]);
    const errors = [byStaff.data.orderDeliveryProblemReport.userErrors, byCustomer.data.orderProblemReport.userErrors];
    expect(errors.filter((e) => e.length === 0)).toHaveLength(1);
    expect(errors.flat()).toEqual([expect.objectContaining({ code: 'DELIVERY_PROBLEM_OPEN' })]);
    expect((await detail(order.id)).deliveryProblems).toHaveLength(1);
  });
});

describe('reading', () => {
  it('lists orders with their delivery problems at a fixed statement count (one DataLoader statement for all orders)', async () => {
    // given a customer with 2 shipped orders with problems, then 5
    const owner = await customer(gw);
    const LIST = `{ orders(first: 50) { nodes { id availableActions deliveryProblems { id kind status refundAmount { amount } } } } }`;
    const addOrders = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const order = await shippedOrder(owner);
        ok(await staffReport(order.id, 'DAMAGED'), 'orderDeliveryProblemReport');
      }
    };
    const statements = async () => {
      const start = sqlStatementCount(gw.app.ds);
      const res = await gw.gql(LIST, {}, { token: owner.token });
      expect(res.errors).toBeUndefined();
      return { count: sqlStatementCount(gw.app.ds) - start, nodes: res.data.orders.nodes };
    };
    await addOrders(2);
    const small = await statements();

    // when 3 more are added
    await addOrders(3);
    const large = await statements();

    // then every order shows its problem and the count did not grow
    expect(large.nodes).toHaveLength(5);
    expect(large.nodes.every((o: any) => o.deliveryProblems.length === 1 && o.availableActions.includes('REPORT_RECEIPT'))).toBe(true);
    expect(large.count).toBe(small.count);
  });
});
