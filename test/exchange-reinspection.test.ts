import { readdirSync } from 'node:fs';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, inspectedOrder, itemInput, quoteOrder, creditDeposit, invoicePay, staff, submitOrder, type Actor } from './support/builders';
import { jpeg, png } from './support/files';

/**
 * Issue 11: an exchange's replacement is inspected again like an arrival (count, note, photos),
 * and inspection photos allow up to 10 per item (message attachments stay at 3). Photos are
 * streamed to storage before the transaction and deleted again if it does not commit.
 */
let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const REQUEST = `mutation($i: ItemExchangeRequestInput!) { itemExchangeRequest(input: $i) { returnRequest { id } userErrors { code message } } }`;
const DECIDE = `mutation($i: ItemExchangeDecideInput!) { itemExchangeDecide(input: $i) { returnRequest { status } userErrors { code message } } }`;
const COMPLETE = `mutation($i: ItemExchangeCompleteInput!) { itemExchangeComplete(input: $i) {
  returnRequest { id status completionNote replacementReceivedQuantity }
  item { id inspection { receivedQuantity shortfall note exchangeRequestId photos { filename contentType } } }
  userErrors { code field message } } }`;
const ITEM = `query($id: ID!) { order(id: $id) { status items { id inspection { receivedQuantity shortfall note exchangeRequestId inspectedAt photos { filename } } returnRequests { id status } } } }`;
const ARRIVAL = `mutation($i: OrderItemArrivalInput!) { orderItemArrival(input: $i) { item { inspection { photos { filename } } } userErrors { code field message } } }`;

const photos = (n: number, prefix: string) => Array.from({ length: n }, (_, k) => ({ name: `${prefix}-${k + 1}.${k % 2 ? 'png' : 'jpg'}`, type: k % 2 ? 'image/png' : 'image/jpeg', bytes: k % 2 ? png() : jpeg() }));
const storedFiles = () => readdirSync(gw.storageDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
const item = async (orderId: string, token = clerk.token) => (await gw.gql(ITEM, { id: orderId }, { token })).data.order.items[0];
function complete(input: Record<string, unknown>, files: ReturnType<typeof photos> = [], token = clerk.token) {
  return gw.upload(COMPLETE, { i: { ...input, photos: files.map(() => null) } }, files.map((f, n) => ({ ...f, path: `i.photos.${n}` })), { token });
}

/** An inspected one-item order (quantity 2) with an accepted exchange waiting for its replacement. */
async function acceptedExchange(owner: Actor) {
  const order = await inspectedOrder(gw, clerk, owner, { items: [itemInput(1, 2)] });
  const asked = await gw.gql(REQUEST, { i: { itemId: order.items[0].id, kind: 'EXCHANGE', reason: '色が違います' } }, { token: owner.token });
  const requestId = asked.data.itemExchangeRequest.returnRequest.id;
  expect((await gw.gql(DECIDE, { i: { requestId, sellerAccepted: true, note: '交換します' } }, { token: clerk.token })).data.itemExchangeDecide.returnRequest.status).toBe('SELLER_ACCEPTED');
  return { order, requestId };
}

describe('an exchange’s replacement', () => {
  it('is counted, noted and photographed (more than 3 photos), and that inspection becomes the item’s', async () => {
    // given an accepted exchange; the first arrival had no photos and 2 units
    const owner = await customer(gw);
    const { order, requestId } = await acceptedExchange(owner);
    const first = await item(order.id);
    expect(first.inspection).toMatchObject({ receivedQuantity: 2, exchangeRequestId: null });

    // when staff inspect the replacement: one unit short, 5 photos
    const done = await complete({ requestId, receivedQuantity: 1, note: '交換品1点は後日届きます' }, photos(5, 'replacement'));

    // then the request is complete with the count, and the item's inspection is the replacement's
    const payload = done.data.itemExchangeComplete;
    expect(payload.userErrors).toEqual([]);
    expect(payload.returnRequest).toMatchObject({ status: 'COMPLETED', completionNote: '交換品1点は後日届きます', replacementReceivedQuantity: 1 });
    expect(payload.item.inspection).toMatchObject({ receivedQuantity: 1, shortfall: 1, note: '交換品1点は後日届きます', exchangeRequestId: requestId });
    expect(payload.item.inspection.photos.map((p: any) => p.filename)).toEqual(['replacement-1.jpg', 'replacement-2.png', 'replacement-3.jpg', 'replacement-4.png', 'replacement-5.jpg']);
    const seen = await item(order.id, owner.token);
    expect(seen.inspection.photos).toHaveLength(5);
    expect(seen.returnRequests).toEqual([{ id: requestId, status: 'COMPLETED' }]);
  });

  it('refuses a bad count, an 11th photo and a non-exchange, storing nothing and leaving the request waiting', async () => {
    const owner = await customer(gw);
    const { order, requestId } = await acceptedExchange(owner);
    const before = { item: await item(order.id), files: storedFiles() };

    // a count above what was bought, with photos: INVALID, and the photos are not kept
    const tooMany = await complete({ requestId, receivedQuantity: 3 }, photos(2, 'x'));
    expect(tooMany.data.itemExchangeComplete.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'receivedQuantity'] })]);
    // 11 photos: refused at the HTTP layer before anything is read
    const eleven = await complete({ requestId, receivedQuantity: 2 }, photos(11, 'y'));
    expect(eleven.status).toBe(413);
    // a file that is not an image: the batch is removed again
    const bad = await complete({ requestId, receivedQuantity: 2 }, [...photos(2, 'z'), { name: 'evil.jpg', type: 'image/jpeg', bytes: Buffer.from('MZ not an image') }]);
    expect(bad.data.itemExchangeComplete.userErrors).toEqual([expect.objectContaining({ code: 'FILE_TYPE_NOT_ALLOWED', field: ['input', 'photos', '2'] })]);
    // the customer cannot complete it
    expect((await complete({ requestId, receivedQuantity: 2 }, [], owner.token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await new Promise((r) => setTimeout(r, 100));
    expect({ item: await item(order.id), files: storedFiles() }).toEqual(before);

    // and once complete, completing again is INVALID_STATE and stores nothing
    expect((await complete({ requestId, receivedQuantity: 2 })).data.itemExchangeComplete.userErrors).toEqual([]);
    const files = storedFiles();
    const again = await complete({ requestId, receivedQuantity: 2 }, photos(1, 'again'));
    expect(again.data.itemExchangeComplete.userErrors[0].code).toBe('INVALID_STATE');
    expect(storedFiles()).toBe(files);
  });
});

describe('inspection photos on arrival', () => {
  it('take up to 10 per item; an 11th is refused before anything is stored', async () => {
    // given a paid order with one item bought
    const owner = await customer(gw);
    const quoted = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0']);
    await creditDeposit(gw, clerk, owner.id, BigInt(quoted.firstInvoice.total.amount));
    await invoicePay(gw, owner, { invoiceId: quoted.firstInvoice.id });
    await gw.gql(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code } } }`, { i: { itemId: quoted.items[0].id, quantityBought: 1 } }, { token: clerk.token });
    const arrive = (files: ReturnType<typeof photos>) =>
      gw.upload(ARRIVAL, { i: { itemId: quoted.items[0].id, receivedQuantity: 1, photos: files.map(() => null) } }, files.map((f, n) => ({ ...f, path: `i.photos.${n}` })), { token: clerk.token });

    // when 11 are sent, then nothing is stored and the item has not arrived
    const files = storedFiles();
    expect((await arrive(photos(11, 'p'))).status).toBe(413);
    expect(storedFiles()).toBe(files);
    expect((await item(quoted.id)).inspection).toBeNull();

    // when 10 are sent, then all 10 are the item's inspection photos
    const ten = await arrive(photos(10, 'p'));
    expect(ten.data.orderItemArrival.userErrors).toEqual([]);
    expect(ten.data.orderItemArrival.item.inspection.photos).toHaveLength(10);
    expect(storedFiles()).toBe(files + 10);
  });
});
