import { randomBytes } from 'node:crypto';
import type { App } from '../src/app/app';
import { registerInput } from '../src/cli/demo-accounts';
import { inTransaction } from '../src/common/transaction';
import { Role } from '../src/modules/accounts/account.entity';

/**
 * Data for the benchmarks and the N+1 tests, made the way clients and staff make it: through
 * GraphQL (the test gateway's `gql`/`upload`, or `httpClient` below). Only staff accounts are
 * created through the service, as `npm run user:create` does.
 */
export interface GqlResult {
  status: number;
  data: any;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  body: any;
}
export interface OutgoingFile {
  path: string;
  name: string;
  type: string;
  bytes: Buffer;
}
export interface Client {
  gql(query: string, variables?: Record<string, unknown>, options?: { token?: string }): Promise<GqlResult>;
  upload(query: string, variables: Record<string, unknown>, files: OutgoingFile[], options?: { token?: string }): Promise<GqlResult>;
}
export interface Actor {
  id: string;
  token: string;
}

/** A Client over HTTP with fetch (what the test gateway does too). */
export function httpClient(url: string): Client {
  const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  const result = async (res: Response): Promise<GqlResult> => {
    const body = (await res.json()) as any;
    return { status: res.status, data: body.data, errors: body.errors, body };
  };
  return {
    async gql(query, variables, options = {}) {
      return result(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth(options.token) }, body: JSON.stringify({ query, variables }) }));
    },
    async upload(query, variables, files, options = {}) {
      const form = new FormData();
      form.append('operations', JSON.stringify({ query, variables }));
      form.append('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [`variables.${f.path}`]]))));
      files.forEach((f, i) => form.append(String(i), new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name));
      return result(await fetch(url, { method: 'POST', headers: { 'apollo-require-preflight': 'true', ...auth(options.token) }, body: form }));
    },
  };
}

/** The data of a mutation's payload, or an error naming the mutation and what came back. */
export function ok(res: GqlResult, field: string): any {
  const payload = res.data?.[field];
  if (res.errors?.length || !payload || payload.userErrors?.length) throw new Error(`${field} failed: ${JSON.stringify(res.body).slice(0, 800)}`);
  return payload;
}

const key = () => randomBytes(12).toString('hex');
const yen = (n: number) => ({ amount: String(n), currency: 'JPY' });

export async function registerCustomer(client: Client): Promise<Actor> {
  const email = `bench-${key()}@example.jp`;
  const payload = ok(
    await client.gql(`mutation($input: AccountRegisterInput!) { accountRegister(input: $input) { token account { id } userErrors { code message } } }`, {
      input: { email, password: 'correct horse battery', name: 'Hanako Yamada', phone: '090-1234-5678' },
    }),
    'accountRegister',
  );
  return { id: payload.account.id, token: payload.token };
}

export async function createStaff(app: App): Promise<Actor> {
  const account = await inTransaction(app.ds, (tx) => app.accounts.register(tx, registerInput(`staff-${key()}@operator.jp`, 'staff password 123', 'Staff Member', '03-1234-5678'), Role.STAFF));
  return { id: account.id, token: (await app.tokens.issue(account.id, app.clock.now())).token };
}

const ADDRESS = { recipient: '山田 花子', postalCode: '150-0001', prefecture: '東京都', city: '渋谷区', line1: '神宮前1-2-3', line2: 'ハイツ101', phone: '090-1234-5678' };

const item = (n: number) => ({ productUrl: `https://item.taobao.com/item.htm?id=${1000 + n}`, title: `商品 ${n}`, options: '色: 黒 / サイズ: M', quantity: 1 + (n % 3), note: null });

/** An order of `items` items, quoted by staff (so it has its first invoice). */
export async function quotedOrder(client: Client, owner: Actor, clerk: Actor, items: number): Promise<{ id: string; items: { id: string; quantity: number }[]; firstInvoice: { id: string } }> {
  const submitted = ok(
    await client.gql(`mutation($input: OrderSubmitInput!) { orderSubmit(input: $input) { order { id items { id quantity } } userErrors { code message } } }`, {
      input: { items: Array.from({ length: items }, (_, i) => item(i)), deliveryAddress: ADDRESS, shippingPriority: 'SPEED' },
    }, { token: owner.token }),
    'orderSubmit',
  ).order;
  const quoted = ok(
    await client.gql(`mutation($input: OrderQuoteInput!) { orderQuote(input: $input) { order { id items { id quantity } firstInvoice { id } } userErrors { code message } } }`, {
      input: {
        orderId: submitted.id,
        exchangeRate: '21.37',
        items: submitted.items.map((it: { id: string }, i: number) => ({ itemId: it.id, unitPrice: { amount: `${10 + i}.50`, currency: 'CNY' }, chinaShipping: { amount: '5', currency: 'CNY' } })),
      },
    }, { token: clerk.token }),
    'orderQuote',
  );
  return quoted.order;
}

/** A minimal valid PDF (the type is judged by content). */
export const SMALL_PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');

const SEND = `mutation($input: MessageSendInput!) { messageSend(input: $input) { message { id } userErrors { code message } } }`;

/** One message, with `files` small PDFs; about `itemId` if given. */
export async function sendMessage(client: Client, author: Actor, orderId: string, n: number, options: { files?: number; itemId?: string; askSeller?: boolean } = {}) {
  const files = Array.from({ length: options.files ?? 0 }, (_, i) => ({ path: `input.files.${i}`, name: `見積-${n}-${i}.pdf`, type: 'application/pdf', bytes: SMALL_PDF }));
  const input = {
    orderId,
    title: `メッセージ ${n}`,
    body: `本文 ${n}: 商品の色とサイズについて確認させてください。`,
    itemId: options.itemId ?? null,
    askSellerBeforePurchase: options.askSeller ?? false,
    files: files.map(() => null),
  };
  return ok(await client.upload(SEND, { input }, files, { token: author.token }), 'messageSend').message;
}

/**
 * The order detail the benchmarks and N+1 tests read: `items` items, a seller question (and
 * staff's answer) on the first, `messages` messages in all (customer and staff in turn, each
 * with `filesPerMessage` PDFs), the first invoice paid from the deposit, every item bought and
 * received, and — with `secondInvoice` — the second invoice issued.
 */
export async function detailedOrder(
  client: Client,
  owner: Actor,
  clerk: Actor,
  options: { items: number; messages: number; filesPerMessage?: number; secondInvoice?: boolean },
): Promise<{ id: string }> {
  const order = await quotedOrder(client, owner, clerk, options.items);
  const files = options.filesPerMessage ?? 1;
  let sent = 0;
  if (options.messages >= 2) {
    await sendMessage(client, owner, order.id, sent++, { itemId: order.items[0].id, askSeller: true, files });
    await sendMessage(client, clerk, order.id, sent++, { itemId: order.items[0].id, files });
  }
  for (; sent < options.messages; sent++) await sendMessage(client, sent % 2 ? clerk : owner, order.id, sent, { files });

  ok(await client.gql(`mutation($input: DepositAdjustInput!) { depositAdjust(input: $input) { userErrors { code message } } }`, {
    input: { accountId: owner.id, amount: yen(10_000_000), note: 'bench funds', idempotencyKey: key() },
  }, { token: clerk.token }), 'depositAdjust');
  ok(await client.gql(`mutation($input: InvoicePayInput!) { invoicePay(input: $input) { userErrors { code message } } }`, {
    input: { invoiceId: order.firstInvoice.id, idempotencyKey: key() },
  }, { token: owner.token }), 'invoicePay');
  if (!options.secondInvoice) return order;

  for (const it of order.items) {
    ok(await client.gql(`mutation($input: OrderItemPurchaseInput!) { orderItemPurchase(input: $input) { userErrors { code message } } }`, {
      input: { itemId: it.id, quantityBought: it.quantity },
    }, { token: clerk.token }), 'orderItemPurchase');
  }
  for (const it of order.items) {
    ok(await client.upload(`mutation($input: OrderItemArrivalInput!) { orderItemArrival(input: $input) { userErrors { code message } } }`, {
      input: { itemId: it.id, receivedQuantity: it.quantity, note: '検品済み', photos: [] },
    }, [], { token: clerk.token }), 'orderItemArrival');
  }
  ok(await client.gql(`mutation($input: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $input) { userErrors { code message } } }`, {
    input: { orderId: order.id, weightKg: '2.5', lengthCm: '40', widthCm: '30', heightCm: '20' },
  }, { token: clerk.token }), 'invoiceSecondIssue');
  return order;
}

/** Limits that seeding many messages and orders from one address would hit. */
export const GENEROUS_RATE_LIMITS = 'message=100000/1m,uploadFiles=1000000/1h,register=100000/1h';

/** detailedOrder's order with its second invoice paid from the deposit and the parcel shipped. */
export async function shippedOrder(client: Client, owner: Actor, clerk: Actor, options: { items: number; messages: number }): Promise<{ id: string }> {
  const order = await detailedOrder(client, owner, clerk, { ...options, filesPerMessage: 0, secondInvoice: true });
  const read = await client.gql(`query($id: ID!) { order(id: $id) { secondInvoice { id } } }`, { id: order.id }, { token: owner.token });
  ok(await client.gql(`mutation($input: InvoicePayInput!) { invoicePay(input: $input) { userErrors { code message } } }`, {
    input: { invoiceId: read.data.order.secondInvoice.id, idempotencyKey: key() },
  }, { token: owner.token }), 'invoicePay');
  ok(await client.gql(`mutation($input: OrderShipInput!) { orderShip(input: $input) { userErrors { code message } } }`, {
    input: { orderId: order.id, carrier: 'JAPAN_POST', trackingNumber: 'EE123456789JP' },
  }, { token: clerk.token }), 'orderShip');
  return order;
}

/**
 * Orders in the states a mature shop holds, made through GraphQL, for `cloneOrders`
 * (bench/clone.ts) to multiply: each id appears as often as that kind of order should, per 20
 * orders: 13 completed, 2 cancelled, 1 shipped, 1 awaiting the second payment, 1 awaiting the
 * first payment, 2 awaiting a quote (one with a seller question). Each has 2–3 items and 4–6
 * messages, so the copies give about 3 items and 5 messages per order.
 */
export async function growthTemplates(client: Client, owner: Actor, clerk: Actor): Promise<string[]> {
  const submitted = ok(
    await client.gql(`mutation($input: OrderSubmitInput!) { orderSubmit(input: $input) { order { id items { id } } userErrors { code message } } }`, {
      input: { items: [item(1), item(2), item(3)], deliveryAddress: ADDRESS, shippingPriority: 'ECONOMY' },
    }, { token: owner.token }),
    'orderSubmit',
  ).order;
  await sendMessage(client, owner, submitted.id, 0, { itemId: submitted.items[0].id, askSeller: true });
  for (let n = 1; n < 5; n++) await sendMessage(client, n % 2 ? clerk : owner, submitted.id, n);
  const quoted = await quotedOrder(client, owner, clerk, 3);
  for (let n = 0; n < 5; n++) await sendMessage(client, n % 2 ? clerk : owner, quoted.id, n);
  const cancelled = await quotedOrder(client, owner, clerk, 2);
  for (let n = 0; n < 4; n++) await sendMessage(client, n % 2 ? clerk : owner, cancelled.id, n);
  ok(await client.gql(`mutation($input: OrderCancelInput!) { orderCancel(input: $input) { userErrors { code message } } }`, { input: { orderId: cancelled.id } }, { token: owner.token }), 'orderCancel');
  const awaitingSecond = await detailedOrder(client, owner, clerk, { items: 3, messages: 6, filesPerMessage: 0, secondInvoice: true });
  const shipped = await shippedOrder(client, owner, clerk, { items: 3, messages: 6 });
  const completed = await shippedOrder(client, owner, clerk, { items: 3, messages: 6 });
  ok(await client.gql(`mutation($input: OrderReceiptReportInput!) { orderReceiptReport(input: $input) { userErrors { code message } } }`, {
    input: { orderId: completed.id, comment: '届きました。ありがとうございました。' },
  }, { token: owner.token }), 'orderReceiptReport');
  const times = (n: number, id: string) => Array<string>(n).fill(id);
  return [...times(13, completed.id), ...times(2, cancelled.id), shipped.id, awaitingSecond.id, quoted.id, ...times(2, submitted.id)];
}
