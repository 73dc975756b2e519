import { startTestGateway, type TestGateway } from './support/gateway';
import { ADDRESS, creditDeposit, customer, inspectedOrder, invoicePay, itemInput, staff, type Actor } from './support/builders';

let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const GROUP = `id method parcelPrice { amount } chargeableWeightKg orderNumbers members { orderId orderNumber receivedUnits shippingShare { amount } }
  shipment { carrier trackingNumber trackingUrl shippedAt }`;
const COMBINE = `mutation($i: InvoiceSecondIssueCombinedInput!) { invoiceSecondIssueCombined(input: $i) {
  shipmentGroup { ${GROUP} } orders { id status } userErrors { code field message } } }`;
const SHIP = `mutation($i: OrderShipCombinedInput!) { orderShipCombined(input: $i) {
  shipmentGroup { ${GROUP} } orders { id orderNumber status shipment { carrier trackingNumber } } userErrors { code field message } } }`;
const DETAIL = `query($id: ID!) { order(id: $id) { id orderNumber status
  secondInvoice { id status total { amount } lines { kind description amount { amount } } }
  shipment { carrier trackingNumber trackingUrl }
  shipmentGroup { ${GROUP} }
  events(first: 100) { nodes { type data } } } }`;

/** A 1 kg box of 20 × 20 × 10 cm: EMS charges ¥2,150 for it. */
const PARCEL = { weightKg: '1', lengthCm: '20', widthCm: '20', heightCm: '10' };
const combine = (orderIds: string[], extra: Record<string, unknown> = {}, token = clerk.token) => gw.gql(COMBINE, { i: { orderIds, ...PARCEL, ...extra } }, { token });
const detail = async (id: string, token = clerk.token) => (await gw.gql(DETAIL, { id }, { token })).data.order;

function ok<T = any>(res: { data: any; errors?: unknown; body: any }, field: string): T {
  if (res.errors || res.data?.[field]?.userErrors?.length) throw new Error(`${field}: ${JSON.stringify(res.body)}`);
  return res.data[field];
}

it('prices one parcel once, splits it exactly by units received, and ships every order with the same tracking', async () => {
  // given three inspected orders of one customer: 1, 2 and 4 units; the third typed the same address differently
  const yuki = await customer(gw);
  const a = await inspectedOrder(gw, clerk, yuki, { items: [itemInput(1, 1)] });
  const b = await inspectedOrder(gw, clerk, yuki, { items: [itemInput(2, 2)] });
  const c = await inspectedOrder(gw, clerk, yuki, {
    items: [itemInput(3, 2), itemInput(4, 2)],
    extra: { deliveryAddress: { ...ADDRESS, recipient: '山田　花子', line1: '神宮前１－２－３', line2: 'ハイツ １０１', phone: '09012345678' } },
  });

  // when staff pack them as one 1 kg parcel
  const combined = ok(await combine([c.id, a.id, b.id]), 'invoiceSecondIssueCombined');

  // then ¥2,150 is split 1 : 2 : 4 → 307.14 / 614.29 / 1228.57: floors 307 + 614 + 1228 = 2149, the last yen to the largest remainder
  const group = combined.shipmentGroup;
  expect(group).toMatchObject({ method: 'EMS', parcelPrice: { amount: '2150' }, chargeableWeightKg: '1.0', shipment: null });
  expect(group.orderNumbers).toEqual([a.orderNumber, b.orderNumber, c.orderNumber].sort());
  const share = (orderId: string) => group.members.find((m: any) => m.orderId === orderId);
  expect([share(a.id), share(b.id), share(c.id)].map((m) => [m.receivedUnits, m.shippingShare.amount])).toEqual([[1, '307'], [2, '614'], [4, '1229']]);
  expect(group.members.reduce((sum: number, m: any) => sum + Number(m.shippingShare.amount), 0)).toBe(2150);
  expect(combined.orders.map((o: any) => o.status)).toEqual(['AWAITING_SECOND_PAYMENT', 'AWAITING_SECOND_PAYMENT', 'AWAITING_SECOND_PAYMENT']);

  // and each order has its own second invoice with its share, and shows the group
  const orders = await Promise.all([a, b, c].map((o) => detail(o.id, yuki.token)));
  expect(orders.map((o) => o.secondInvoice.total.amount)).toEqual(['307', '614', '1229']);
  for (const o of orders) {
    expect(o.secondInvoice.lines).toHaveLength(1);
    expect(o.secondInvoice.lines[0].kind).toBe('INTERNATIONAL_SHIPPING');
    expect(o.secondInvoice.lines[0].description).toContain('combined');
    expect(o.shipmentGroup.id).toBe(group.id);
    expect(o.events.nodes).toContainEqual(expect.objectContaining({ type: 'SHIPMENT_COMBINED', data: expect.objectContaining({ groupId: group.id, parcelPrice: '2150' }) }));
  }

  // when only the first invoice is paid, the parcel cannot ship, nor any order of it alone
  await creditDeposit(gw, clerk, yuki.id, 2150);
  const paidA = await invoicePay(gw, yuki, { invoiceId: orders[0].secondInvoice.id });
  expect(paidA.data.invoicePay.invoice).toMatchObject({ status: 'PAID', amountPaid: { amount: '307' } });
  const early = await gw.gql(SHIP, { i: { groupId: group.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token });
  expect(early.data.orderShipCombined.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'groupId'] })]);
  expect(early.data.orderShipCombined.userErrors[0].message).toContain(b.orderNumber);
  const alone = await gw.gql(`mutation($i: OrderShipInput!) { orderShip(input: $i) { userErrors { code } } }`, { i: { orderId: a.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token });
  expect(alone.data.orderShip.userErrors).toEqual([{ code: 'SHIPMENT_GROUPED' }]);

  // when the other two are paid separately
  for (const o of orders.slice(1)) expect((await invoicePay(gw, yuki, { invoiceId: o.secondInvoice.id })).data.invoicePay.invoice.status).toBe('PAID');
  const badTracking = await gw.gql(SHIP, { i: { groupId: group.id, carrier: 'YAMATO', trackingNumber: 'nope' } }, { token: clerk.token });
  expect(badTracking.data.orderShipCombined.userErrors[0].code).toBe('INVALID_TRACKING_NUMBER');
  const shipped = ok(await gw.gql(SHIP, { i: { groupId: group.id, carrier: 'JAPAN_POST', trackingNumber: 'ee 123 456 789 jp' } }, { token: clerk.token }), 'orderShipCombined');

  // then every order shipped with the same carrier and tracking number
  expect(shipped.orders.map((o: any) => [o.status, o.shipment])).toEqual(Array(3).fill(['SHIPPED', { carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' }]));
  expect(shipped.shipmentGroup.shipment).toMatchObject({ carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' });
  const after = await Promise.all([a, b, c].map((o) => detail(o.id, yuki.token)));
  expect(new Set(after.map((o) => o.shipment.trackingUrl)).size).toBe(1);
  expect(after.map((o) => o.shipmentGroup.orderNumbers)).toEqual(Array(3).fill(group.orderNumbers));
  const again = await gw.gql(SHIP, { i: { groupId: group.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token });
  expect(again.data.orderShipCombined.userErrors[0].code).toBe('INVALID_STATE');
});

it('adds each order’s pending exchange shipping to its own invoice, and breaks ties between equal remainders deterministically', async () => {
  // given three one-unit orders; one had an exchange whose ¥300 local shipping the customer pays
  const owner = await customer(gw);
  const orders = [];
  for (let n = 0; n < 3; n++) orders.push(await inspectedOrder(gw, clerk, owner));
  const asked = await gw.gql(`mutation($i: ItemExchangeRequestInput!) { itemExchangeRequest(input: $i) { returnRequest { id } userErrors { code } } }`,
    { i: { itemId: orders[1].items[0].id, kind: 'EXCHANGE', reason: '色違い' } }, { token: owner.token });
  const requestId = asked.data.itemExchangeRequest.returnRequest.id;

  // an exchange in progress holds the parcel
  const held = await combine(orders.map((o) => o.id));
  expect(held.data.invoiceSecondIssueCombined.userErrors).toEqual([expect.objectContaining({ code: 'EXCHANGE_IN_PROGRESS' })]);
  ok(await gw.gql(`mutation($i: ItemExchangeDecideInput!) { itemExchangeDecide(input: $i) { userErrors { code message } } }`,
    { i: { requestId, sellerAccepted: true, note: 'OK', localShippingCost: { amount: '300', currency: 'JPY' }, chargeTo: 'CUSTOMER' } }, { token: clerk.token }), 'itemExchangeDecide');
  ok(await gw.gql(`mutation($i: ItemExchangeCompleteInput!) { itemExchangeComplete(input: $i) { userErrors { code } } }`, { i: { requestId, receivedQuantity: 1 } }, { token: clerk.token }), 'itemExchangeComplete');

  // when they are combined: ¥2,150 ÷ 3 = 716.67 each, two yen left over, equal remainders
  const combined = ok(await combine(orders.map((o) => o.id)), 'invoiceSecondIssueCombined');

  // then the split still adds up, the first two by id get the extra yen, and the exchange line stays with its order
  const byId = [...combined.shipmentGroup.members].sort((x: any, y: any) => (x.orderId < y.orderId ? -1 : 1));
  expect(byId.map((m: any) => m.shippingShare.amount)).toEqual(['717', '717', '716']);
  const totals = await Promise.all(orders.map((o) => detail(o.id)));
  const shareOf = (id: string) => Number(byId.find((m: any) => m.orderId === id).shippingShare.amount);
  expect(totals.map((o) => Number(o.secondInvoice.total.amount))).toEqual([shareOf(orders[0].id), shareOf(orders[1].id) + 300, shareOf(orders[2].id)]);
  expect(totals[1].secondInvoice.lines.map((l: any) => l.description)).toEqual([expect.stringContaining('combined'), 'Exchange shipping: 商品 1']);
});

it('refuses orders of different customers or addresses, orders not inspected, and bad sets — and customers', async () => {
  const owner = await customer(gw);
  const other = await customer(gw);
  const mine = await inspectedOrder(gw, clerk, owner);
  const mine2 = await inspectedOrder(gw, clerk, owner);
  const theirs = await inspectedOrder(gw, clerk, other);
  const elsewhere = await inspectedOrder(gw, clerk, owner, { extra: { deliveryAddress: { ...ADDRESS, line1: '神宮前1-2-4' } } });
  const economy = await inspectedOrder(gw, clerk, owner, { extra: { shippingPriority: 'ECONOMY' } });

  const codes = async (ids: string[], extra: Record<string, unknown> = {}) => (await combine(ids, extra)).data.invoiceSecondIssueCombined.userErrors.map((e: any) => [e.code, e.field]);
  expect(await codes([mine.id, theirs.id])).toEqual([['SHIPMENT_NOT_COMBINABLE', ['input', 'orderIds', '1']]]);
  expect(await codes([mine.id, elsewhere.id])).toEqual([['SHIPMENT_NOT_COMBINABLE', ['input', 'orderIds', '1']]]);
  expect(await codes([mine.id])).toEqual([['INVALID', ['input', 'orderIds']]]);
  expect(await codes([mine.id, mine.id])).toEqual([['INVALID', ['input', 'orderIds']]]);
  expect(await codes([mine.id, 'not-an-id'])).toEqual([['NOT_FOUND', ['input', 'orderIds', '1']]]);
  expect(await codes([mine.id, economy.id])).toEqual([['INVALID', ['input', 'method']]]);
  expect(await codes([mine.id, mine2.id], { weightKg: '31' })).toEqual([['SHIPPING_METHOD_UNAVAILABLE', ['input', 'method']]]);

  // an order already invoiced on its own is no longer INSPECTING
  ok(await gw.gql(`mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) { userErrors { code } } }`, { i: { orderId: mine2.id, ...PARCEL } }, { token: clerk.token }), 'invoiceSecondIssue');
  expect(await codes([mine.id, mine2.id])).toEqual([['INVALID_STATE', ['input', 'orderIds', '1']]]);

  // customers may not combine, nor ship
  const asCustomer = await combine([mine.id, economy.id], { method: 'EMS' }, owner.token);
  expect(asCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const shipAsCustomer = await gw.gql(SHIP, { i: { groupId: '00000000-0000-4000-8000-000000000000', carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: owner.token });
  expect(shipAsCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const missing = await gw.gql(SHIP, { i: { groupId: '00000000-0000-4000-8000-000000000000', carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' } }, { token: clerk.token });
  expect(missing.data.orderShipCombined.userErrors[0].code).toBe('NOT_FOUND');

  // nothing was written by the refusals; a different priority is fine once staff name the method
  expect((await detail(mine.id)).shipmentGroup).toBeNull();
  ok(await combine([mine.id, economy.id], { method: 'EMS' }), 'invoiceSecondIssueCombined');
});

it('lets one of two staff racing to combine the same orders win, without a deadlock', async () => {
  const owner = await customer(gw);
  const orders = [];
  for (let n = 0; n < 4; n++) orders.push(await inspectedOrder(gw, clerk, owner));
  const ids = orders.map((o) => o.id);
  const results = await Promise.all([combine(ids), combine([...ids].reverse()), combine([ids[2], ids[0], ids[3], ids[1]])]);
  const payloads = results.map((r) => r.data.invoiceSecondIssueCombined);
  expect(payloads.filter((p) => p.userErrors.length === 0)).toHaveLength(1);
  expect(payloads.filter((p) => p.userErrors[0]?.code === 'INVALID_STATE')).toHaveLength(2);
  const rows: { n: string }[] = await gw.app.ds.query(`SELECT count(*) AS n FROM invoice WHERE kind = 'SECOND' AND order_id = ANY($1)`, [ids]);
  expect(rows[0].n).toBe('4');
});
