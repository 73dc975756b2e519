import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/app/config';
import { isRegistrationNumber } from '../src/modules/receipts/receipt-config';
import type { SimulatorCardProvider } from '../src/modules/payments/providers/simulator-provider';
import { creditDeposit, customer, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { startTestGateway, type TestGateway } from './support/gateway';
import { pdfText } from './support/pdf-text';


const REGISTRATION = 'T7123456789012';
let gw: TestGateway;
let sim: SimulatorCardProvider;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway({ OPERATOR_NAME: '株式会社テスト代行', INVOICE_REGISTRATION_NUMBER: REGISTRATION, OPERATOR_ADDRESS: '東京都渋谷区神宮前1-2-3' });
  sim = gw.app.cardProvider as SimulatorCardProvider;
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const RECEIPT = `query($id: ID!, $name: String) { order(id: $id) { firstInvoice { status receiptUrl(recipientName: $name) } } }`;
const COMPLETE = `mutation($input: PaymentCardCompleteInput!) { paymentCardComplete(input: $input) { payment { status } userErrors { code message } } }`;
const receiptUrl = async (orderId: string, token: string, name?: string) => gw.gql(RECEIPT, { id: orderId, ...(name ? { name } : {}) }, { token });
const receiptsBase = () => gw.url.replace(/\/graphql$/, '/receipts');
const text = async (res: Response) => {
  const parsed = await pdfText(Buffer.from(await res.arrayBuffer()));
  expect(parsed.numpages).toBe(1);
  return parsed.text;
};

/** One item at 100 CNY (goods ¥2,137, service fee ¥500): ¥1,000 from the deposit, ¥1,637 by card with a ¥99 fee. */
async function paidOrder(owner: Actor) {
  await creditDeposit(gw, clerk, owner.id, 1000);
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['100'], ['0']);
  const paid = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'CARD' })).data.invoicePay;
  const card = paid.payments.find((p: { method: string }) => p.method === 'CARD');
  sim.approve(card.providerOrderId);
  expect((await gw.gql(COMPLETE, { input: { paymentId: card.id } }, { token: owner.token })).data.paymentCardComplete.userErrors).toEqual([]);
  return order;
}

describe('receipts (領収書)', () => {
  it('is a PDF in Japanese with the registration number, the amounts per tax rate and the tax; asked again, the same receipt marked 再発行', async () => {
    const owner = await customer(gw, { name: '山田 花子' });
    const unpaid = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['100'], ['0']);
    expect((await receiptUrl(unpaid.id, owner.token)).data.order.firstInvoice).toEqual({ status: 'OPEN', receiptUrl: null });
    const order = await paidOrder(owner);

    const url = (await receiptUrl(order.id, owner.token, '株式会社サンプル')).data.order.firstInvoice.receiptUrl;
    expect(url).toMatch(new RegExp(`/receipts/${order.firstInvoice.id}\\?to=.+&exp=\\d+&sig=`));
    const first = await fetch(url);

    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/pdf');
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('content-disposition')).toMatch(/^attachment; filename="receipt-R\d{8}\.pdf"/);
    const original = await text(first);
    expect(original).toContain('領収書');
    expect(original).toContain('株式会社サンプル 様');
    expect(original).toContain(`登録番号 ${REGISTRATION}`);
    expect(original).toContain('株式会社テスト代行');
    expect(original).toContain('¥2,736 -'); // 2,637 for the invoice + the ¥99 card fee
    expect(original).toContain('10%対象（税込）');
    expect(original).toContain('¥599（うち消費税 ¥54）'); // service fee 500 + card fee 99; floor(599 × 10 / 110) = 54
    expect(original).toMatch(/不課税[^\n]*\n?[^\n]*¥2,137/);
    expect(original).toContain('免税（国際輸送）');
    expect(original).toContain(`ご注文 ${order.orderNumber} の1次決済`);
    expect(original).toContain('商品代金 商品 1 × 1');
    expect(original).toContain('デポジット・クレジットカード');
    const marks = (t: string) => t.split('再発行').length - 1; // the footer names it once; a copy carries the mark too
    expect(marks(original)).toBe(1);
    const number = /No\. (R\d{8})/.exec(original)![1];

    // asked again (without a name, as another device would): the same document, marked 再発行
    const again = await fetch((await receiptUrl(order.id, owner.token)).data.order.firstInvoice.receiptUrl);
    const copy = await text(again);
    expect(marks(copy)).toBe(2);
    expect(copy.replace('再発行', '').replace(/\s+/g, '')).toBe(original.replace(/\s+/g, ''));
    expect(copy).toContain(`No. ${number}`);
    expect(copy).toContain('株式会社サンプル 様');

    // the name of an issued receipt does not change; staff get the same receipt
    const renamed = await receiptUrl(order.id, owner.token, '別の会社');
    expect(renamed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const asStaff = await fetch((await receiptUrl(order.id, clerk.token)).data.order.firstInvoice.receiptUrl);
    expect(await text(asStaff)).toContain(`No. ${number}`);
    const [row] = await gw.app.ds.query(`SELECT copies FROM receipt WHERE invoice_id = $1`, [order.firstInvoice.id]);
    expect(row.copies).toBe(3);
  });

  it('answers another customer’s receipt exactly like a missing one', async () => {
    const owner = await customer(gw);
    const stranger = await customer(gw);
    const order = await paidOrder(owner);

    expect((await receiptUrl(order.id, stranger.token)).data.order).toBeNull();
    const theirs = await fetch(`${receiptsBase()}/${order.firstInvoice.id}`, { headers: { authorization: `Bearer ${stranger.token}` } });
    const missing = await fetch(`${receiptsBase()}/${randomUUID()}`, { headers: { authorization: `Bearer ${stranger.token}` } });
    const forged = await fetch(`${receiptsBase()}/${order.firstInvoice.id}?to=&exp=9999999999&sig=AAAA`);
    expect([theirs.status, missing.status, forged.status]).toEqual([404, 404, 404]);
    const bodies = [await theirs.text(), await missing.text(), await forged.text()];
    expect(new Set(bodies).size).toBe(1);
    const expired = (await receiptUrl(order.id, owner.token)).data.order.firstInvoice.receiptUrl;
    gw.clock.advanceDays(1);
    expect((await fetch(expired)).status).toBe(404);

    const mine = await fetch(`${receiptsBase()}/${order.firstInvoice.id}`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(mine.status).toBe(200);
    expect(await text(mine)).toMatch(/Hanako Yamada 様/);
  });
});

describe('receipt configuration', () => {
  it('checks the registration number: T, 13 digits and the check digit', () => {
    expect(isRegistrationNumber('T7000012050002')).toBe(true); // the NTA's own corporate number
    expect(isRegistrationNumber('T7123456789012')).toBe(true);
    expect(isRegistrationNumber('T1123456789012')).toBe(false);
    expect(isRegistrationNumber('7123456789012')).toBe(false);
    expect(() => loadConfig({ INVOICE_REGISTRATION_NUMBER: 'T1234567890123' })).toThrow(/INVOICE_REGISTRATION_NUMBER: must be the qualified-invoice registration number/);
    expect(loadConfig({}).receiptIssuer).toMatchObject({ registrationNumber: 'T9000000000000', demo: true });
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), PAYPAL_CLIENT_ID: 'a', PAYPAL_CLIENT_SECRET: 'b', PAYPAL_WEBHOOK_ID: 'c',
      BANK_TRANSFER_BANK_NAME: '銀行', BANK_TRANSFER_BRANCH_NAME: '本店', BANK_TRANSFER_ACCOUNT_NUMBER: '1234567', BANK_TRANSFER_ACCOUNT_HOLDER_KANA: 'テスト' };
    expect(loadConfig(production).receiptIssuer).toBeNull();
    expect(loadConfig({ ...production, OPERATOR_NAME: '株式会社代行', INVOICE_REGISTRATION_NUMBER: 'T7123456789012' }).receiptIssuer).toMatchObject({ name: '株式会社代行', demo: false });
  });
});
