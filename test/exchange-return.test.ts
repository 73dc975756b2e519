import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, inspectedOrder, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { jpeg, png } from './support/files';

let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const REQUEST_FIELDS = `id kind status reason itemId messageId requestedAt decidedAt decisionNote completedAt completionNote chargeTo
  localShippingCost { amount currency } localShippingJpy { amount } refunded { amount } withheldFromRefund { amount } secondInvoiceCharge { amount }`;
const REQUEST = `mutation($i: ItemExchangeRequestInput!) { itemExchangeRequest(input: $i) {
  returnRequest { ${REQUEST_FIELDS} } item { id status } order { status }
  message { id title body itemId attachments { filename contentType } } userErrors { code field message } } }`;
const DECIDE = `mutation($i: ItemExchangeDecideInput!) { itemExchangeDecide(input: $i) {
  returnRequest { ${REQUEST_FIELDS} } item { status } order { status } userErrors { code field message } } }`;
const COMPLETE = `mutation($i: ItemExchangeCompleteInput!) { itemExchangeComplete(input: $i) { returnRequest { ${REQUEST_FIELDS} } userErrors { code field message } } }`;
const SECOND = `mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) {
  order { status secondInvoice { id status revision total { amount } lines { kind description itemId amount { amount } sourceAmount { amount currency } } } } userErrors { code field message } } }`;
const DETAIL = `query($id: ID!) { order(id: $id) { status
  items { id status availableActions returnRequests { ${REQUEST_FIELDS} } }
  firstInvoice { total { amount } amountPaid { amount } amountRefunded { amount } }
  secondInvoice { id status revision total { amount } amountPaid { amount } lines { kind description amount { amount } sourceAmount { amount currency } } }
  messages(first: 20) { nodes { id title itemId attachments { contentType } } }
  events(first: 100) { nodes { type itemId fromState toState data } } } }`;

function request(actor: Actor, input: Record<string, unknown>, files: { name: string; type: string; bytes: Buffer }[] = []) {
  return gw.upload(REQUEST, { i: { ...input, photos: files.map(() => null) } }, files.map((f, n) => ({ ...f, path: `i.photos.${n}` })), { token: actor.token });
}
const decide = (input: Record<string, unknown>, token = clerk.token) => gw.gql(DECIDE, { i: input }, { token });
const detail = async (orderId: string, token: string) => (await gw.gql(DETAIL, { id: orderId }, { token })).data.order;
const issueSecond = (orderId: string) => gw.gql(SECOND, { i: { orderId, weightKg: '1', lengthCm: '20', widthCm: '20', heightCm: '10' } }, { token: clerk.token });
const balance = async (actor: Actor) => (await gw.gql(`{ me { deposit { balance { amount } entries(first: 5) { nodes { kind amount { amount } } } } } }`, {}, { token: actor.token })).data.me.deposit;
/** What the first invoice charged for one item (goods + China shipping lines). */
const paidFor = (order: { firstInvoice: { lines: { itemId: string | null; amount: { amount: string } }[] } }, itemId: string) =>
  order.firstInvoice.lines.filter((l) => l.itemId === itemId).reduce((sum, l) => sum + Number(l.amount.amount), 0);

function ok<T = any>(res: { data: any; errors?: unknown; body: any }, field: string): T {
  if (res.errors || res.data?.[field]?.userErrors?.length) throw new Error(`${field}: ${JSON.stringify(res.body)}`);
  return res.data[field];
}

describe('a RETURN accepted by the seller', () => {
  it('refunds the item to the deposit less the customer-paid local shipping, cancels the item and records every step', async () => {
    // given an inspected order of two items (¥214 and ¥427 of goods at 21.37), paid from the deposit
    const hanako = await customer(gw);
    const order = await inspectedOrder(gw, clerk, hanako, { items: [itemInput(1), itemInput(2)], prices: ['10', '20'] });
    const [broken, fine] = order.items;
    expect(paidFor(order, broken.id)).toBe(214);
    const before = await detail(order.id, hanako.token);
    expect(before.status).toBe('INSPECTING');
    expect(before.items[0].availableActions).toEqual(expect.arrayContaining(['REQUEST_EXCHANGE', 'REQUEST_RETURN']));
    expect((await detail(order.id, clerk.token)).items[0].availableActions).not.toContain('REQUEST_RETURN');
    expect((await balance(hanako)).balance.amount).toBe('0');

    // when the customer asks to return it, with two photos
    const asked = ok(await request(hanako, { itemId: broken.id, kind: 'RETURN', reason: '色が注文と違います' }, [
      { name: 'front.jpg', type: 'image/jpeg', bytes: jpeg() },
      { name: 'label.png', type: 'image/png', bytes: png() },
    ]), 'itemExchangeRequest');

    // then the request is recorded and the thread carries it with the photos
    expect(asked.returnRequest).toMatchObject({ kind: 'RETURN', status: 'REQUESTED', reason: '色が注文と違います', itemId: broken.id, decidedAt: null });
    expect(asked.message).toMatchObject({ id: asked.returnRequest.messageId, body: "色が注文と違います", itemId: broken.id });
    expect(asked.message.title).toContain('Return request');
    expect(asked.message.attachments.map((a: any) => a.contentType)).toEqual(['image/jpeg', 'image/png']);

    // when the seller accepts and the customer pays the 5.00 CNY local shipping (¥106.85 → ¥107 at 21.37, half up)
    const decided = ok(await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: '返品を承りました', localShippingCost: { amount: '5.00', currency: 'CNY' }, chargeTo: 'CUSTOMER' }), 'itemExchangeDecide');

    // then ¥214 − ¥107 goes back to the deposit, the item is cancelled, and the return is complete
    expect(decided.returnRequest).toMatchObject({
      status: 'COMPLETED', chargeTo: 'CUSTOMER', decisionNote: '返品を承りました', localShippingCost: { amount: '5.00', currency: 'CNY' },
      localShippingJpy: { amount: '107' }, refunded: { amount: '107' }, withheldFromRefund: { amount: '107' }, secondInvoiceCharge: { amount: '0' },
    });
    expect(decided.item.status).toBe('CANCELLED');
    expect(decided.order.status).toBe('INSPECTING');
    const deposit = await balance(hanako);
    expect(deposit.balance.amount).toBe('107');
    expect(deposit.entries.nodes[0]).toEqual({ kind: 'REFUND', amount: { amount: '107' } });
    const after = await detail(order.id, hanako.token);
    expect(after.firstInvoice.amountRefunded.amount).toBe('107');
    expect(after.items.map((i: any) => i.status)).toEqual(['CANCELLED', 'ARRIVED']);
    expect(after.items[0].availableActions).toEqual([]);
    expect(after.items[0].returnRequests).toHaveLength(1);
    expect(after.messages.nodes.map((m: any) => m.id)).toContain(asked.message.id);
    const mine = after.events.nodes.filter((e: any) => e.itemId === broken.id).map((e: any) => [e.type, e.toState]);
    expect(mine).toEqual(expect.arrayContaining([
      ['ITEM_RETURN_REQUESTED', 'REQUESTED'], ['ITEM_RETURN_SELLER_ACCEPTED', 'SELLER_ACCEPTED'], ['ITEM_RETURN_COMPLETED', 'COMPLETED'],
      ['ITEM_STATUS_CHANGED', 'CANCELLED'], ['REFUNDED_TO_DEPOSIT', null],
    ]));

    // and the second invoice bills the shipping only (the local shipping was netted from the refund)
    const second = ok(await issueSecond(order.id), 'invoiceSecondIssue');
    expect(second.order.secondInvoice.lines.map((l: any) => l.kind)).toEqual(['INTERNATIONAL_SHIPPING']);
    expect(fine.id).toBeDefined();
  });

  it('of the last item cancels the order and refunds all of the first payment when the operator pays the shipping', async () => {
    // given a one-item order
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner);
    const total = order.firstInvoice.total.amount;
    const asked = ok(await request(owner, { itemId: order.items[0].id, kind: 'RETURN', reason: '破損していました' }), 'itemExchangeRequest');

    // when the seller accepts and the operator pays the local shipping
    const decided = ok(await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'Seller’s fault', localShippingCost: { amount: '800', currency: 'JPY' }, chargeTo: 'OPERATOR' }), 'itemExchangeDecide');

    // then the whole first payment (goods and service fee) is back in the deposit and the order is cancelled
    expect(decided.returnRequest).toMatchObject({ status: 'COMPLETED', chargeTo: 'OPERATOR', refunded: { amount: total }, withheldFromRefund: { amount: '0' } });
    expect(decided.order.status).toBe('CANCELLED');
    expect((await balance(owner)).balance.amount).toBe(total);
    const after = await detail(order.id, owner.token);
    expect(after.firstInvoice).toMatchObject({ amountPaid: { amount: total }, amountRefunded: { amount: total } });
  });


  it('bills on the second invoice the customer-paid shipping that the refund cannot cover', async () => {
    // given two items; the first cost ¥214
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner, { items: [itemInput(1), itemInput(2)] });
    const asked = ok(await request(owner, { itemId: order.items[0].id, kind: 'RETURN', reason: '不要になりました' }), 'itemExchangeRequest');

    // when the seller accepts and the customer pays ¥500 of local shipping
    const decided = ok(await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'OK', localShippingCost: { amount: '500', currency: 'JPY' }, chargeTo: 'CUSTOMER' }), 'itemExchangeDecide');

    // then the whole ¥214 is kept for it, and the other ¥286 waits for the second invoice
    expect(decided.returnRequest).toMatchObject({ refunded: { amount: '0' }, withheldFromRefund: { amount: '214' }, secondInvoiceCharge: { amount: '286' } });
    expect((await balance(owner)).balance.amount).toBe('0');
    const second = ok(await issueSecond(order.id), 'invoiceSecondIssue');
    expect(second.order.secondInvoice.lines.map((l: any) => [l.kind, l.description, l.amount.amount])).toEqual([
      ['INTERNATIONAL_SHIPPING', expect.any(String), '2150'], ['OTHER', 'Return shipping: 商品 1', '286'],
    ]);
  });
});

describe('an EXCHANGE accepted by the seller', () => {
  it('holds the second invoice until the replacement is inspected, then bills the local shipping on it', async () => {
    // given an inspected order and an exchange request
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner);
    const item = order.items[0];
    const asked = ok(await request(owner, { itemId: item.id, kind: 'EXCHANGE', reason: 'サイズ違い' }), 'itemExchangeRequest');
    expect(asked.message.title).toContain('Exchange request');

    // then, while the seller is asked, packing is not final
    expect((await issueSecond(order.id)).data.invoiceSecondIssue.userErrors).toEqual([expect.objectContaining({ code: 'EXCHANGE_IN_PROGRESS', field: ['input', 'orderId'] })]);

    // when the seller accepts and the customer pays ¥300 of local shipping
    const decided = ok(await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: '交換品を手配します', localShippingCost: { amount: '300', currency: 'JPY' }, chargeTo: 'CUSTOMER' }), 'itemExchangeDecide');
    expect(decided.returnRequest).toMatchObject({ status: 'SELLER_ACCEPTED', secondInvoiceCharge: { amount: '300' }, refunded: { amount: '0' } });
    expect(decided.item.status).toBe('ARRIVED');
    expect((await issueSecond(order.id)).data.invoiceSecondIssue.userErrors[0].code).toBe('EXCHANGE_IN_PROGRESS');

    // when the replacement arrives and is inspected
    const done = ok(await gw.gql(COMPLETE, { i: { requestId: asked.returnRequest.id, receivedQuantity: 1, note: '交換品に問題なし' } }, { token: clerk.token }), 'itemExchangeComplete');
    expect(done.returnRequest).toMatchObject({ status: 'COMPLETED', completionNote: '交換品に問題なし' });

    // then the second invoice carries the exchange shipping, and can be paid
    const second = ok(await issueSecond(order.id), 'invoiceSecondIssue');
    const lines = second.order.secondInvoice.lines;
    expect(lines.map((l: any) => [l.kind, l.description, l.itemId, l.amount.amount])).toEqual([
      ['INTERNATIONAL_SHIPPING', expect.any(String), null, '2150'],
      ['OTHER', 'Exchange shipping: 商品 1', item.id, '300'],
    ]);
    expect(second.order.secondInvoice.total.amount).toBe('2450');
    await creditDeposit(gw, clerk, owner.id, 2450);
    const paid = await invoicePay(gw, owner, { invoiceId: second.order.secondInvoice.id });
    expect(paid.data.invoicePay.invoice).toMatchObject({ status: 'PAID', amountPaid: { amount: '2450' } });
    const events = (await detail(order.id, owner.token)).events.nodes.map((e: any) => e.type);
    expect(events).toEqual(expect.arrayContaining(['ITEM_EXCHANGE_REQUESTED', 'ITEM_EXCHANGE_SELLER_ACCEPTED', 'ITEM_EXCHANGE_COMPLETED']));
  });

  it('adds the local shipping to a second invoice already open (a new revision)', async () => {
    // given an order whose second invoice (¥2,150) is open
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner);
    const issued = ok(await issueSecond(order.id), 'invoiceSecondIssue');
    expect(issued.order).toMatchObject({ status: 'AWAITING_SECOND_PAYMENT', secondInvoice: { revision: 1, total: { amount: '2150' } } });
    const asked = ok(await request(owner, { itemId: order.items[0].id, kind: 'EXCHANGE', reason: '動作しません' }), 'itemExchangeRequest');

    // when the seller accepts with 10.00 CNY of local shipping for the customer (¥213.70 → ¥214)
    ok(await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'OK', localShippingCost: { amount: '10.00', currency: 'CNY' }, chargeTo: 'CUSTOMER' }), 'itemExchangeDecide');

    // then the open invoice grows by that line, with its yuan source
    const after = await detail(order.id, owner.token);
    expect(after.secondInvoice).toMatchObject({ status: 'OPEN', revision: 2, total: { amount: '2364' } });
    expect(after.secondInvoice.lines[1]).toEqual({ kind: 'OTHER', description: 'Exchange shipping: 商品 1', amount: { amount: '214' }, sourceAmount: { amount: '10.00', currency: 'CNY' } });
    expect(after.events.nodes).toContainEqual(expect.objectContaining({ type: 'INVOICE_RECOMPUTED', data: expect.objectContaining({ totalBefore: '2150', totalAfter: '2364' }) }));
  });
});

describe('the seller refuses', () => {
  it('changes nothing but the request, and the customer may ask again', async () => {
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner);
    const item = order.items[0];
    const asked = ok(await request(owner, { itemId: item.id, kind: 'RETURN', reason: 'イメージと違う' }), 'itemExchangeRequest');

    // a refusal records no local shipping
    const withCost = await decide({ requestId: asked.returnRequest.id, sellerAccepted: false, note: 'x', localShippingCost: { amount: '100', currency: 'JPY' }, chargeTo: 'CUSTOMER' });
    expect(withCost.data.itemExchangeDecide.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'localShippingCost'] })]);

    const refused = ok(await decide({ requestId: asked.returnRequest.id, sellerAccepted: false, note: '出品者が返品を受け付けませんでした' }), 'itemExchangeDecide');
    expect(refused.returnRequest).toMatchObject({ status: 'SELLER_REFUSED', refunded: { amount: '0' }, chargeTo: null });
    expect(refused.item.status).toBe('ARRIVED');
    expect((await balance(owner)).balance.amount).toBe('0');

    // deciding twice is refused
    const again = await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'changed mind' });
    expect(again.data.itemExchangeDecide.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'requestId'] })]);

    // a new request is possible once the last one is settled
    gw.clock.set(new Date(gw.clock.now().getTime() + 60_000));
    ok(await request(owner, { itemId: item.id, kind: 'EXCHANGE', reason: 'では交換を' }), 'itemExchangeRequest');
    const twice = await request(owner, { itemId: item.id, kind: 'RETURN', reason: 'もう一度' });
    expect(twice.data.itemExchangeRequest.userErrors).toEqual([expect.objectContaining({ code: 'EXCHANGE_ALREADY_REQUESTED', field: ['input', 'itemId'] })]);
    expect((await detail(order.id, owner.token)).items[0].returnRequests.map((r: any) => [r.kind, r.status])).toEqual([['RETURN', 'SELLER_REFUSED'], ['EXCHANGE', 'REQUESTED']]);
  });
});

describe('refusals', () => {
  it('refuses an item not yet inspected, and an order whose second invoice is paid', async () => {
    const owner = await customer(gw);
    // bought, not arrived
    const early = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0']);
    await creditDeposit(gw, clerk, owner.id, 100_000);
    ok(await invoicePay(gw, owner, { invoiceId: early.firstInvoice.id }), 'invoicePay');
    ok(await gw.gql(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code } } }`, { i: { itemId: early.items[0].id, quantityBought: 1 } }, { token: clerk.token }), 'orderItemPurchase');
    const tooEarly = await request(owner, { itemId: early.items[0].id, kind: 'EXCHANGE', reason: 'x' });
    expect(tooEarly.data.itemExchangeRequest.userErrors).toEqual([expect.objectContaining({ code: 'EXCHANGE_NOT_ALLOWED', field: ['input', 'itemId'] })]);

    // second invoice paid: the parcel is being prepared
    const late = await inspectedOrder(gw, clerk, owner);
    const second = ok(await issueSecond(late.id), 'invoiceSecondIssue');
    ok(await invoicePay(gw, owner, { invoiceId: second.order.secondInvoice.id }), 'invoicePay');
    const tooLate = await request(owner, { itemId: late.items[0].id, kind: 'RETURN', reason: 'x' });
    expect(tooLate.data.itemExchangeRequest.userErrors).toEqual([expect.objectContaining({ code: 'EXCHANGE_NOT_ALLOWED' })]);
    expect((await detail(late.id, owner.token)).items[0].availableActions).not.toContain('REQUEST_EXCHANGE');

    // nothing was written to the threads
    expect((await detail(early.id, owner.token)).messages.nodes).toEqual([]);
  });

  it('answers another customer’s item like a missing one, and forbids customers the staff operations', async () => {
    const owner = await customer(gw);
    const stranger = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner);
    const foreign = await request(stranger, { itemId: order.items[0].id, kind: 'RETURN', reason: 'not mine' });
    expect(foreign.data.itemExchangeRequest.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'itemId'] })]);
    const missing = await request(stranger, { itemId: '00000000-0000-4000-8000-000000000000', kind: 'RETURN', reason: 'x' });
    expect(missing.data.itemExchangeRequest.userErrors[0].code).toBe('NOT_FOUND');
    const anonymous = await gw.gql(REQUEST, { i: { itemId: order.items[0].id, kind: 'RETURN', reason: 'x' } });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const asked = ok(await request(owner, { itemId: order.items[0].id, kind: 'RETURN', reason: '壊れています' }), 'itemExchangeRequest');
    const asCustomer = await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'self-approved' }, owner.token);
    expect(asCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(asCustomer.data?.itemExchangeDecide ?? null).toBeNull();
    const completeAsCustomer = await gw.gql(COMPLETE, { i: { requestId: asked.returnRequest.id, receivedQuantity: 1 } }, { token: owner.token });
    expect(completeAsCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // staff record the seller's answer; they do not file requests themselves
    const byStaff = await request(clerk, { itemId: order.items[0].id, kind: 'EXCHANGE', reason: 'x' });
    expect(byStaff.data.itemExchangeRequest.userErrors[0].code).toBe('INVALID');
    // a return cannot be "completed" by hand: it completes when accepted
    const completeReturn = await gw.gql(COMPLETE, { i: { requestId: asked.returnRequest.id, receivedQuantity: 1 } }, { token: clerk.token });
    expect(completeReturn.data.itemExchangeComplete.userErrors[0].code).toBe('INVALID_STATE');
  });

  it('refuses a photo of a forbidden type and writes nothing', async () => {
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner);
    const res = await request(owner, { itemId: order.items[0].id, kind: 'RETURN', reason: '写真を送ります' }, [
      { name: 'photo.jpg', type: 'image/jpeg', bytes: Buffer.from('#!/bin/sh\necho not an image\n') },
    ]);
    expect(res.data.itemExchangeRequest.userErrors).toEqual([expect.objectContaining({ code: 'FILE_TYPE_NOT_ALLOWED', field: ['input', 'photos', '0'] })]);
    const after = await detail(order.id, owner.token);
    expect(after.messages.nodes).toEqual([]);
    expect(after.items[0].returnRequests).toEqual([]);
  });

  it('refuses customer-paid shipping once the second invoice is paid; the operator can take it', async () => {
    // given a request made while the second invoice was open, which the customer then paid
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner);
    const second = ok(await issueSecond(order.id), 'invoiceSecondIssue');
    const asked = ok(await request(owner, { itemId: order.items[0].id, kind: 'EXCHANGE', reason: '傷あり' }), 'itemExchangeRequest');
    await creditDeposit(gw, clerk, owner.id, 2150);
    ok(await invoicePay(gw, owner, { invoiceId: second.order.secondInvoice.id }), 'invoicePay');

    const billed = await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'OK', localShippingCost: { amount: '300', currency: 'JPY' }, chargeTo: 'CUSTOMER' });
    expect(billed.data.itemExchangeDecide.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'chargeTo'] })]);
    const noPayer = await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'OK', localShippingCost: { amount: '300', currency: 'JPY' } });
    expect(noPayer.data.itemExchangeDecide.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'chargeTo'] })]);
    const absorbed = ok(await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'OK', localShippingCost: { amount: '300', currency: 'JPY' }, chargeTo: 'OPERATOR' }), 'itemExchangeDecide');
    expect(absorbed.returnRequest).toMatchObject({ status: 'SELLER_ACCEPTED', chargeTo: 'OPERATOR', secondInvoiceCharge: { amount: '0' } });

    // and the parcel does not ship before the replacement is in
    const ship = await gw.gql(`mutation($i: OrderShipInput!) { orderShip(input: $i) { userErrors { code } } }`, { i: { orderId: order.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token });
    expect(ship.data.orderShip.userErrors).toEqual([{ code: 'EXCHANGE_IN_PROGRESS' }]);
  });
});

describe('a guest', () => {
  it('asks with order number and phone; an accepted return goes back to where the money came from (a guest has no deposit)', async () => {
    // given a guest order paid by bank transfer, bought and inspected
    const order = await quoteOrder(gw, clerk, await submitOrder(gw, null, [itemInput(1)]), ['10'], ['0']);
    const guest = { orderNumber: order.orderNumber, phone: '080-9999-0000' };
    const paid = (await invoicePay(gw, null, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', guest })).data.invoicePay;
    const total = order.firstInvoice.total.amount;
    ok(await gw.gql(`mutation($i: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $i) { userErrors { code message } } }`,
      { i: { paymentId: paid.payments[0].id, payerName: 'ｹﾞｽﾄ', amount: { amount: total, currency: 'JPY' }, transferDate: '2026-04-01', guest } }), 'paymentBankTransferReport');
    ok(await gw.gql(`mutation($i: PaymentConfirmInput!) { paymentConfirm(input: $i) { userErrors { code message } } }`, { i: { paymentId: paid.payments[0].id, receivedAmount: { amount: total, currency: 'JPY' } } }, { token: clerk.token }), 'paymentConfirm');
    ok(await gw.gql(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code } } }`, { i: { itemId: order.items[0].id, quantityBought: 1 } }, { token: clerk.token }), 'orderItemPurchase');
    ok(await gw.gql(`mutation($i: OrderItemArrivalInput!) { orderItemArrival(input: $i) { userErrors { code } } }`, { i: { itemId: order.items[0].id, receivedQuantity: 1 } }, { token: clerk.token }), 'orderItemArrival');

    // when the guest asks to return the item, and the seller accepts
    const wrongPhone = await gw.upload(REQUEST, { i: { itemId: order.items[0].id, kind: 'RETURN', reason: 'x', guest: { ...guest, phone: '080-0000-0000' } } }, []);
    expect(wrongPhone.data.itemExchangeRequest.userErrors[0].code).toBe('NOT_FOUND');
    const asked = ok(await gw.upload(REQUEST, { i: { itemId: order.items[0].id, kind: 'RETURN', reason: '届いた色が違います', guest } }, []), 'itemExchangeRequest');
    const decided = ok(await decide({ requestId: asked.returnRequest.id, sellerAccepted: true, note: 'OK' }), 'itemExchangeDecide');

    // then everything paid goes back to a bank account (payouts awaiting the guest's details), and the order is cancelled
    expect(decided.order.status).toBe('CANCELLED');
    const events = (await detail(order.id, clerk.token)).events.nodes;
    expect(events.filter((e: any) => e.type === 'REFUNDED_TO_ORIGINAL_METHOD').reduce((sum: number, e: any) => sum + Number(e.data.bankTransfer), 0)).toBe(Number(total));
    expect(events.some((e: any) => e.type === 'REFUNDED_TO_DEPOSIT')).toBe(false);
  });
});

describe('concurrency', () => {
  it('refunds a return once when staff record the seller’s answer twice at the same moment', async () => {
    const owner = await customer(gw);
    const order = await inspectedOrder(gw, clerk, owner, { items: [itemInput(1), itemInput(2)] });
    const asked = ok(await request(owner, { itemId: order.items[0].id, kind: 'RETURN', reason: '壊れています' }), 'itemExchangeRequest');
    const input = { requestId: asked.returnRequest.id, sellerAccepted: true, note: 'OK' };
    const results = (await Promise.all([decide(input), decide(input), decide({ ...input, sellerAccepted: false })])).map((r) => r.data.itemExchangeDecide);
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
    expect(results.filter((r) => r.userErrors[0]?.code === 'INVALID_STATE')).toHaveLength(2);
    const winner = results.find((r) => r.userErrors.length === 0)!;
    const expected = winner.returnRequest.status === 'COMPLETED' ? String(paidFor(order, order.items[0].id)) : '0';
    expect((await balance(owner)).balance.amount).toBe(expected);
    expect((await detail(order.id, owner.token)).firstInvoice.amountRefunded.amount).toBe(expected);
  });
});
