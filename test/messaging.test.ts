import { readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Attachment } from '../src/modules/attachments/attachment.entity';
import { Message } from '../src/modules/messaging/message.entity';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, staff, submitOrder, quoteOrder, type Actor } from './support/builders';
import { jpeg, pdf, pdfOfSize, png, sha256 } from './support/files';

let gw: TestGateway;
let alice: Actor;
let bob: Actor;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  [alice, bob, clerk] = await Promise.all([customer(gw), customer(gw), staff(gw)]);
});
afterAll(() => gw.close());
// Tests move the clock by weeks; tokens (7 days) are re-issued at the current time.
async function refreshTokens() {
  for (const actor of [alice, bob, clerk]) actor.token = (await gw.app.tokens.issue(actor.id, gw.clock.now())).token;
}
beforeEach(refreshTokens);

const SEND = `mutation($input: MessageSendInput!) { messageSend(input: $input) {
  message { id title body itemId askSellerBeforePurchase replyDeadline author { side name }
    attachments { id filename contentType byteSize sha256 url } }
  userErrors { code field message } } }`;
const THREAD = `query($id: ID!) { order(id: $id) { unreadMessageCount messagingOpenUntil replyDeadline availableActions
  messages(first: 50) { nodes { title author { side } readAt } }
  items { id hasOpenSellerQuestion availableActions sellerQuestions { id body answeredAt } } } }`;

const MB10 = 10 * 1024 * 1024;

function storedFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
  return walk(gw.storageDir);
}

async function counts() {
  return { messages: await gw.app.ds.getRepository(Message).count(), attachments: await gw.app.ds.getRepository(Attachment).count(), files: storedFiles().length };
}

function send(actor: Actor | null, orderId: string, extra: Record<string, unknown> = {}, files: { name: string; type: string; bytes: Buffer }[] = []) {
  const input = { orderId, title: '色について', body: '黒はありますか？', files: files.map(() => null), ...extra };
  return gw.upload(SEND, { input }, files.map((f, i) => ({ ...f, path: `input.files.${i}` })), actor ? { token: actor.token } : {});
}

describe('attachments through real multipart requests', () => {
  it('stores three valid files and serves them byte-identical with their detected types', async () => {
    const order = await submitOrder(gw, alice);
    const files = [
      { name: '写真.jpg', type: 'image/jpeg', bytes: jpeg() },
      { name: 'screen.png', type: 'image/png', bytes: png() },
      { name: '請求書.pdf', type: 'application/pdf', bytes: pdf() },
    ];
    const res = await send(alice, order.id, {}, files);
    expect(res.data.messageSend.userErrors).toEqual([]);
    const attachments = res.data.messageSend.message.attachments;
    expect(attachments.map((a: any) => [a.filename, a.contentType, a.byteSize, a.sha256])).toEqual(
      files.map((f) => [f.name, f.type, f.bytes.length, sha256(f.bytes)]),
    );
    for (const [i, a] of attachments.entries()) {
      const download = await fetch(a.url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(files[i].bytes)).toBe(true);
      expect(download.headers.get('content-type')).toBe(files[i].type);
      expect(download.headers.get('x-content-type-options')).toBe('nosniff');
      expect(download.headers.get('content-disposition')).toMatch(files[i].type === 'application/pdf' ? /^attachment;/ : /^inline;/);
    }
    // Without the signature: the owner's token works, another customer's gets 404.
    const bare = attachments[0].url.split('?')[0];
    expect((await fetch(bare, { headers: { authorization: `Bearer ${alice.token}` } })).status).toBe(200);
    expect((await fetch(bare, { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(404);
    expect((await fetch(bare)).status).toBe(404);
    expect((await fetch(attachments[0].url.replace(/sig=./, 'sig=A'))).status).toBe(404);
    gw.clock.advanceDays(1 / 48); // 30 minutes: past the 15-minute link lifetime
    expect((await fetch(attachments[0].url)).status).toBe(404);
  });

  it('stores a real JPEG declared as text/plain as image/jpeg', async () => {
    const order = await submitOrder(gw, alice);
    const res = await send(alice, order.id, {}, [{ name: 'notes.txt', type: 'text/plain', bytes: jpeg() }]);
    expect(res.data.messageSend.message.attachments[0].contentType).toBe('image/jpeg');
  });

  it('accepts a file of exactly 10 MB', async () => {
    const order = await submitOrder(gw, alice);
    const res = await send(alice, order.id, {}, [{ name: 'big.pdf', type: 'application/pdf', bytes: pdfOfSize(MB10) }]);
    expect(res.data.messageSend.message.attachments[0].byteSize).toBe(MB10);
  });

  it.each([
    ['10 MB + 1 byte', [{ name: 'big.pdf', type: 'application/pdf', bytes: pdfOfSize(MB10 + 1) }], 'FILE_TOO_LARGE'],
    ['an HTML file named .png declared image/png', [{ name: 'x.png', type: 'image/png', bytes: Buffer.from('<!doctype html><script>alert(1)</script>') }], 'FILE_TYPE_NOT_ALLOWED'],
    ['an SVG', [{ name: 'x.svg', type: 'image/svg+xml', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }], 'FILE_TYPE_NOT_ALLOWED'],
    ['an empty file', [{ name: 'empty.jpg', type: 'image/jpeg', bytes: Buffer.alloc(0) }], 'FILE_EMPTY'],
    ['a bad third file after two good ones', [
      { name: 'a.jpg', type: 'image/jpeg', bytes: jpeg() },
      { name: 'b.png', type: 'image/png', bytes: png() },
      { name: 'c.png', type: 'image/png', bytes: Buffer.from('<html>not an image</html>') },
    ], 'FILE_TYPE_NOT_ALLOWED'],
  ])('refuses %s with a clear error and stores nothing', async (_label, files, code) => {
    const order = await submitOrder(gw, alice);
    const before = await counts();
    const res = await send(alice, order.id, {}, files);
    expect(res.data.messageSend.message).toBeNull();
    expect(res.data.messageSend.userErrors[0]).toMatchObject({ code, field: ['input', 'files', String(files.length - 1)] });
    expect(await counts()).toEqual(before);
  });

  it('refuses a fourth file before anything is stored', async () => {
    const order = await submitOrder(gw, alice);
    const before = await counts();
    const res = await send(alice, order.id, {}, Array.from({ length: 4 }, (_, i) => ({ name: `${i}.png`, type: 'image/png', bytes: png() })));
    // Up to 10 files pass the HTTP layer (inspection photos); a message is held to 3 before any is read.
    expect(res.data.messageSend.userErrors).toEqual([expect.objectContaining({ code: 'TOO_MANY_FILES', field: ['input', 'files'], message: 'Attach at most 3 files at a time.' })]);
    expect(await counts()).toEqual(before);
  });

  it('refuses a multipart request without the preflight header', async () => {
    const order = await submitOrder(gw, alice);
    const before = await counts();
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: SEND, variables: { input: { orderId: order.id, title: 't', body: 'b', files: [null] } } }));
    form.append('map', JSON.stringify({ 0: ['variables.input.files.0'] }));
    form.append('0', new Blob([new Uint8Array(png())], { type: 'image/png' }), 'a.png');
    const res = await fetch(gw.url, { method: 'POST', headers: { authorization: `Bearer ${alice.token}` }, body: form });
    expect(res.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('leaves no row and no stored bytes when the client disconnects mid-upload', async () => {
    const order = await submitOrder(gw, alice);
    const before = await counts();
    const boundary = 'xBOUNDARYx';
    const operations = JSON.stringify({ query: SEND, variables: { input: { orderId: order.id, title: 't', body: 'b', files: [null] } } });
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.input.files.0"]}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="half.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    );
    await new Promise<void>((resolve) => {
      const url = new URL(gw.url);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`, 'apollo-require-preflight': 'true', authorization: `Bearer ${alice.token}`, 'content-length': String(head.length + 5_000_000),
      } });
      req.on('error', () => resolve());
      req.write(head);
      req.write(pdfOfSize(2_000_000));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    await new Promise((r) => setTimeout(r, 500)); // let the server notice and clean up
    expect(await counts()).toEqual(before);
  });
});

describe('the thread', () => {
  it('keeps messages newest last, counts unread per side, and marks read', async () => {
    const order = await submitOrder(gw, alice);
    await send(alice, order.id, { title: 'one' });
    gw.clock.advanceDays(0.001);
    await send(clerk, order.id, { title: 'two', replyDeadline: new Date(gw.clock.now().getTime() + 3 * 86_400_000).toISOString() });
    gw.clock.advanceDays(0.001);
    await send(clerk, order.id, { title: 'three' });
    const asAlice = (await gw.gql(THREAD, { id: order.id }, { token: alice.token })).data.order;
    expect(asAlice.messages.nodes.map((m: any) => [m.title, m.author.side])).toEqual([['one', 'CUSTOMER'], ['two', 'STAFF'], ['three', 'STAFF']]);
    expect(asAlice.unreadMessageCount).toBe(2);
    expect(asAlice.replyDeadline).not.toBeNull();
    expect((await gw.gql(THREAD, { id: order.id }, { token: clerk.token })).data.order.unreadMessageCount).toBe(1);
    const MARK = `mutation($input: MessagesMarkReadInput!) { messagesMarkRead(input: $input) { marked userErrors { code } } }`;
    expect((await gw.gql(MARK, { input: { orderId: order.id } }, { token: alice.token })).data.messagesMarkRead).toEqual({ marked: 2, userErrors: [] });
    const after = (await gw.gql(THREAD, { id: order.id }, { token: alice.token })).data.order;
    expect(after.unreadMessageCount).toBe(0);
    expect(after.messages.nodes[1].readAt).not.toBeNull();
    // The customer answered after the deadline was set? Not yet — replying clears it.
    await send(alice, order.id, { title: 'reply' });
    expect((await gw.gql(THREAD, { id: order.id }, { token: alice.token })).data.order.replyDeadline).toBeNull();
  });

  it('refuses a deadline from a customer, an empty title, and another customer’s order (as missing)', async () => {
    const order = await submitOrder(gw, alice);
    const deadline = await send(alice, order.id, { replyDeadline: new Date(gw.clock.now().getTime() + 86_400_000).toISOString() });
    expect(deadline.data.messageSend.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'replyDeadline'] });
    expect((await send(alice, order.id, { title: '' })).data.messageSend.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'title'] });
    const theirs = await send(bob, order.id);
    const missing = await send(bob, '00000000-0000-4000-8000-000000000000');
    expect(theirs.data).toEqual(missing.data);
    expect(theirs.data.messageSend.userErrors[0].code).toBe('NOT_FOUND');
  });

  it('lets a guest write with order number and phone', async () => {
    const order = await submitOrder(gw, null);
    const res = await send(null, order.id, { guest: { orderNumber: order.orderNumber, phone: '080-9999-0000' } }, [{ name: 'a.png', type: 'image/png', bytes: png() }]);
    expect(res.data.messageSend.message).toMatchObject({ author: { side: 'CUSTOMER', name: '山田 花子' } });
    const wrong = await send(null, order.id, { guest: { orderNumber: order.orderNumber, phone: '080-0000-0001' } });
    expect(wrong.data.messageSend.userErrors[0].code).toBe('NOT_FOUND');
  });

  it('stays open 30 days after cancellation: allowed at 29 days, refused at 31', async () => {
    const order = await submitOrder(gw, alice);
    await gw.gql(`mutation($id: ID!) { orderCancel(input: { orderId: $id }) { userErrors { code } } }`, { id: order.id }, { token: alice.token });
    const cancelledAt = gw.clock.now();
    const open = (await gw.gql(THREAD, { id: order.id }, { token: alice.token })).data.order;
    expect(new Date(open.messagingOpenUntil).getTime()).toBe(cancelledAt.getTime() + 30 * 86_400_000);
    gw.clock.advanceDays(29);
    await refreshTokens();
    expect((await send(alice, order.id)).data.messageSend.userErrors).toEqual([]);
    gw.clock.advanceDays(2);
    await refreshTokens();
    const late = await send(alice, order.id, {}, [{ name: 'a.png', type: 'image/png', bytes: png() }]);
    expect(late.data.messageSend.userErrors[0].code).toBe('MESSAGING_CLOSED');
    expect((await gw.gql(THREAD, { id: order.id }, { token: alice.token })).data.order.availableActions).not.toContain('SEND_MESSAGE');
  });
});

describe('seller questions before purchase', () => {
  it('puts an open question on the item and in the staff queue until staff answer in the thread', async () => {
    const order = await submitOrder(gw, alice);
    const item = order.items[1];
    const ask = await send(alice, order.id, { itemId: item.id, askSellerBeforePurchase: true, body: 'この商品は日本の電圧で使えますか？' });
    expect(ask.data.messageSend.userErrors).toEqual([]);
    const QUEUE = `{ orders(first: 100, filter: { awaiting: SELLER_QUESTION }) { nodes { id } } }`;
    expect((await gw.gql(QUEUE, {}, { token: clerk.token })).data.orders.nodes).toContainEqual({ id: order.id });
    let items = (await gw.gql(THREAD, { id: order.id }, { token: clerk.token })).data.order.items;
    expect(items[1]).toMatchObject({ hasOpenSellerQuestion: true, sellerQuestions: [{ body: 'この商品は日本の電圧で使えますか？', answeredAt: null }] });
    expect(items[0].hasOpenSellerQuestion).toBe(false);

    const answer = await send(clerk, order.id, { itemId: item.id, title: 'Re: 電圧', body: '100V対応です。' });
    expect(answer.data.messageSend.userErrors).toEqual([]);
    items = (await gw.gql(THREAD, { id: order.id }, { token: alice.token })).data.order.items;
    expect(items[1].hasOpenSellerQuestion).toBe(false);
    expect(items[1].sellerQuestions[0].answeredAt).not.toBeNull();
    expect((await gw.gql(QUEUE, {}, { token: clerk.token })).data.orders.nodes).not.toContainEqual({ id: order.id });
  });

  it('refuses a seller question without an item, on a cancelled item, and from staff', async () => {
    const order = await quoteOrder(gw, clerk, await submitOrder(gw, alice), ['1', '1', '1'], ['0', '0', '0']);
    expect((await send(alice, order.id, { askSellerBeforePurchase: true })).data.messageSend.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'itemId'] });
    await gw.gql(`mutation($id: ID!) { orderItemQuantityChange(input: { itemId: $id, quantity: 0 }) { userErrors { code } } }`, { id: order.items[0].id }, { token: alice.token });
    const cancelled = await send(alice, order.id, { itemId: order.items[0].id, askSellerBeforePurchase: true });
    expect(cancelled.data.messageSend.userErrors[0].code).toBe('SELLER_QUESTION_NOT_ALLOWED');
    const fromStaff = await send(clerk, order.id, { itemId: order.items[1].id, askSellerBeforePurchase: true });
    expect(fromStaff.data.messageSend.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'askSellerBeforePurchase'] });
  });
});
