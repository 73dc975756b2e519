import { randomBytes } from 'node:crypto';
import { registerInput } from '../../src/cli/demo-accounts';
import { inTransaction } from '../../src/common/transaction';
import { Role } from '../../src/modules/accounts/account.entity';
import type { TestGateway } from './gateway';

export interface Actor {
  id: string;
  email: string;
  password: string;
  token: string;
}

const unique = () => randomBytes(4).toString('hex');

/** A customer signed up and signed in through the API. */
export async function customer(gw: TestGateway, overrides: Partial<{ email: string; name: string; phone: string }> = {}): Promise<Actor> {
  const email = overrides.email ?? `c-${unique()}@example.jp`;
  const password = 'correct horse battery';
  const res = await gw.gql(
    `mutation($input: AccountRegisterInput!) { accountRegister(input: $input) { token account { id } userErrors { code message } } }`,
    { input: { email, password, name: overrides.name ?? 'Hanako Yamada', phone: overrides.phone ?? '090-1234-5678' } },
  );
  const payload = res.data?.accountRegister;
  if (!payload?.token) throw new Error(`register failed: ${JSON.stringify(res.body)}`);
  return { id: payload.account.id, email, password, token: payload.token };
}

/** A staff (or admin) account, made the way `npm run user:create` makes one, then signed in. */
export async function staff(gw: TestGateway, role: Role = Role.STAFF): Promise<Actor> {
  return accountMadeDirectly(gw, role);
}

/**
 * An account made through the service rather than the sign-up mutation, for tests that need
 * many (sign-ups are rate-limited per address, as they should be).
 */
export async function accountMadeDirectly(gw: TestGateway, role: Role): Promise<Actor> {
  const email = `${role === Role.CUSTOMER ? 'c' : 's'}-${unique()}@${role === Role.CUSTOMER ? 'example.jp' : 'operator.jp'}`;
  const password = 'staff password 123';
  const account = await inTransaction(gw.app.ds, (tx) =>
    gw.app.accounts.register(tx, registerInput(email, password, 'Staff Member', '03-1234-5678'), role),
  );
  const { token } = await gw.app.tokens.issue(account.id, gw.clock.now());
  return { id: account.id, email, password, token };
}

export const ADDRESS = {
  recipient: '山田 花子',
  postalCode: '150-0001',
  prefecture: '東京都',
  city: '渋谷区',
  line1: '神宮前1-2-3',
  line2: 'ハイツ101',
  phone: '090-1234-5678',
};

export function itemInput(n: number, quantity = 1) {
  return { productUrl: `https://item.taobao.com/item.htm?id=${1000 + n}`, title: `商品 ${n}`, options: '色: 黒 / サイズ: M', quantity, note: null };
}

export const ORDER_FIELDS = `id orderNumber status shippingPriority contactEmail cancelReason submittedAt quotedAt cancelledAt
  deliveryAddress { recipient postalCode prefecture city line1 line2 phone }
  items { id title quantity status unitPrice { amount currency } chinaShipping { amount currency } availableActions }
  firstInvoice { id kind status revision exchangeRate dueAt total { amount currency } amountPaid { amount } amountDue { amount }
    lines { kind description itemId quantity amount { amount currency } sourceAmount { amount currency } } }
  availableActions`;

/** An order application sent through the API (as `actor`, or as a guest when actor is null). */
export async function submitOrder(gw: TestGateway, actor: Actor | null, items = [itemInput(1, 2), itemInput(2, 1), itemInput(3, 3)], extra: Record<string, unknown> = {}) {
  const res = await gw.gql(
    `mutation($input: OrderSubmitInput!) { orderSubmit(input: $input) { order { ${ORDER_FIELDS} } userErrors { code field message } } }`,
    { input: { items, deliveryAddress: ADDRESS, shippingPriority: 'SPEED', ...(actor ? {} : { guest: { email: 'guest@example.jp', phone: '080-9999-0000' } }), ...extra } },
    actor ? { token: actor.token } : {},
  );
  const order = res.data?.orderSubmit?.order;
  if (!order) throw new Error(`orderSubmit failed: ${JSON.stringify(res.body)}`);
  return order;
}

/** Staff quote: each item at `prices[i]` CNY per unit and `shipping[i]` CNY China shipping. */
export async function quoteOrder(gw: TestGateway, staffActor: Actor, order: { id: string; items: { id: string }[] }, prices: string[], shipping: string[], rate = '21.37') {
  const res = await gw.gql(
    `mutation($input: OrderQuoteInput!) { orderQuote(input: $input) { order { ${ORDER_FIELDS} } userErrors { code field message } } }`,
    {
      input: {
        orderId: order.id,
        exchangeRate: rate,
        items: order.items.map((it, i) => ({ itemId: it.id, unitPrice: { amount: prices[i], currency: 'CNY' }, chinaShipping: { amount: shipping[i], currency: 'CNY' } })),
      },
    },
    { token: staffActor.token },
  );
  if (res.data?.orderQuote?.userErrors?.length || !res.data?.orderQuote) throw new Error(`orderQuote failed: ${JSON.stringify(res.body)}`);
  return res.data.orderQuote.order;
}

// --- payments ---

export const PAYMENT_FIELDS = `id purpose method status invoiceId orderId amount { amount currency } fee { amount } total { amount }
  appliedAmount { amount } excessToDeposit { amount } confirmedAmount { amount } rejectionReason approvalUrl providerOrderId captureId
  failureReason createdAt settledAt report { payerName amount { amount } transferDate reportedAt }`;

const INVOICE_PAY = `mutation($input: InvoicePayInput!) { invoicePay(input: $input) {
  payments { ${PAYMENT_FIELDS} } approvalUrl
  invoice { id kind status total { amount } amountPaid { amount } amountDue { amount } }
  order { id status availableActions items { status } }
  userErrors { code field message } } }`;

/** invoicePay as `actor` (a guest when null: then pass `guest` in input); a fresh key unless given. */
export function invoicePay(gw: TestGateway, actor: Actor | null, input: Record<string, unknown>) {
  return gw.gql(INVOICE_PAY, { input: { idempotencyKey: randomBytes(16).toString('hex'), ...input } }, actor ? { token: actor.token } : {});
}

/** Staff credit a customer's deposit (depositAdjust). */
export async function creditDeposit(gw: TestGateway, staffActor: Actor, accountId: string, yen: number | bigint) {
  const res = await gw.gql(
    `mutation($input: DepositAdjustInput!) { depositAdjust(input: $input) { balance { amount } userErrors { code message } } }`,
    { input: { accountId, amount: { amount: String(yen), currency: 'JPY' }, note: 'test credit', idempotencyKey: randomBytes(16).toString('hex') } },
    { token: staffActor.token },
  );
  if (res.data?.depositAdjust?.userErrors?.length !== 0) throw new Error(`depositAdjust failed: ${JSON.stringify(res.body)}`);
  return res.data.depositAdjust.balance.amount as string;
}

// --- warehouse ---

/**
 * An order of `owner` run to INSPECTING through the API: submitted (`extra` as for
 * `submitOrder`), quoted at `prices` CNY per unit with no China shipping, paid in full from the
 * deposit (credited first), every item bought and received in full. Returns the order as then.
 */
export async function inspectedOrder(
  gw: TestGateway,
  staffActor: Actor,
  owner: Actor,
  options: { items?: ReturnType<typeof itemInput>[]; prices?: string[]; extra?: Record<string, unknown> } = {},
) {
  const items = options.items ?? [itemInput(1)];
  const prices = options.prices ?? items.map(() => '10');
  const quoted = await quoteOrder(gw, staffActor, await submitOrder(gw, owner, items, options.extra), prices, items.map(() => '0'));
  await creditDeposit(gw, staffActor, owner.id, BigInt(quoted.firstInvoice.total.amount));
  const paid = await invoicePay(gw, owner, { invoiceId: quoted.firstInvoice.id });
  if (paid.data?.invoicePay?.invoice?.status !== 'PAID') throw new Error(`invoicePay failed: ${JSON.stringify(paid.body)}`);
  for (const [i, item] of quoted.items.entries()) {
    const bought = await gw.gql(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code message } } }`, { i: { itemId: item.id, quantityBought: items[i].quantity } }, { token: staffActor.token });
    if (bought.data?.orderItemPurchase?.userErrors?.length !== 0) throw new Error(`orderItemPurchase failed: ${JSON.stringify(bought.body)}`);
  }
  for (const [i, item] of quoted.items.entries()) {
    const arrived = await gw.gql(`mutation($i: OrderItemArrivalInput!) { orderItemArrival(input: $i) { order { status } userErrors { code message } } }`, { i: { itemId: item.id, receivedQuantity: items[i].quantity } }, { token: staffActor.token });
    if (arrived.data?.orderItemArrival?.userErrors?.length !== 0) throw new Error(`orderItemArrival failed: ${JSON.stringify(arrived.body)}`);
  }
  return quoted as { id: string; orderNumber: string; items: { id: string; title: string }[]; firstInvoice: { id: string; total: { amount: string }; lines: { itemId: string | null; amount: { amount: string } }[] } };
}
