import { sqlStatementCount } from '../src/app/data-source';
import { computeFirstInvoice, parseRate } from '../src/modules/invoices/invoice-calc';
import { Order } from '../src/modules/orders/order.entity';
import { startTestGateway, type TestGateway } from './support/gateway';
import { ADDRESS, customer, itemInput, ORDER_FIELDS, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

let gw: TestGateway;
let alice: Actor;
let bob: Actor;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  [alice, bob, clerk] = await Promise.all([customer(gw), customer(gw), staff(gw)]);
});
afterAll(() => gw.close());

const SUBMIT = `mutation($input: OrderSubmitInput!) { orderSubmit(input: $input) { order { id } userErrors { code field message } } }`;
const QUOTE = `mutation($input: OrderQuoteInput!) { orderQuote(input: $input) { order { ${ORDER_FIELDS} } userErrors { code field message } } }`;
const CHANGE = `mutation($input: OrderItemQuantityChangeInput!) { orderItemQuantityChange(input: $input) {
  item { id quantity status } order { ${ORDER_FIELDS} } userErrors { code field message } } }`;
const CANCEL = `mutation($input: OrderCancelInput!) { orderCancel(input: $input) { order { id status cancelReason } userErrors { code field message } } }`;
const STAFF_CANCEL = `mutation($input: OrderCancelByStaffInput!) { orderCancelByStaff(input: $input) { order { id status cancelReason cancelNote } userErrors { code field message } } }`;
const ADDRESS_CHANGE = `mutation($input: OrderDeliveryAddressChangeInput!) { orderDeliveryAddressChange(input: $input) {
  order { deliveryAddress { postalCode city } } userErrors { code field message } } }`;
const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} events { nodes { type actorRole fromState toState data } } } }`;

const orderCount = () => gw.app.ds.getRepository(Order).count();

/** Quote of the three default items (2 × 12.50, 1 × 99.99, 3 × 0.35 CNY) at 21.37. */
async function quotedOrder(owner: Actor = alice) {
  const order = await submitOrder(gw, owner);
  return quoteOrder(gw, clerk, order, ['12.50', '99.99', '0.35'], ['8.00', '0', '5.55']);
}

describe('orderSubmit', () => {
  it('takes an application from a signed-in customer', async () => {
    const order = await submitOrder(gw, alice);
    expect(order.orderNumber).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(order).toMatchObject({ status: 'SUBMITTED', shippingPriority: 'SPEED', contactEmail: alice.email, firstInvoice: null });
    expect(order.items.map((i: any) => [i.quantity, i.status])).toEqual([[2, 'BEFORE_PAYMENT'], [1, 'BEFORE_PAYMENT'], [3, 'BEFORE_PAYMENT']]);
    expect(order.deliveryAddress).toEqual({ ...ADDRESS, phone: '09012345678' });
    expect(order.availableActions.sort()).toEqual(['ASK_SELLER', 'CANCEL_ORDER', 'CHANGE_DELIVERY_ADDRESS', 'CHANGE_ITEMS', 'SEND_MESSAGE']);
  });

  it.each([
    ['an ftp URL', { items: [{ ...itemInput(1), productUrl: 'ftp://taobao.com/x' }] }, ['input', 'items', '0', 'productUrl']],
    ['a javascript: URL', { items: [{ ...itemInput(1), productUrl: 'javascript:alert(1)' }] }, ['input', 'items', '0', 'productUrl']],
    ['quantity 0', { items: [itemInput(1, 0)] }, ['input', 'items', '0', 'quantity']],
    ['a 201-character title', { items: [{ ...itemInput(1), title: 'あ'.repeat(201) }] }, ['input', 'items', '0', 'title']],
    ['no items', { items: [] }, ['input', 'items']],
    ['51 items', { items: Array.from({ length: 51 }, (_, i) => itemInput(i)) }, ['input', 'items']],
    ['a postal code without dash', { deliveryAddress: { ...ADDRESS, postalCode: '1500001' } }, ['input', 'deliveryAddress', 'postalCode']],
    ['an unknown prefecture', { deliveryAddress: { ...ADDRESS, prefecture: 'Tokyo' } }, ['input', 'deliveryAddress', 'prefecture']],
  ])('refuses %s with INVALID on the field and writes nothing', async (_label, change, field) => {
    const before = await orderCount();
    const res = await gw.gql(SUBMIT, { input: { items: [itemInput(1)], deliveryAddress: ADDRESS, shippingPriority: 'ECONOMY', ...change } }, { token: alice.token });
    expect(res.data.orderSubmit.order).toBeNull();
    expect(res.data.orderSubmit.userErrors).toContainEqual(expect.objectContaining({ code: 'INVALID', field }));
    expect(await orderCount()).toBe(before);
  });

  it('asks a guest without a token for contact details', async () => {
    const res = await gw.gql(SUBMIT, { input: { items: [itemInput(1)], deliveryAddress: ADDRESS, shippingPriority: 'SPEED' } });
    expect(res.data.orderSubmit.userErrors).toEqual([expect.objectContaining({ code: 'GUEST_CONTACT_REQUIRED', field: ['input', 'guest'] })]);
  });
});

describe('orderQuote and the first invoice', () => {
  it('prices three items at a stated rate exactly as the rounding rule predicts', async () => {
    const order = await quotedOrder();
    const invoice = order.firstInvoice;
    // goods: 25.00 CNY → 534.25 → 534; 99.99 → 2136.7863 → 2137; 1.05 → 22.4385 → 22
    // China shipping: 8.00 → 170.96 → 171; 5.55 → 118.6035 → 119; fee: 5% of 2693 = 134.65 < minimum 500
    expect(invoice.lines.map((l: any) => [l.kind, l.amount.amount])).toEqual([
      ['GOODS', '534'], ['CHINA_SHIPPING', '171'], ['GOODS', '2137'], ['GOODS', '22'], ['CHINA_SHIPPING', '119'], ['SERVICE_FEE', '500'],
    ]);
    expect(invoice).toMatchObject({ kind: 'FIRST', status: 'OPEN', exchangeRate: '21.3700', total: { amount: '3483', currency: 'JPY' }, amountDue: { amount: '3483' }, revision: 1 });
    expect(invoice.lines[0].sourceAmount).toEqual({ amount: '25.00', currency: 'CNY' });
    expect(order.items[0].unitPrice).toEqual({ amount: '12.50', currency: 'CNY' });
    expect(new Date(invoice.dueAt).getTime() - new Date(order.quotedAt).getTime()).toBe(7 * 24 * 3600 * 1000);
    expect(order.status).toBe('AWAITING_FIRST_PAYMENT');
  });

  it('offers the customer PAY_FIRST_INVOICE once quoted, and staff QUOTE only before', async () => {
    const order = await submitOrder(gw, alice);
    const asStaff = await gw.gql(ORDER, { id: order.id }, { token: clerk.token });
    expect(asStaff.data.order.availableActions).toContain('QUOTE');
    await quoteOrder(gw, clerk, order, ['1', '1', '1'], ['0', '0', '0']);
    const asCustomer = await gw.gql(ORDER, { id: order.id }, { token: alice.token });
    expect(asCustomer.data.order.availableActions).toContain('PAY_FIRST_INVOICE');
    expect((await gw.gql(ORDER, { id: order.id }, { token: clerk.token })).data.order.availableActions).not.toContain('QUOTE');
  });

  it('refuses customers with FORBIDDEN', async () => {
    const order = await submitOrder(gw, alice);
    const res = await gw.gql(QUOTE, { input: { orderId: order.id, exchangeRate: '20', items: [] } }, { token: alice.token });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a quote that leaves an item out, a bad rate, yuan with 3 decimals, and a second quote', async () => {
    const order = await submitOrder(gw, alice);
    const q = (over: Record<string, unknown>) =>
      gw.gql(QUOTE, { input: { orderId: order.id, exchangeRate: '21.37', items: order.items.map((it: any) => ({ itemId: it.id, unitPrice: { amount: '1.00', currency: 'CNY' }, chinaShipping: { amount: '0', currency: 'CNY' } })), ...over } }, { token: clerk.token });
    const missing = await q({ items: [{ itemId: order.items[0].id, unitPrice: { amount: '1', currency: 'CNY' }, chinaShipping: { amount: '0', currency: 'CNY' } }] });
    expect(missing.data.orderQuote.userErrors[0].code).toBe('QUOTE_ITEMS_MISMATCH');
    expect((await q({ exchangeRate: '0' })).data.orderQuote.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'exchangeRate'] });
    const precise = await q({ items: order.items.map((it: any) => ({ itemId: it.id, unitPrice: { amount: '1.005', currency: 'CNY' }, chinaShipping: { amount: '0', currency: 'CNY' } })) });
    expect(precise.data.orderQuote.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'items', '0', 'unitPrice', 'amount'] });
    const yen = await q({ items: order.items.map((it: any) => ({ itemId: it.id, unitPrice: { amount: '100', currency: 'JPY' }, chinaShipping: { amount: '0', currency: 'CNY' } })) });
    expect(yen.data.orderQuote.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'items', '0', 'unitPrice', 'currency'] });
    expect((await gw.gql(ORDER, { id: order.id }, { token: clerk.token })).data.order.status).toBe('SUBMITTED');
    expect((await q({})).data.orderQuote.userErrors).toEqual([]);
    expect((await q({})).data.orderQuote.userErrors[0].code).toBe('INVALID_STATE');
  });
});

describe('orderItemQuantityChange', () => {
  it('recomputes the first invoice in the same transaction', async () => {
    const order = await quotedOrder();
    const res = await gw.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 1 } }, { token: alice.token });
    const payload = res.data.orderItemQuantityChange;
    expect(payload.userErrors).toEqual([]);
    expect(payload.item).toMatchObject({ quantity: 1, status: 'BEFORE_PAYMENT' });
    // goods line 1 becomes 12.50 CNY → 267.125 → 267; everything else unchanged
    expect(payload.order.firstInvoice).toMatchObject({ total: { amount: String(3483 - 534 + 267) }, revision: 2 });
    expect(payload.order.firstInvoice.lines[0]).toMatchObject({ amount: { amount: '267' }, quantity: 1 });
    const events = (await gw.gql(ORDER, { id: order.id }, { token: alice.token })).data.order.events.nodes;
    expect(events).toContainEqual(expect.objectContaining({ type: 'ITEM_QUANTITY_CHANGED', actorRole: 'CUSTOMER', data: { before: 2, after: 1 } }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'INVOICE_RECOMPUTED', data: expect.objectContaining({ totalBefore: '3483', totalAfter: '3216' }) }));
  });

  it('cancels an item at 0, and the order with its last item', async () => {
    const order = await quotedOrder();
    const first = await gw.gql(CHANGE, { input: { itemId: order.items[1].id, quantity: 0 } }, { token: alice.token });
    expect(first.data.orderItemQuantityChange.item.status).toBe('CANCELLED');
    expect(first.data.orderItemQuantityChange.order.firstInvoice.lines.map((l: any) => l.itemId)).not.toContain(order.items[1].id);
    expect(first.data.orderItemQuantityChange.order.firstInvoice.total.amount).toBe(String(534 + 171 + 22 + 119 + 500));
    await gw.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 0 } }, { token: alice.token });
    const last = await gw.gql(CHANGE, { input: { itemId: order.items[2].id, quantity: 0 } }, { token: alice.token });
    const cancelled = last.data.orderItemQuantityChange.order;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'ALL_ITEMS_CANCELLED', availableActions: ['SEND_MESSAGE'] });
    expect(cancelled.firstInvoice.status).toBe('VOID');
  });

  it('refuses another customer’s item as NOT_FOUND, a quantity of 1000, and a cancelled order’s item', async () => {
    const order = await quotedOrder();
    const theirs = await gw.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 1 } }, { token: bob.token });
    const missing = await gw.gql(CHANGE, { input: { itemId: '00000000-0000-4000-8000-000000000000', quantity: 1 } }, { token: bob.token });
    expect(theirs.data).toEqual(missing.data);
    expect(theirs.data.orderItemQuantityChange.userErrors[0].code).toBe('NOT_FOUND');
    const big = await gw.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 1000 } }, { token: alice.token });
    expect(big.data.orderItemQuantityChange.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'quantity'] });
    await gw.gql(CANCEL, { input: { orderId: order.id } }, { token: alice.token });
    const after = await gw.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 1 } }, { token: alice.token });
    expect(after.data.orderItemQuantityChange.userErrors[0].code).toBe('ITEM_NOT_CHANGEABLE');
  });

  it('loses no update when changes race: the invoice equals a fresh computation', async () => {
    const order = await quotedOrder();
    // The items start at 2, 1 and 3: no change below sets an item to the quantity it starts at,
    // so whichever order they run in, each one is a change and a recomputation (revision 1 + 10).
    const changes = [
      [0, 5], [1, 2], [2, 7], [0, 3], [1, 4], [2, 1], [0, 9], [1, 6], [2, 2], [0, 4],
    ].map(([i, q]) => gw.gql(CHANGE, { input: { itemId: order.items[i].id, quantity: q } }, { token: alice.token }));
    const results = await Promise.all(changes);
    expect(results.every((r) => r.status === 200 && !r.errors && r.data.orderItemQuantityChange.userErrors.length === 0)).toBe(true);
    const final = (await gw.gql(ORDER, { id: order.id }, { token: alice.token })).data.order;
    const fresh = computeFirstInvoice(
      final.items.map((it: any) => ({ id: it.id, title: it.title, quantity: it.quantity, unitPriceCny: BigInt(it.unitPrice.amount.replace('.', '')), chinaShippingCny: BigInt(it.chinaShipping.amount.replace('.', '')) })),
      parseRate('21.37', []),
      { percentBps: 500, minimumJpy: 500n },
    );
    expect(final.firstInvoice.total.amount).toBe(fresh.total.toString());
    expect(final.firstInvoice.lines.map((l: any) => l.amount.amount)).toEqual(fresh.lines.map((l) => l.amount));
    expect(final.firstInvoice.revision).toBe(11);
  });
});

describe('orderCancel and orderCancelByStaff', () => {
  it('cancels before payment, records the event, and refuses a second cancel', async () => {
    const order = await quotedOrder();
    const res = await gw.gql(CANCEL, { input: { orderId: order.id } }, { token: alice.token });
    expect(res.data.orderCancel).toEqual({ order: { id: order.id, status: 'CANCELLED', cancelReason: 'CUSTOMER_REQUEST' }, userErrors: [] });
    const again = await gw.gql(CANCEL, { input: { orderId: order.id } }, { token: alice.token });
    expect(again.data.orderCancel.userErrors[0].code).toBe('ORDER_NOT_CANCELLABLE');
    const detail = (await gw.gql(ORDER, { id: order.id }, { token: alice.token })).data.order;
    expect(detail.items.every((i: any) => i.status === 'CANCELLED')).toBe(true);
    expect(detail.events.nodes).toContainEqual(expect.objectContaining({ type: 'ORDER_STATUS_CHANGED', actorRole: 'CUSTOMER', fromState: 'AWAITING_FIRST_PAYMENT', toState: 'CANCELLED' }));
  });

  it('answers another customer’s order exactly like a missing one', async () => {
    const order = await submitOrder(gw, alice);
    const theirs = await gw.gql(CANCEL, { input: { orderId: order.id } }, { token: bob.token });
    const missing = await gw.gql(CANCEL, { input: { orderId: '00000000-0000-4000-8000-000000000000' } }, { token: bob.token });
    const garbage = await gw.gql(CANCEL, { input: { orderId: 'nope' } }, { token: bob.token });
    expect(theirs.data).toEqual(missing.data);
    expect(garbage.data).toEqual(missing.data);
  });

  it('lets staff cancel with a reason and note; customers get FORBIDDEN', async () => {
    const order = await submitOrder(gw, alice);
    const forbidden = await gw.gql(STAFF_CANCEL, { input: { orderId: order.id, reason: 'PROHIBITED_ITEM', note: 'x' } }, { token: alice.token });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const noNote = await gw.gql(STAFF_CANCEL, { input: { orderId: order.id, reason: 'PROHIBITED_ITEM', note: '' } }, { token: clerk.token });
    expect(noNote.data.orderCancelByStaff.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'note'] });
    const ok = await gw.gql(STAFF_CANCEL, { input: { orderId: order.id, reason: 'PROHIBITED_ITEM', note: 'Batteries cannot be shipped by air.' } }, { token: clerk.token });
    expect(ok.data.orderCancelByStaff.order).toMatchObject({ status: 'CANCELLED', cancelReason: 'PROHIBITED_ITEM', cancelNote: 'Batteries cannot be shipped by air.' });
  });
});

describe('orderDeliveryAddressChange', () => {
  it('changes the address with before/after in the timeline, and refuses bad input and cancelled orders', async () => {
    const order = await submitOrder(gw, alice);
    const ok = await gw.gql(ADDRESS_CHANGE, { input: { orderId: order.id, deliveryAddress: { ...ADDRESS, postalCode: '530-0001', prefecture: '大阪府', city: '大阪市北区' } } }, { token: alice.token });
    expect(ok.data.orderDeliveryAddressChange).toEqual({ order: { deliveryAddress: { postalCode: '530-0001', city: '大阪市北区' } }, userErrors: [] });
    const events = (await gw.gql(ORDER, { id: order.id }, { token: alice.token })).data.order.events.nodes;
    expect(events).toContainEqual(expect.objectContaining({ type: 'DELIVERY_ADDRESS_CHANGED', data: expect.objectContaining({ before: expect.objectContaining({ postalCode: '150-0001' }), after: expect.objectContaining({ postalCode: '530-0001' }) }) }));
    const bad = await gw.gql(ADDRESS_CHANGE, { input: { orderId: order.id, deliveryAddress: { ...ADDRESS, postalCode: 'abc' } } }, { token: alice.token });
    expect(bad.data.orderDeliveryAddressChange.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'deliveryAddress', 'postalCode'] });
    await gw.gql(CANCEL, { input: { orderId: order.id } }, { token: alice.token });
    const late = await gw.gql(ADDRESS_CHANGE, { input: { orderId: order.id, deliveryAddress: ADDRESS } }, { token: alice.token });
    expect(late.data.orderDeliveryAddressChange.userErrors[0].code).toBe('ADDRESS_NOT_CHANGEABLE');
  });
});

describe('reading orders', () => {
  it('shows another customer’s order exactly like a missing one (null)', async () => {
    const order = await submitOrder(gw, alice);
    for (const id of [order.id, '00000000-0000-4000-8000-000000000000', 'x']) {
      const res = await gw.gql(`query($id: ID!) { order(id: $id) { id } }`, { id }, { token: bob.token });
      expect(res.body).toEqual({ data: { order: null } });
    }
  });

  it('pages through a customer’s orders newest first, filtered by status group', async () => {
    const carol = await customer(gw);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      gw.clock.advanceDays(0.01);
      ids.push((await submitOrder(gw, carol, [itemInput(i)])).id);
    }
    await gw.gql(CANCEL, { input: { orderId: ids[0] } }, { token: carol.token });
    const LIST = `query($after: String, $filter: OrdersFilter) { orders(first: 2, after: $after, filter: $filter) { nodes { id } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await gw.gql(LIST, { after }, { token: carol.token })).data.orders;
      seen.push(...page.nodes.map((n: any) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const cancelled = (await gw.gql(LIST, { filter: { statusGroup: 'CANCELLED' } }, { token: carol.token })).data.orders.nodes;
    expect(cancelled).toEqual([{ id: ids[0] }]);
    const tooMany = await gw.gql(`{ orders(first: 101) { nodes { id } } }`, {}, { token: carol.token });
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lets staff search by order number, e-mail or phone and list the quote queue oldest first', async () => {
    const dave = await customer(gw, { phone: '070-5555-0101' });
    const order = await submitOrder(gw, dave);
    const SEARCH = `query($filter: OrdersFilter) { orders(first: 50, filter: $filter) { nodes { id } } }`;
    for (const search of [order.orderNumber.toLowerCase().replace('-', ''), dave.email.toUpperCase(), '+81 70 5555 0101']) {
      const res = await gw.gql(SEARCH, { filter: { search } }, { token: clerk.token });
      expect(res.data.orders.nodes).toEqual([{ id: order.id }]);
    }
    const queue = (await gw.gql(`{ orders(first: 100, filter: { awaiting: QUOTE }) { nodes { id submittedAt status } } }`, {}, { token: clerk.token })).data.orders.nodes;
    expect(queue.every((o: any) => o.status === 'SUBMITTED')).toBe(true);
    const times = queue.map((o: any) => o.submittedAt);
    expect(times).toEqual([...times].sort());
    const asCustomer = await gw.gql(`{ orders(first: 5, filter: { awaiting: QUOTE }) { nodes { id } } }`, {}, { token: dave.token });
    expect(asCustomer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('reads 50 orders with items and invoices in a fixed number of SQL statements', async () => {
    const erin = await customer(gw);
    const LIST = `query($n: Int!) { orders(first: $n) { nodes { id status availableActions items { id title availableActions unitPrice { amount } } firstInvoice { total { amount } lines { amount { amount } } } secondInvoice { id } } } }`;
    const statementsFor = async (n: number) => {
      const before = sqlStatementCount(gw.app.ds);
      const res = await gw.gql(LIST, { n }, { token: erin.token });
      expect(res.data.orders.nodes).toHaveLength(n);
      return sqlStatementCount(gw.app.ds) - before;
    };
    const batch = async (count: number) => {
      for (let i = 0; i < count; i += 10) {
        await Promise.all(Array.from({ length: Math.min(10, count - i) }, async () => {
          const o = await submitOrder(gw, erin, [itemInput(1), itemInput(2)]);
          await quoteOrder(gw, clerk, o, ['10', '20'], ['1', '0']);
        }));
      }
    };
    await batch(2);
    const small = await statementsFor(2);
    await batch(48);
    const large = await statementsFor(50);
    expect(large).toBe(small);
    // viewer, orders page, items, invoices, payments, return requests (+ spare): one per loader, not per order
    expect(large).toBeLessThanOrEqual(8);
  });
});

describe('guests', () => {
  const GUEST = `query($n: String!, $p: String!) { guestOrder(orderNumber: $n, phone: $p) { id orderNumber status availableActions } }`;

  it('finds a guest order by number and phone in any format, and acts on it', async () => {
    const order = await submitOrder(gw, null);
    const found = await gw.gql(GUEST, { n: order.orderNumber.toLowerCase(), p: '+81 80 9999 0000' });
    expect(found.data.guestOrder).toMatchObject({ id: order.id, availableActions: expect.arrayContaining(['CANCEL_ORDER']) });
    const cancel = await gw.gql(CANCEL, { input: { orderId: order.id, guest: { orderNumber: order.orderNumber, phone: '08099990000' } } });
    expect(cancel.data.orderCancel.order).toMatchObject({ status: 'CANCELLED' });
  });

  it('answers a wrong phone and an unknown number alike, and refuses the 11th failure even with the right phone', async () => {
    const order = await submitOrder(gw, null);
    const wrong = await gw.gql(GUEST, { n: order.orderNumber, p: '080-0000-0000' }, { headers: { 'x-forwarded-for': '1' } });
    const unknown = await gw.gql(GUEST, { n: 'ZZZZ-ZZZZ', p: '080-9999-0000' });
    expect(wrong.body).toEqual({ data: { guestOrder: null } });
    expect(unknown.body).toEqual({ data: { guestOrder: null } });
    for (let i = 0; i < 9; i++) await gw.gql(GUEST, { n: order.orderNumber, p: `080-0000-000${i}` });
    const blocked = await gw.gql(GUEST, { n: order.orderNumber, p: '080-9999-0000' });
    expect(blocked.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
  });

  it('lets a signed-in customer claim a guest order with its number and phone', async () => {
    const order = await submitOrder(gw, null);
    const frank = await customer(gw);
    const CLAIM = `mutation($input: GuestOrderClaimInput!) { guestOrderClaim(input: $input) { order { id } userErrors { code } } }`;
    const wrong = await gw.gql(CLAIM, { input: { orderNumber: order.orderNumber, phone: '080-1111-1111' } }, { token: frank.token });
    expect(wrong.data.guestOrderClaim.userErrors[0].code).toBe('NOT_FOUND');
    const ok = await gw.gql(CLAIM, { input: { orderNumber: order.orderNumber, phone: '080-9999-0000' } }, { token: frank.token });
    expect(ok.data.guestOrderClaim).toEqual({ order: { id: order.id }, userErrors: [] });
    expect((await gw.gql(`query($id: ID!) { order(id: $id) { id } }`, { id: order.id }, { token: frank.token })).data.order).toEqual({ id: order.id });
    expect((await gw.gql(GUEST, { n: order.orderNumber, p: '080-9999-0000' })).data.guestOrder).toBeNull();
  });
});
