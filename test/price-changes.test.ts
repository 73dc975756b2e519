import { declinePriceChangesPastDue, remindPriceChangesDue } from '../src/jobs/price-change-expiry.job';
import { dispatchOutbox } from '../src/modules/notifications/outbox';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

/**
 * Price changes after the first payment (issue 13), through GraphQL: the amounts are computed
 * here again from the rules in words (docs/payments.md), not with the gateway's own functions.
 */

const RATE = 213_700n; // 21.37 JPY per CNY, scaled by 10,000
/** Fen to yen at the rate, half up. */
const yen = (fen: bigint) => (fen * RATE * 2n + 100n * 10_000n) / (2n * 100n * 10_000n);
const halfUp = (n: bigint, d: bigint) => (n < 0n ? -((-n * 2n + d) / (2n * d)) : (n * 2n + d) / (2n * d));
/** The 5% service fee on a goods difference in yen, half up, symmetric for a fall. */
const feeOn = (goods: bigint) => halfUp(goods * 500n, 10_000n);

const CHANGE = `mutation($input: OrderItemPriceChangeInput!) { orderItemPriceChange(input: $input) {
  priceChange { id status quantity difference { amount currency } dueAt note unitPriceBefore { amount } unitPriceAfter { amount currency } chinaShippingAfter { amount }
    invoice { id kind status total { amount } dueAt lines { kind itemId amount { amount } } } item { id status } }
  userErrors { code field message } } }`;
const RESPOND = `mutation($input: PriceChangeRespondInput!) { priceChangeRespond(input: $input) {
  priceChange { id status invoice { status } } item { id status } order { status } userErrors { code field message } } }`;
const PURCHASE = `mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { item { status } userErrors { code message } } }`;
const UNAVAILABLE = `mutation($input: OrderItemUnavailableInput!) { orderItemUnavailable(input: $input) { order { status } userErrors { code field message } } }`;
const ORDER = `query($id: ID!) { order(id: $id) { status cancelReason availableActions
  items { id status unitPrice { amount } chinaShipping { amount } }
  firstInvoice { amountPaid { amount } amountRefunded { amount } }
  additionalInvoices { id status total { amount } amountPaid { amount } amountRefunded { amount } }
  priceChanges { id status itemId difference { amount } invoice { id status } }
  events(first: 100) { nodes { type itemId data } } } }`;
const BALANCE = `query { me { deposit { balance { amount } } } }`;

describe('price changes after the first payment', () => {
  let gw: TestGateway;
  let clerk: Actor;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  beforeEach(async () => {
    clerk = await staff(gw); // the clock moves in some tests: a token of today's
  });
  afterAll(() => gw.close());

  const change = async (input: Record<string, unknown>) => (await gw.gql(CHANGE, { input: { note: '販売者が値上げしました', ...input } }, { token: clerk.token })).data.orderItemPriceChange;
  const respond = async (who: Actor, input: Record<string, unknown>) => (await gw.gql(RESPOND, { input }, { token: who.token })).data.priceChangeRespond;
  const purchase = async (itemId: string, quantityBought: number) => (await gw.gql(PURCHASE, { i: { itemId, quantityBought } }, { token: clerk.token })).data.orderItemPurchase;
  const orderAs = async (who: Actor, id: string) => {
    const res = await gw.gql(ORDER, { id }, { token: who.token });
    if (!res.data?.order) throw new Error(JSON.stringify(res.body));
    return res.data.order;
  };
  const balance = async (who: Actor) => BigInt((await gw.gql(BALANCE, {}, { token: who.token })).data.me.deposit.balance.amount);
  const ledgerSum = async (who: Actor) => BigInt((await gw.app.ds.query(`SELECT coalesce(sum(amount), 0)::text AS s FROM deposit_entry WHERE account_id = $1`, [who.id]))[0].s);
  const cny = (amount: string) => ({ amount, currency: 'CNY' });
  /** What the customer was told (in the app; e-mail goes out from the same rows), after the outbox ran. */
  const toldAbout = async (who: Actor) => {
    await dispatchOutbox(gw.app, async () => {});
    return (await gw.app.ds.query(`SELECT title, body FROM notification WHERE account_id = $1 AND kind = 'PRICE_CHANGE' ORDER BY created_at, id`, [who.id])) as { title: string; body: string }[];
  };

  /** An order paid in full from the deposit (credited with `extra` yen more), all items in PURCHASING. */
  async function paidOrder(owner: Actor, items: ReturnType<typeof itemInput>[], prices: string[], shipping: string[], extra = 0n) {
    const quoted = await quoteOrder(gw, clerk, await submitOrder(gw, owner, items), prices, shipping);
    await creditDeposit(gw, clerk, owner.id, BigInt(quoted.firstInvoice.total.amount) + extra);
    const paid = await invoicePay(gw, owner, { invoiceId: quoted.firstInvoice.id });
    expect(paid.data.invoicePay.order.status).toBe('PURCHASING');
    return quoted as { id: string; items: { id: string }[]; firstInvoice: { id: string; total: { amount: string } } };
  }

  it('a rise accepted and paid from the deposit, another declined, a fall refunded: every amount as computed here, the ledger equal to the balance', async () => {
    const owner = await customer(gw);
    // item A: 2 × 100.00 CNY + 10.00 shipping; item B: 1 × 50.00; item C: 1 × 30.00 + 5.00 shipping.
    const order = await paidOrder(owner, [itemInput(1, 2), itemInput(2, 1), itemInput(3, 1)], ['100', '50', '30'], ['10', '0', '5'], 10_000n);
    const [a, b, c] = order.items.map((i) => i.id);
    const start = await balance(owner);
    expect(start).toBe(10_000n);

    // --- A rises to 120.00 each and 12.00 shipping ---
    const goodsA = yen(24_000n) - yen(20_000n);
    const shipA = yen(1_200n) - yen(1_000n);
    const riseA = goodsA + shipA + feeOn(goodsA);
    const recorded = await change({ itemId: a, unitPrice: cny('120.00'), chinaShipping: cny('12') });
    expect(recorded.userErrors).toEqual([]);
    expect(recorded.priceChange).toMatchObject({
      status: 'AWAITING_RESPONSE', quantity: 2, difference: { amount: String(riseA), currency: 'JPY' }, unitPriceBefore: { amount: '100.00' },
      unitPriceAfter: { amount: '120.00', currency: 'CNY' }, chinaShippingAfter: { amount: '12.00' }, item: { id: a, status: 'PURCHASING' },
      invoice: { kind: 'ADDITIONAL', status: 'OPEN', total: { amount: String(riseA) } },
    });
    expect(recorded.priceChange.invoice.lines.map((l: { kind: string; itemId: string; amount: { amount: string } }) => [l.kind, l.itemId, l.amount.amount])).toEqual([
      ['GOODS', a, String(goodsA)], ['CHINA_SHIPPING', a, String(shipA)], ['SERVICE_FEE', a, String(feeOn(goodsA))],
    ]);
    expect(new Date(recorded.priceChange.dueAt).getTime() - gw.clock.now().getTime()).toBe(3 * 86_400_000);

    // Staff see the order in the queue of rises waiting for an answer.
    const queue = await gw.gql(`query { orders(first: 100, filter: { awaiting: PRICE_CHANGE_RESPONSE }) { nodes { id } } }`, {}, { token: clerk.token });
    expect(queue.data.orders.nodes.map((o: { id: string }) => o.id)).toContain(order.id);
    // The item is not bought until the customer answers; staff are told why.
    expect(await purchase(a, 2)).toEqual({ item: null, userErrors: [{ code: 'PRICE_CHANGE_PENDING', message: expect.any(String) }] });
    expect((await orderAs(owner, order.id)).items[0].status).toBe('PURCHASING');
    expect((await orderAs(owner, order.id)).availableActions).toEqual(expect.arrayContaining(['RESPOND_PRICE_CHANGE', 'PAY_ADDITIONAL_INVOICE']));
    expect((await orderAs(clerk, order.id)).availableActions).toEqual(expect.arrayContaining(['PURCHASE_ITEM', 'CHANGE_ITEM_PRICE']));

    // Accepted, then paid with the deposit: applied, and the item can be bought.
    const accepted = await respond(owner, { priceChangeId: recorded.priceChange.id, accept: true });
    expect(accepted).toMatchObject({ priceChange: { status: 'ACCEPTED', invoice: { status: 'OPEN' } }, userErrors: [] });
    const paid = await invoicePay(gw, owner, { invoiceId: recorded.priceChange.invoice.id });
    expect(paid.data.invoicePay).toMatchObject({ invoice: { kind: 'ADDITIONAL', status: 'PAID', amountPaid: { amount: String(riseA) } }, userErrors: [] });
    let seen = await orderAs(owner, order.id);
    expect(seen.priceChanges[0]).toMatchObject({ status: 'APPLIED', itemId: a });
    expect(seen.items[0]).toMatchObject({ unitPrice: { amount: '120.00' }, chinaShipping: { amount: '12.00' } });
    expect(await purchase(a, 2)).toEqual({ item: { status: 'PURCHASED' }, userErrors: [] });
    expect(await balance(owner)).toBe(start - riseA);

    // --- B rises to 80.00, and the customer declines: B is cancelled, its first-invoice share refunded ---
    const riseB = yen(8_000n) - yen(5_000n) + feeOn(yen(8_000n) - yen(5_000n));
    const recordedB = await change({ itemId: b, unitPrice: cny('80') });
    expect(recordedB.priceChange.difference.amount).toBe(String(riseB));
    const declined = await respond(owner, { priceChangeId: recordedB.priceChange.id, accept: false });
    expect(declined).toMatchObject({ priceChange: { status: 'DECLINED', invoice: { status: 'VOID' } }, item: { id: b, status: 'CANCELLED' }, order: { status: 'PURCHASING' }, userErrors: [] });
    const paidForB = yen(5_000n); // goods, no China shipping; the order's service fee stays with the order
    expect(await balance(owner)).toBe(start - riseA + paidForB);

    // --- C falls to 20.00 each (shipping unchanged): refunded at once, with the fee's share ---
    const goodsC = yen(2_000n) - yen(3_000n);
    const fallC = goodsC + feeOn(goodsC);
    const recordedC = await change({ itemId: c, unitPrice: cny('20'), note: '販売者が値下げしました' });
    expect(recordedC.userErrors).toEqual([]);
    expect(recordedC.priceChange).toMatchObject({ status: 'APPLIED', difference: { amount: String(fallC) }, invoice: null, dueAt: null });
    expect(await balance(owner)).toBe(start - riseA + paidForB - fallC);
    const told = await toldAbout(owner);
    expect(told.map((t) => t.title)).toEqual(['商品価格変更のお知らせ（ご回答をお願いします）', '商品価格変更のお知らせ（ご回答をお願いします）', '商品価格が下がりました']);
    expect(told[0].body).toContain(`追加のお支払い額: ${Number(riseA).toLocaleString('ja-JP')}円`);
    expect(told[2].body).toContain(`差額 ${Number(-fallC).toLocaleString('ja-JP')}円を返金しました`);
    expect(await purchase(c, 1)).toEqual({ item: { status: 'PURCHASED' }, userErrors: [] });

    seen = await orderAs(owner, order.id);
    expect(seen.status).toBe('AWAITING_ARRIVAL');
    const after = await gw.gql(`query { orders(first: 100, filter: { awaiting: PRICE_CHANGE_RESPONSE }) { nodes { id } } }`, {}, { token: clerk.token });
    expect(after.data.orders.nodes.map((o: { id: string }) => o.id)).not.toContain(order.id);
    expect(seen.priceChanges.map((p: { status: string; itemId: string }) => [p.itemId, p.status])).toEqual([[a, 'APPLIED'], [b, 'DECLINED'], [c, 'APPLIED']]);
    expect(seen.additionalInvoices.map((i: { status: string; total: { amount: string } }) => [i.status, i.total.amount])).toEqual([['PAID', String(riseA)], ['VOID', String(riseB)]]);
    expect(seen.firstInvoice.amountRefunded.amount).toBe(String(paidForB - fallC));
    const types = seen.events.nodes.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'PRICE_CHANGE_RECORDED')).toHaveLength(3);
    expect(types).toEqual(expect.arrayContaining(['PRICE_CHANGE_ACCEPTED', 'PRICE_CHANGE_APPLIED', 'PRICE_CHANGE_DECLINED', 'INVOICE_PAID', 'INVOICE_VOID']));
    expect(await ledgerSum(owner)).toBe(await balance(owner));
  });

  it('an item whose rise was paid, then found unavailable: both invoices give back their part', async () => {
    const owner = await customer(gw);
    const order = await paidOrder(owner, [itemInput(1, 1), itemInput(2, 1)], ['100', '40'], ['0', '0'], 5_000n);
    const [a] = order.items.map((i) => i.id);
    const rise = await change({ itemId: a, unitPrice: cny('150') });
    const total = BigInt(rise.priceChange.difference.amount);
    expect((await invoicePay(gw, owner, { invoiceId: rise.priceChange.invoice.id })).data.invoicePay.invoice.status).toBe('PAID');
    const before = await balance(owner);

    const gone = (await gw.gql(UNAVAILABLE, { input: { itemId: a, reason: 'SOLD_OUT' } }, { token: clerk.token })).data.orderItemUnavailable;
    expect(gone.userErrors).toEqual([]);
    const seen = await orderAs(owner, order.id);
    expect(seen.firstInvoice.amountRefunded.amount).toBe(String(yen(10_000n)));
    expect(seen.additionalInvoices[0]).toMatchObject({ status: 'PAID', amountRefunded: { amount: String(total) } });
    expect(await balance(owner)).toBe(before + yen(10_000n) + total);
    expect(await ledgerSum(owner)).toBe(await balance(owner));
  });

  it('a rise not answered by its due date is declined by the sweep; the last item declined cancels the order and refunds it all', async () => {
    const owner = await customer(gw);
    const order = await paidOrder(owner, [itemInput(1, 1)], ['100'], ['0']);
    const paidTotal = BigInt(order.firstInvoice.total.amount);
    const rise = await change({ itemId: order.items[0].id, unitPrice: cny('130') });
    expect(rise.userErrors).toEqual([]);

    gw.clock.advanceDays(1);
    expect(await remindPriceChangesDue(gw.app, gw.clock.now())).toBe(0);
    gw.clock.advanceDays(1);
    expect(await remindPriceChangesDue(gw.app, gw.clock.now())).toBe(1); // 24 hours before, once
    expect(await remindPriceChangesDue(gw.app, gw.clock.now())).toBe(0);
    expect(await declinePriceChangesPastDue(gw.app, gw.clock.now())).toBe(0);
    gw.clock.advanceDays(1);
    expect(await declinePriceChangesPastDue(gw.app, gw.clock.now())).toBe(1);
    expect(await declinePriceChangesPastDue(gw.app, gw.clock.now())).toBe(0);

    const seen = await orderAs(owner, order.id);
    expect(seen).toMatchObject({ status: 'CANCELLED', cancelReason: 'PRICE_CHANGE_DECLINED', priceChanges: [{ status: 'DECLINED', invoice: { status: 'VOID' } }] });
    expect(await balance(owner)).toBe(paidTotal); // the whole first invoice back, the service fee too
    expect((await toldAbout(owner)).map((t) => t.title)).toEqual(['商品価格変更のお知らせ（ご回答をお願いします）', '価格変更へのご回答期限が近づいています', '価格が変更された商品をキャンセルしました']);
  });

  it('refuses what cannot be, and changes nothing: an item not in PURCHASING, a second rise while one waits, someone else’s change, a decline while a transfer is reported', async () => {
    const owner = await customer(gw);
    const stranger = await customer(gw);
    const order = await paidOrder(owner, [itemInput(1, 1), itemInput(2, 1)], ['100', '40'], ['0', '0']);
    const [a, b] = order.items.map((i) => i.id);
    expect(await purchase(b, 1)).toEqual({ item: { status: 'PURCHASED' }, userErrors: [] });
    const before = await orderAs(owner, order.id);

    expect((await change({ itemId: b, unitPrice: cny('50') })).userErrors).toEqual([{ code: 'INVALID_STATE', field: ['input', 'itemId'], message: expect.any(String) }]);
    expect((await change({ itemId: a, unitPrice: cny('100') })).userErrors).toEqual([{ code: 'INVALID', field: ['input'], message: expect.any(String) }]);
    expect((await change({ itemId: a, unitPrice: cny('0') })).userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'unitPrice', 'amount'] });
    expect((await change({ itemId: a, unitPrice: { amount: '120', currency: 'JPY' } })).userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'unitPrice', 'currency'] });
    expect((await change({ itemId: a, unitPrice: cny('120'), note: ' ' })).userErrors[0]).toMatchObject({ code: 'INVALID' });
    expect(await orderAs(owner, order.id)).toEqual(before);

    const rise = await change({ itemId: a, unitPrice: cny('120') });
    expect(rise.userErrors).toEqual([]);
    const afterRise = await orderAs(owner, order.id);
    expect((await change({ itemId: a, unitPrice: cny('140') })).userErrors).toEqual([{ code: 'PRICE_CHANGE_PENDING', field: ['input', 'itemId'], message: expect.any(String) }]);
    expect(await respond(stranger, { priceChangeId: rise.priceChange.id, accept: false })).toEqual({ priceChange: null, item: null, order: null, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'priceChangeId'], message: 'No such price change.' }] });
    expect((await respond(owner, { priceChangeId: 'not-an-id', accept: false })).userErrors[0]).toMatchObject({ code: 'NOT_FOUND' });
    expect(await orderAs(owner, order.id)).toEqual(afterRise);

    // A transfer for the additional invoice, reported: declining must wait for staff.
    const transfer = (await invoicePay(gw, owner, { invoiceId: rise.priceChange.invoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments.find((p: { method: string }) => p.method === 'BANK_TRANSFER');
    const reported = await gw.gql(
      `mutation($input: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $input) { userErrors { code message } } }`,
      { input: { paymentId: transfer.id, payerName: 'ヤマダ タロウ', amount: transfer.amount, transferDate: gw.clock.now().toISOString().slice(0, 10) } },
      { token: owner.token },
    );
    expect(reported.data.paymentBankTransferReport.userErrors).toEqual([]);
    const whileReported = await orderAs(owner, order.id);
    expect((await respond(owner, { priceChangeId: rise.priceChange.id, accept: false })).userErrors).toEqual([{ code: 'PAYMENT_IN_PROGRESS', field: ['input', 'priceChangeId'], message: expect.any(String) }]);
    gw.clock.advanceDays(4);
    expect(await declinePriceChangesPastDue(gw.app, gw.clock.now())).toBe(0); // money on its way: not declined
    expect(await orderAs(owner, order.id)).toEqual(whileReported);
  });

  it('the same rise sent 5 times at once records one; the same decline sent 5 times at once refunds once', async () => {
    const owner = await customer(gw);
    const order = await paidOrder(owner, [itemInput(1, 1), itemInput(2, 1)], ['100', '40'], ['0', '0']);
    const [a] = order.items.map((i) => i.id);
    const tries = await Promise.all(Array.from({ length: 5 }, () => change({ itemId: a, unitPrice: cny('125') })));
    expect(tries.filter((t) => t.userErrors.length === 0)).toHaveLength(1);
    expect(tries.filter((t) => t.userErrors[0]?.code === 'PRICE_CHANGE_PENDING')).toHaveLength(4);
    const id = tries.find((t) => t.userErrors.length === 0)!.priceChange.id;

    const before = await balance(owner);
    const answers = await Promise.all(Array.from({ length: 5 }, () => respond(owner, { priceChangeId: id, accept: false })));
    expect(answers.filter((x) => x.userErrors.length === 0)).toHaveLength(1);
    expect(answers.filter((x) => x.userErrors[0]?.code === 'INVALID_STATE')).toHaveLength(4);
    expect(await balance(owner)).toBe(before + yen(10_000n));
    const seen = await orderAs(owner, order.id);
    expect(seen.priceChanges).toHaveLength(1);
    expect(seen.additionalInvoices).toHaveLength(1);
    expect(await ledgerSum(owner)).toBe(await balance(owner));
  });
});
