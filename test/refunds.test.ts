import { randomUUID } from 'node:crypto';
import { startWorkers, type Workers } from '../src/jobs/workers';
import { CardProviderError } from '../src/modules/payments/providers/card-provider';
import type { SimulatorCardProvider } from '../src/modules/payments/providers/simulator-provider';
import { FakePayPal } from './support/fake-paypal';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

/** One item at 100 CNY, rate 21.37: goods 2137 + service fee 500 = 2637 JPY; card fee 3.6% + ¥40 = 135. */
const TOTAL = 2637;
const COMPLETE = `mutation($input: PaymentCardCompleteInput!) { paymentCardComplete(input: $input) { payment { status } userErrors { code message } } }`;
const CANCEL = `mutation($input: OrderCancelByStaffInput!) { orderCancelByStaff(input: $input) { order { status } userErrors { code field message } } }`;
const UNAVAILABLE = `mutation($input: OrderItemUnavailableInput!) { orderItemUnavailable(input: $input) { order { status } userErrors { code field message } } }`;
const REFUNDS = `query($id: ID!) { order(id: $id) { status firstInvoice { amountPaid { amount } amountRefunded { amount } }
  refunds { id status amount { amount } paymentId providerRefundId failureReason fallback attempts }
  withdrawals { id status source amount { amount } awaitingBankAccount paymentId bankAccount { accountNumber } }
  events(first: 100) { nodes { type data } } } }`;
const REPORT = `mutation($input: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $input) { userErrors { code message } } }`;
const CONFIRM = `mutation($input: PaymentConfirmInput!) { paymentConfirm(input: $input) { userErrors { code message } } }`;
const SET_ACCOUNT = `mutation($input: WithdrawalBankAccountSetInput!) { withdrawalBankAccountSet(input: $input) {
  withdrawal { id status awaitingBankAccount bankAccount { accountHolderKana } } userErrors { code field message } } }`;
const DECIDE = `mutation($input: DepositWithdrawalCompleteInput!) { depositWithdrawalComplete(input: $input) { withdrawal { status } userErrors { code field message } } }`;
const REJECT = `mutation($input: DepositWithdrawalRejectInput!) { depositWithdrawalReject(input: $input) { withdrawal { status } userErrors { code field message } } }`;
const ACCOUNT = { bankName: '三井住友銀行', branchName: '本店営業部', accountType: 'ORDINARY', accountNumber: '7654321', accountHolderKana: 'ヤマダ タロウ' };

const balanceOf = async (g: TestGateway, accountId: string) =>
  String((await g.app.ds.query(`SELECT coalesce((SELECT balance FROM deposit_account WHERE account_id = $1), 0)::text AS b`, [accountId]))[0].b);
const refundsOf = async (g: TestGateway, orderId: string, token: string) => (await g.gql(REFUNDS, { id: orderId }, { token })).data.order;

async function cardPaidOrder(g: TestGateway, owner: Actor | null, clerk: Actor, approve: (providerOrderId: string) => void, items = [itemInput(1)], prices = ['100'], useDeposit = false) {
  const order = await quoteOrder(g, clerk, await submitOrder(g, owner, items), prices, prices.map(() => '0'));
  const guest = owner ? {} : { guest: { orderNumber: order.orderNumber, phone: '080-9999-0000' } };
  const paid = (await invoicePay(g, owner, { invoiceId: order.firstInvoice.id, useDeposit, method: 'CARD', ...guest })).data.invoicePay;
  const card = paid.payments.find((p: { method: string }) => p.method === 'CARD');
  approve(card.providerOrderId);
  const done = await g.gql(COMPLETE, { input: { paymentId: card.id, ...guest } }, owner ? { token: owner.token } : {});
  expect(done.data.paymentCardComplete).toEqual({ payment: { status: 'SETTLED' }, userErrors: [] });
  return { order, card };
}

describe('refunds to the card through PayPal (the local fake PayPal, with the job workers)', () => {
  let fake: FakePayPal;
  let gw: TestGateway;
  let workers: Workers;
  let clerk: Actor;
  beforeAll(async () => {
    fake = await FakePayPal.start();
    gw = await startTestGateway({ PAYPAL_CLIENT_ID: fake.clientId, PAYPAL_CLIENT_SECRET: fake.clientSecret, PAYPAL_WEBHOOK_ID: fake.webhookId, PAYPAL_API_BASE: fake.url, REFUND_RETRY_DELAY_SECONDS: '1' });
    workers = await startWorkers(gw.app, gw.databaseUrl, { cron: false, mailer: { send: async () => {}, close: () => {} } });
    clerk = await staff(gw);
  });
  afterAll(async () => {
    await workers.stop();
    await gw.close();
    await fake.close();
  });

  it('a card-paid order cancelled with ORIGINAL_METHOD, the staff action sent 5 times at once: one refund call of the right amount and request id', async () => {
    const owner = await customer(gw);
    const { order, card } = await cardPaidOrder(gw, owner, clerk, (id) => fake.approve(id));
    const captureId = fake.captureOf(card.providerOrderId)!.id;

    const tries = await Promise.all(
      Array.from({ length: 5 }, () => gw.gql(CANCEL, { input: { orderId: order.id, reason: 'PURCHASE_FAILED', note: '売り切れのため', refundTo: 'ORIGINAL_METHOD' } }, { token: clerk.token })),
    );

    const answers = tries.map((t) => t.data.orderCancelByStaff);
    expect(answers.filter((a) => a.userErrors.length === 0)).toHaveLength(1);
    expect(answers.filter((a) => a.userErrors[0]?.code === 'ORDER_NOT_CANCELLABLE')).toHaveLength(4);
    let detail = await refundsOf(gw, order.id, owner.token);
    for (let i = 0; i < 100 && detail.refunds[0]?.status !== 'SUCCEEDED'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      detail = await refundsOf(gw, order.id, owner.token);
    }
    expect(detail.refunds).toEqual([
      { id: expect.any(String), status: 'SUCCEEDED', amount: { amount: String(TOTAL) }, paymentId: card.id, providerRefundId: expect.any(String), failureReason: null, fallback: null, attempts: 1 },
    ]);
    const calls = fake.requestsTo(/^\/v2\/payments\/captures\/[^/]+\/refund$/).filter((r) => r.path.includes(captureId));
    expect(calls).toHaveLength(1);
    expect(calls[0].headers['paypal-request-id']).toBe(`refund:${detail.refunds[0].id}`);
    expect(JSON.parse(calls[0].body)).toMatchObject({ amount: { currency_code: 'JPY', value: String(TOTAL) }, custom_id: detail.refunds[0].id });
    expect(fake.refunds.get(captureId)).toHaveLength(1);
    expect(fake.captureOf(card.providerOrderId)!.status).toBe('PARTIALLY_REFUNDED'); // the card fee (¥135) is not refunded
    expect(detail.firstInvoice).toEqual({ amountPaid: { amount: String(TOTAL) }, amountRefunded: { amount: String(TOTAL) } });
    const types = detail.events.nodes.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['REFUNDED_TO_ORIGINAL_METHOD', 'REFUND_SUCCEEDED']));
    expect(types).not.toContain('REFUNDED_TO_DEPOSIT');
    expect(detail.events.nodes.find((e: { type: string }) => e.type === 'REFUNDED_TO_ORIGINAL_METHOD').data).toMatchObject({ amount: String(TOTAL), card: String(TOTAL), bankTransfer: '0', deposit: '0' });
    expect(await balanceOf(gw, owner.id)).toBe('0');

    // Running the refund again (a duplicated job) asks PayPal nothing more.
    expect(await gw.app.refunds.execute(detail.refunds[0].id)).toBe('SUCCEEDED');
    expect(fake.requestsTo(/\/refund$/).filter((r) => r.path.includes(captureId))).toHaveLength(1);
  });

  it('retries while PayPal answers 500, with the same request id, and the refund is made once', async () => {
    const owner = await customer(gw);
    const { order, card } = await cardPaidOrder(gw, owner, clerk, (id) => fake.approve(id));
    const captureId = fake.captureOf(card.providerOrderId)!.id;
    fake.failNext(new RegExp(`/captures/${captureId}/refund$`), 503, 3); // the client's own 3 attempts fail: the job is retried

    const cancelled = await gw.gql(CANCEL, { input: { orderId: order.id, reason: 'OTHER', note: '都合により', refundTo: 'ORIGINAL_METHOD' } }, { token: clerk.token });

    expect(cancelled.data.orderCancelByStaff.userErrors).toEqual([]);
    let detail = await refundsOf(gw, order.id, owner.token);
    for (let i = 0; i < 150 && detail.refunds[0]?.status !== 'SUCCEEDED'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      detail = await refundsOf(gw, order.id, owner.token);
    }
    expect(detail.refunds[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    const calls = fake.requestsTo(new RegExp(`/captures/${captureId}/refund$`));
    expect(calls.length).toBe(4);
    expect(new Set(calls.map((c) => c.headers['paypal-request-id']))).toEqual(new Set([`refund:${detail.refunds[0].id}`]));
    expect(fake.refunds.get(captureId)).toHaveLength(1);
  }, 60_000);
});

describe('refunds to where the money came from (simulator)', () => {
  let gw: TestGateway;
  let sim: SimulatorCardProvider;
  let clerk: Actor;
  beforeAll(async () => {
    gw = await startTestGateway();
    sim = gw.app.cardProvider as SimulatorCardProvider;
    clerk = await staff(gw);
  });
  afterAll(() => gw.close());

  const pending = async (orderId: string) => (await gw.app.ds.query(`SELECT id FROM refund WHERE order_id = $1 AND status = 'PENDING' ORDER BY seq`, [orderId])).map((r: { id: string }) => r.id);

  it('splits card first, then the deposit: an unavailable item partly, then the rest; never more than was captured', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 1000);
    const { order, card } = await cardPaidOrder(gw, owner, clerk, (id) => sim.approve(id), [itemInput(1), itemInput(2)], ['100', '50'], true);
    const total = Number(order.firstInvoice.total.amount); // 2137 + 1069 + 500 = 3706: 1000 from the deposit, 2706 by card
    expect(total).toBe(3706);

    const gone = await gw.gql(UNAVAILABLE, { input: { itemId: order.items[1].id, reason: 'SOLD_OUT', refundTo: 'ORIGINAL_METHOD' } }, { token: clerk.token });
    expect(gone.data.orderItemUnavailable.userErrors).toEqual([]);
    const [first] = await pending(order.id);
    expect(await gw.app.refunds.execute(first)).toBe('SUCCEEDED');

    const cancelled = await gw.gql(CANCEL, { input: { orderId: order.id, reason: 'PURCHASE_FAILED', note: '購入できませんでした', refundTo: 'ORIGINAL_METHOD' } }, { token: clerk.token });
    expect(cancelled.data.orderCancelByStaff.userErrors).toEqual([]);
    const [second] = await pending(order.id);
    expect(await gw.app.refunds.execute(second)).toBe('SUCCEEDED');

    const detail = await refundsOf(gw, order.id, owner.token);
    expect(detail.refunds.map((r: { amount: { amount: string }; status: string }) => [r.amount.amount, r.status])).toEqual([['1069', 'SUCCEEDED'], ['1637', 'SUCCEEDED']]);
    expect(detail.firstInvoice.amountRefunded.amount).toBe(String(total));
    expect(await balanceOf(gw, owner.id)).toBe('1000'); // the deposit-paid part went back to the deposit
    const byCapture = [...sim.refunds.values()].filter((r) => r.reference === detail.refunds[0].id || r.reference === detail.refunds[1].id);
    expect(byCapture.reduce((sum, r) => sum + r.amountJpy, 0n)).toBe(2706n);
    expect(card.amount.amount).toBe('2706');
  });

  it('keeps a refund PENDING while PayPal is unreachable, and sends a refused one to the deposit', async () => {
    const owner = await customer(gw);
    const { order } = await cardPaidOrder(gw, owner, clerk, (id) => sim.approve(id));
    await gw.gql(CANCEL, { input: { orderId: order.id, reason: 'OTHER', note: 'キャンセル', refundTo: 'ORIGINAL_METHOD' } }, { token: clerk.token });
    const [id] = await pending(order.id);

    sim.failNextRefund(new CardProviderError('UNAVAILABLE', 'simulated outage'));
    await expect(gw.app.refunds.execute(id)).rejects.toThrow('simulated outage');
    expect((await gw.app.ds.query(`SELECT status, attempts, last_error FROM refund WHERE id = $1`, [id]))[0]).toEqual({ status: 'PENDING', attempts: 1, last_error: 'simulated outage' });

    sim.failNextRefund(new CardProviderError('REFUND_REFUSED', 'PayPal 422 REFUND_TIME_LIMIT_EXCEEDED', { issue: 'REFUND_TIME_LIMIT_EXCEEDED' }));
    expect(await gw.app.refunds.execute(id)).toBe('FAILED');
    const detail = await refundsOf(gw, order.id, owner.token);
    expect(detail.refunds[0]).toMatchObject({ status: 'FAILED', fallback: 'DEPOSIT', failureReason: 'PayPal 422 REFUND_TIME_LIMIT_EXCEEDED', attempts: 2 });
    expect(await balanceOf(gw, owner.id)).toBe(String(TOTAL));
    const [entry] = await gw.app.ds.query(`SELECT kind, amount::text, reference_kind, reference_id FROM deposit_entry WHERE account_id = $1`, [owner.id]);
    expect(entry).toEqual({ kind: 'REFUND', amount: String(TOTAL), reference_kind: 'REFUND', reference_id: id });
  });

  it('pays a bank transfer back to a bank account: awaiting the customer’s account, then staff complete it', async () => {
    const owner = await customer(gw);
    const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['100'], ['0']);
    const transfer = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    await gw.gql(REPORT, { input: { paymentId: transfer.id, payerName: 'ヤマダ タロウ', amount: { amount: String(TOTAL), currency: 'JPY' }, transferDate: '2026-04-01' } }, { token: owner.token });
    expect((await gw.gql(CONFIRM, { input: { paymentId: transfer.id, receivedAmount: { amount: String(TOTAL), currency: 'JPY' } } }, { token: clerk.token })).data.paymentConfirm.userErrors).toEqual([]);

    await gw.gql(CANCEL, { input: { orderId: order.id, reason: 'PURCHASE_FAILED', note: '売り切れ', refundTo: 'ORIGINAL_METHOD' } }, { token: clerk.token });

    let detail = await refundsOf(gw, order.id, owner.token);
    expect(detail.refunds).toEqual([]);
    expect(detail.withdrawals).toEqual([{ id: expect.any(String), status: 'REQUESTED', source: 'REFUND', amount: { amount: String(TOTAL) }, awaitingBankAccount: true, paymentId: transfer.id, bankAccount: null }]);
    expect(await balanceOf(gw, owner.id)).toBe('0'); // credited and held in one go
    const payout = detail.withdrawals[0].id;
    expect((await gw.gql(DECIDE, { input: { withdrawalId: payout, transferReference: 'x' } }, { token: clerk.token })).data.depositWithdrawalComplete.userErrors[0].code).toBe('WITHDRAWAL_BANK_ACCOUNT_MISSING');

    const other = await customer(gw);
    expect((await gw.gql(SET_ACCOUNT, { input: { withdrawalId: payout, bankAccount: ACCOUNT } }, { token: other.token })).data.withdrawalBankAccountSet.userErrors[0].code).toBe('NOT_FOUND');
    const set = (await gw.gql(SET_ACCOUNT, { input: { withdrawalId: payout, bankAccount: ACCOUNT } }, { token: owner.token })).data.withdrawalBankAccountSet;
    expect(set).toMatchObject({ withdrawal: { status: 'REQUESTED', awaitingBankAccount: false, bankAccount: { accountHolderKana: 'ヤマダ タロウ' } }, userErrors: [] });
    expect((await gw.gql(DECIDE, { input: { withdrawalId: payout, transferReference: 'TR-9' } }, { token: clerk.token })).data.depositWithdrawalComplete).toEqual({ withdrawal: { status: 'COMPLETED' }, userErrors: [] });
    detail = await refundsOf(gw, order.id, owner.token);
    expect(detail.events.nodes.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['REFUNDED_TO_ORIGINAL_METHOD', 'WITHDRAWAL_REQUESTED', 'WITHDRAWAL_BANK_ACCOUNT_SET', 'WITHDRAWAL_COMPLETED']));
    const [ledger] = await gw.app.ds.query(`SELECT (SELECT balance FROM deposit_account WHERE account_id = $1)::text AS balance, (SELECT sum(amount) FROM deposit_entry WHERE account_id = $1)::text AS sum`, [owner.id]);
    expect(ledger).toEqual({ balance: '0', sum: '0' });

    // The next bank refund of this customer goes to that account at once.
    const again = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['100'], ['0']);
    const t2 = (await invoicePay(gw, owner, { invoiceId: again.firstInvoice.id, useDeposit: false, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    await gw.gql(REPORT, { input: { paymentId: t2.id, payerName: 'ヤマダ タロウ', amount: { amount: String(TOTAL), currency: 'JPY' }, transferDate: '2026-04-01' } }, { token: owner.token });
    await gw.gql(CONFIRM, { input: { paymentId: t2.id, receivedAmount: { amount: String(TOTAL), currency: 'JPY' } } }, { token: clerk.token });
    await gw.gql(UNAVAILABLE, { input: { itemId: again.items[0].id, reason: 'SOLD_OUT', refundTo: 'ORIGINAL_METHOD' } }, { token: clerk.token });
    // The item's refund, then the service fee refunded by the order's cancellation (its last item left): both to that account.
    expect((await refundsOf(gw, again.id, owner.token)).withdrawals).toEqual([
      expect.objectContaining({ amount: { amount: '2137' }, awaitingBankAccount: false, bankAccount: { accountNumber: '7654321' }, paymentId: t2.id }),
      expect.objectContaining({ amount: { amount: '500' }, awaitingBankAccount: false, bankAccount: { accountNumber: '7654321' }, paymentId: t2.id }),
    ]);
  });

  it('never gives a guest’s refund to a deposit: the card even by default, a bank payout awaiting the guest’s account, opened again when rejected', async () => {
    const { order, card } = await cardPaidOrder(gw, null, clerk, (id) => sim.approve(id));
    const guest = { orderNumber: order.orderNumber, phone: '080-9999-0000' };
    await gw.gql(CANCEL, { input: { orderId: order.id, reason: 'OTHER', note: 'ご依頼により' } }, { token: clerk.token }); // refundTo: DEPOSIT (the default)
    const [id] = await pending(order.id);
    sim.failNextRefund(new CardProviderError('REFUND_REFUSED', 'refused'));
    expect(await gw.app.refunds.execute(id)).toBe('FAILED');

    const detail = await refundsOf(gw, order.id, clerk.token);
    expect(detail.refunds[0]).toMatchObject({ paymentId: card.id, status: 'FAILED', fallback: 'BANK_ACCOUNT' });
    expect(detail.withdrawals).toEqual([expect.objectContaining({ status: 'REQUESTED', source: 'REFUND', awaitingBankAccount: true, amount: { amount: String(TOTAL) } })]);
    const payout = detail.withdrawals[0].id;
    expect((await gw.gql(SET_ACCOUNT, { input: { withdrawalId: payout, bankAccount: ACCOUNT, guest: { ...guest, phone: '080-0000-0000' } } })).data.withdrawalBankAccountSet.userErrors[0].code).toBe('NOT_FOUND');
    expect((await gw.gql(SET_ACCOUNT, { input: { withdrawalId: payout, bankAccount: ACCOUNT, guest } })).data.withdrawalBankAccountSet.userErrors).toEqual([]);
    expect((await gw.gql(REJECT, { input: { withdrawalId: payout, note: '口座が見つかりません' } }, { token: clerk.token })).data.depositWithdrawalReject.userErrors).toEqual([]);
    const after = await refundsOf(gw, order.id, clerk.token);
    expect(after.withdrawals.map((w: { status: string; awaitingBankAccount: boolean }) => [w.status, w.awaitingBankAccount])).toEqual([['REJECTED', false], ['REQUESTED', true]]);
    const [deposits] = await gw.app.ds.query(`SELECT count(*)::int AS n FROM deposit_entry e JOIN withdrawal w ON w.id = e.reference_id WHERE w.order_id = $1`, [order.id]);
    expect(deposits.n).toBe(0);
    expect(after.events.nodes.some((e: { type: string }) => e.type === 'REFUNDED_TO_DEPOSIT' || e.type === 'REFUND_OWED')).toBe(false);
    void randomUUID;
  });
});
