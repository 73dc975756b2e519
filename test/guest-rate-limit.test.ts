import { randomUUID } from 'node:crypto';
import { customer, invoicePay, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { startTestGateway, type TestGateway } from './support/gateway';

// Issue 14, item 2: a guest mutation takes its attempt before it looks up the id it is
// given, so once an address has spent its guest budget, another customer's real id and a
// random id get the same answer (RATE_LIMITED). Before, the real id answered RATE_LIMITED and
// the random one NOT_FOUND: a way to tell which ids exist.
let gw: TestGateway;
let clerk: Actor;
// Ids of another (signed-in) customer's order.
const real = { invoiceId: '', transferPaymentId: '', cardPaymentId: '', itemId: '' };

beforeAll(async () => {
  gw = await startTestGateway({ TRUST_PROXY: 'loopback', RATE_LIMITS: 'guestClient=3/1h' });
  clerk = await staff(gw);

  const owner = await customer(gw);
  const quoted = await quoteOrder(gw, clerk, await submitOrder(gw, owner), ['10', '20', '30'], ['0', '0', '0']);
  real.invoiceId = quoted.firstInvoice.id;
  real.itemId = quoted.items[0].id;
  const transfer = await invoicePay(gw, owner, { invoiceId: real.invoiceId, useDeposit: false, method: 'BANK_TRANSFER' });
  real.transferPaymentId = transfer.data.invoicePay.payments[0].id;
  // A second order of the same customer for a card payment.
  const cardQuoted = await quoteOrder(gw, clerk, await submitOrder(gw, owner), ['10', '20', '30'], ['0', '0', '0']);
  const card = await invoicePay(gw, owner, { invoiceId: cardQuoted.firstInvoice.id, useDeposit: false, method: 'CARD' });
  real.cardPaymentId = card.data.invoicePay.payments[0].id;
  expect(Object.values(real).every(Boolean)).toBe(true);
});
afterAll(() => gw.close());

let lastAddress = 0;
const newAddress = () => `198.51.100.${++lastAddress}`;
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

type Call = (id: string, guest: { orderNumber: string; phone: string }, ip: string) => ReturnType<TestGateway['gql']>;

const MUTATIONS: [string, 'invoiceId' | 'transferPaymentId' | 'cardPaymentId' | 'itemId', Call][] = [
  [
    'invoicePay',
    'invoiceId',
    (id, guest, ip) =>
      gw.gql(`mutation($i: InvoicePayInput!) { invoicePay(input: $i) { userErrors { code } } }`, { i: { invoiceId: id, guest, method: 'BANK_TRANSFER', idempotencyKey: randomUUID() } }, from(ip)),
  ],
  [
    'paymentBankTransferReport',
    'transferPaymentId',
    (id, guest, ip) =>
      gw.gql(
        `mutation($i: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $i) { userErrors { code } } }`,
        { i: { paymentId: id, guest, payerName: 'ヤマダ ハナコ', amount: { amount: '1000', currency: 'JPY' }, transferDate: '2026-04-01' } },
        from(ip),
      ),
  ],
  [
    'paymentCardComplete',
    'cardPaymentId',
    (id, guest, ip) => gw.gql(`mutation($i: PaymentCardCompleteInput!) { paymentCardComplete(input: $i) { userErrors { code } } }`, { i: { paymentId: id, guest } }, from(ip)),
  ],
  [
    'orderItemQuantityChange',
    'itemId',
    (id, guest, ip) =>
      gw.gql(`mutation($i: OrderItemQuantityChangeInput!) { orderItemQuantityChange(input: $i) { userErrors { code } } }`, { i: { itemId: id, guest, quantity: 1 } }, from(ip)),
  ],
  [
    'itemExchangeRequest',
    'itemId',
    (id, guest, ip) =>
      gw.gql(`mutation($i: ItemExchangeRequestInput!) { itemExchangeRequest(input: $i) { userErrors { code } } }`, { i: { itemId: id, guest, kind: 'EXCHANGE', reason: '色が違います' } }, from(ip)),
  ],
];

/** What a caller can see of an answer: the top-level error code, else the payload's error codes. */
function answer(res: Awaited<ReturnType<TestGateway['gql']>>) {
  if (res.errors?.length) return { error: res.errors[0].extensions?.code };
  const payload = Object.values(res.data ?? {})[0] as { userErrors: { code: string }[] };
  return { userErrors: payload.userErrors.map((e) => e.code) };
}

describe.each(MUTATIONS)('%s as a guest', (_name, which, call) => {
  it('answers RATE_LIMITED for another customer’s real id and for a random id alike once the address’s guest budget is spent', async () => {
    // given an address that has spent its guest budget on failed lookups
    const ip = newAddress();
    const guestOrderNumber = (await submitOrder(gw, null)).orderNumber;
    const wrongPhone = { orderNumber: guestOrderNumber, phone: '080-0000-0001' };
    for (let i = 0; i < 3; i++) await gw.gql(`{ guestOrder(orderNumber: "${guestOrderNumber}", phone: "080-0000-000${i}") { id } }`, undefined, from(ip));

    // when it sends another customer's real id, then a random one
    const withRealId = answer(await call(real[which], wrongPhone, ip));
    const withRandomId = answer(await call(randomUUID(), wrongPhone, ip));

    // then both are refused the same way, before any lookup
    expect(withRealId).toEqual({ error: 'RATE_LIMITED' });
    expect(withRandomId).toEqual(withRealId);
  });

  it('answers NOT_FOUND for both while the budget lasts', async () => {
    const ip = newAddress();
    const wrongPhone = { orderNumber: (await submitOrder(gw, null)).orderNumber, phone: '080-0000-0001' };
    const withRealId = answer(await call(real[which], wrongPhone, ip));
    const withRandomId = answer(await call(randomUUID(), wrongPhone, ip));
    expect(withRealId).toEqual({ userErrors: ['NOT_FOUND'] });
    expect(withRandomId).toEqual(withRealId);
  });
});
