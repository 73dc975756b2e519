import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/app/config';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

/**
 * Seed 003: the payment page shows where to transfer (「お支払いページに記載されている振込先」).
 * A BANK_TRANSFER payment carries the operator's account, from configuration, and the
 * reference the customer writes with their name so staff can match the money.
 */
const ACCOUNT = {
  BANK_TRANSFER_BANK_NAME: '三井住友銀行',
  BANK_TRANSFER_BRANCH_NAME: '渋谷駅前支店',
  BANK_TRANSFER_ACCOUNT_TYPE: 'CURRENT',
  BANK_TRANSFER_ACCOUNT_NUMBER: '7654321',
  BANK_TRANSFER_ACCOUNT_HOLDER_KANA: 'カ）ダイコウサービス',
};
let gw: TestGateway;
let clerk: Actor;
beforeAll(async () => {
  gw = await startTestGateway(ACCOUNT);
  clerk = await staff(gw);
});
afterAll(() => gw.close());

const INSTRUCTIONS = `bankTransferInstructions { bankName branchName accountType accountNumber accountHolderKana reference }`;
const PAY = `mutation($i: InvoicePayInput!) { invoicePay(input: $i) { payments { id method ${INSTRUCTIONS} } userErrors { code message } } }`;
const ORDER_PAYMENTS = `query($id: ID!) { order(id: $id) { payments { method ${INSTRUCTIONS} } } }`;
const GUEST_PAYMENTS = `query($n: String!, $p: String!) { guestOrder(orderNumber: $n, phone: $p) { payments { method ${INSTRUCTIONS} } } }`;
const TOP_UP = `mutation($i: DepositTopUpInput!) { depositTopUp(input: $i) { payment { id method ${INSTRUCTIONS} } userErrors { code message } } }`;
const expected = (reference: string) => ({
  bankName: '三井住友銀行', branchName: '渋谷駅前支店', accountType: 'CURRENT', accountNumber: '7654321', accountHolderKana: 'カ）ダイコウサービス', reference,
});

it('shows the account and the order number to write on a bank transfer, to the customer and to staff; none on a deposit payment', async () => {
  // given a quoted order of a customer with ¥300 on deposit
  const owner = await customer(gw);
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0']);
  await creditDeposit(gw, clerk, owner.id, 300);

  // when they pay the rest by bank transfer
  const paid = await gw.gql(PAY, { i: { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: randomBytes(8).toString('hex') } }, { token: owner.token });

  // then the transfer says where to send it and what to write; the deposit part has no instructions
  const [deposit, transfer] = paid.data.invoicePay.payments;
  expect(deposit).toMatchObject({ method: 'DEPOSIT', bankTransferInstructions: null });
  expect(transfer).toMatchObject({ method: 'BANK_TRANSFER', bankTransferInstructions: expected(order.orderNumber) });
  const asStaff = (await gw.gql(ORDER_PAYMENTS, { id: order.id }, { token: clerk.token })).data.order.payments;
  expect(asStaff.map((p: any) => p.bankTransferInstructions)).toEqual([null, expected(order.orderNumber)]);
  // another customer cannot reach the payment at all
  const stranger = await customer(gw);
  expect((await gw.gql(ORDER_PAYMENTS, { id: order.id }, { token: stranger.token })).data.order).toBeNull();
});

it('shows them to a guest, and on a deposit top-up with D + the payment number as the reference', async () => {
  // a guest paying by transfer
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, null, [itemInput(1)]), ['10'], ['0']);
  const guest = { orderNumber: order.orderNumber, phone: '080-9999-0000' };
  const paid = (await invoicePay(gw, null, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', guest })).data.invoicePay;
  expect(paid.userErrors).toEqual([]);
  const seen = (await gw.gql(GUEST_PAYMENTS, { n: guest.orderNumber, p: guest.phone })).data.guestOrder.payments;
  expect(seen).toEqual([{ method: 'BANK_TRANSFER', bankTransferInstructions: expected(order.orderNumber) }]);

  // a top-up by transfer
  const owner = await customer(gw);
  const topUp = await gw.gql(TOP_UP, { i: { amount: { amount: '5000', currency: 'JPY' }, method: 'BANK_TRANSFER', idempotencyKey: randomBytes(8).toString('hex') } }, { token: owner.token });
  const instructions = topUp.data.depositTopUp.payment.bankTransferInstructions;
  expect(instructions).toMatchObject({ ...expected(''), reference: expect.stringMatching(/^D\d+$/) });
});

describe('configuration', () => {
  const base = { JWT_SECRET: 'x'.repeat(40) };

  it('uses the documented demo account outside production', () => {
    expect(loadConfig({ ...base }).bankAccount).toEqual({ bankName: 'デモ銀行', branchName: '本店営業部', accountType: 'ORDINARY', accountNumber: '1234567', accountHolderKana: 'カ）ダイコウデモ' });
  });

  it('refuses to start in production without the real account, naming each variable', () => {
    const paypal = { PAYPAL_CLIENT_ID: 'a', PAYPAL_CLIENT_SECRET: 'b', PAYPAL_WEBHOOK_ID: 'c' };
    expect(() => loadConfig({ ...base, ...paypal, NODE_ENV: 'production', BANK_TRANSFER_ACCOUNT_NUMBER: '1234567' })).toThrow(
      /BANK_TRANSFER_BANK_NAME: required when NODE_ENV=production[\s\S]*BANK_TRANSFER_ACCOUNT_HOLDER_KANA: required/,
    );
    expect(loadConfig({ ...base, ...paypal, ...ACCOUNT, NODE_ENV: 'production' }).bankAccount.accountNumber).toBe('7654321');
  });

  it('refuses a malformed account number or a holder name not in katakana', () => {
    expect(() => loadConfig({ ...base, BANK_TRANSFER_ACCOUNT_NUMBER: '12345' })).toThrow(/BANK_TRANSFER_ACCOUNT_NUMBER: must be the 7-digit account number/);
    expect(() => loadConfig({ ...base, BANK_TRANSFER_ACCOUNT_HOLDER_KANA: '株式会社代行' })).toThrow(/BANK_TRANSFER_ACCOUNT_HOLDER_KANA: must be the account holder’s name in katakana/);
    expect(() => loadConfig({ ...base, BANK_TRANSFER_ACCOUNT_TYPE: 'SAVINGS' })).toThrow(/BANK_TRANSFER_ACCOUNT_TYPE/);
    expect(loadConfig({ ...base, BANK_TRANSFER_ACCOUNT_HOLDER_KANA: 'ｶ)ﾀﾞｲｺｳｻｰﾋﾞｽ' }).bankAccount.accountHolderKana).toBe('ｶ)ﾀﾞｲｺｳｻｰﾋﾞｽ');
  });
});
