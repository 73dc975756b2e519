import { randomUUID } from 'node:crypto';
import { sqlStatementCount } from '../src/app/data-source';
import { autoCancelUnpaid } from '../src/jobs/auto-cancel.job';
import { startTestGateway, type TestGateway } from './support/gateway';
import {
  creditDeposit, customer, invoicePay, itemInput, PAYMENT_FIELDS, quoteOrder, staff, submitOrder, type Actor,
} from './support/builders';

let gw: TestGateway;
let alice: Actor;
let bob: Actor;
let clerk: Actor;
let clerk2: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  [alice, bob, clerk, clerk2] = await Promise.all([customer(gw), customer(gw), staff(gw), staff(gw)]);
});
afterAll(() => gw.close());

const ORDER = `query($id: ID!) { order(id: $id) { id status availableActions items { status availableActions }
  firstInvoice { id status total { amount } amountPaid { amount } amountDue { amount } payments { id method status } }
  secondInvoice { id status amountDue { amount } }
  payments { id method status amount { amount } }
  events { nodes { type actorRole fromState toState data } } } }`;
const REPORT = `mutation($input: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $input) {
  payment { ${PAYMENT_FIELDS} } order { id status availableActions } userErrors { code field message } } }`;
const CONFIRM = `mutation($input: PaymentConfirmInput!) { paymentConfirm(input: $input) {
  payment { ${PAYMENT_FIELDS} } invoice { status amountPaid { amount } amountDue { amount } } order { status } userErrors { code field message } } }`;
const REJECT = `mutation($input: PaymentRejectInput!) { paymentReject(input: $input) {
  payment { ${PAYMENT_FIELDS} } invoice { status amountDue { amount } } userErrors { code field message } } }`;
const QUEUE = `query($first: Int, $after: String) { paymentsAwaitingConfirmation(first: $first, after: $after) {
  nodes { id status report { payerName } order { orderNumber } invoice { kind } } pageInfo { hasNextPage endCursor } } }`;
const CHANGE = `mutation($input: OrderItemQuantityChangeInput!) { orderItemQuantityChange(input: $input) { userErrors { code field message } } }`;
const CANCEL = `mutation($input: OrderCancelInput!) { orderCancel(input: $input) { order { status } userErrors { code field message } } }`;
const TOP_UP = `mutation($input: DepositTopUpInput!) { depositTopUp(input: $input) { payment { ${PAYMENT_FIELDS} } approvalUrl userErrors { code field message } } }`;

/** One item at 100 CNY, rate 21.37: goods 2137 + service fee 500 (the minimum) = 2637 JPY. */
const TOTAL = 2637;
async function quoted(owner: Actor | null = alice) {
  const order = await submitOrder(gw, owner, [itemInput(1)]);
  return quoteOrder(gw, clerk, order, ['100'], ['0']);
}
const orderOf = async (id: string, token = alice.token) => (await gw.gql(ORDER, { id }, { token })).data.order;
const balanceOf = async (accountId: string) => BigInt((await gw.app.ds.query(`SELECT coalesce((SELECT balance FROM deposit_account WHERE account_id = $1), 0) AS b`, [accountId]))[0].b);
const report = (paymentId: string, over: Record<string, unknown> = {}, token = alice.token) =>
  gw.gql(REPORT, { input: { paymentId, payerName: 'ヤマダ ハナコ', amount: { amount: String(TOTAL), currency: 'JPY' }, transferDate: '2026-04-01', ...over } }, { token });
const confirm = (paymentId: string, yen: number, token = clerk.token) => gw.gql(CONFIRM, { input: { paymentId, receivedAmount: { amount: String(yen), currency: 'JPY' } } }, { token });

/** A quoted order paid by bank transfer and reported; returns the order and the transfer payment. */
async function reportedTransfer(owner = alice) {
  const order = await quoted(owner);
  const paid = await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'BANK_TRANSFER' });
  const transfer = paid.data.invoicePay.payments[0];
  expect((await report(transfer.id, {}, owner.token)).data.paymentBankTransferReport.userErrors).toEqual([]);
  return { order, transfer };
}

describe('invoicePay: deposit first', () => {
  it('pays a first invoice from the deposit alone: invoice PAID, order and items PURCHASING, a ledger entry for the payment', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 5000);
    const order = await quoted(owner);

    const res = await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'CARD' });

    const payload = res.data.invoicePay;
    expect(payload.userErrors).toEqual([]);
    expect(payload.payments).toHaveLength(1);
    expect(payload.payments[0]).toMatchObject({ method: 'DEPOSIT', status: 'SETTLED', amount: { amount: String(TOTAL), currency: 'JPY' }, fee: { amount: '0' }, appliedAmount: { amount: String(TOTAL) } });
    expect(payload.approvalUrl).toBeNull();
    expect(payload.invoice).toMatchObject({ status: 'PAID', amountPaid: { amount: String(TOTAL) }, amountDue: { amount: '0' } });
    expect(payload.order.status).toBe('PURCHASING');
    expect(payload.order.items.map((i: any) => i.status)).toEqual(['PURCHASING']);
    expect(payload.order.availableActions).not.toContain('PAY_FIRST_INVOICE');
    const [entry] = await gw.app.ds.query(`SELECT kind, amount, reference_kind, reference_id FROM deposit_entry WHERE account_id = $1 ORDER BY id DESC LIMIT 1`, [owner.id]);
    expect(entry).toEqual({ kind: 'INVOICE_PAYMENT', amount: String(-TOTAL), reference_kind: 'PAYMENT', reference_id: payload.payments[0].id });
    expect(await balanceOf(owner.id)).toBe(5000n - BigInt(TOTAL));
    const seen = await orderOf(order.id, owner.token);
    expect(seen.payments).toEqual([expect.objectContaining({ id: payload.payments[0].id, method: 'DEPOSIT', status: 'SETTLED' })]);
    expect(seen.firstInvoice.payments).toEqual([expect.objectContaining({ id: payload.payments[0].id })]);
    expect(seen.events.nodes.map((e: any) => e.type)).toEqual(expect.arrayContaining(['PAYMENT_CREATED', 'PAYMENT_SETTLED', 'INVOICE_PAID', 'ORDER_STATUS_CHANGED', 'ITEM_STATUS_CHANGED']));
    expect(seen.events.nodes).toContainEqual(expect.objectContaining({ type: 'ORDER_STATUS_CHANGED', fromState: 'AWAITING_FIRST_PAYMENT', toState: 'PURCHASING', actorRole: 'CUSTOMER' }));
  });

  it('takes what the deposit has and leaves the rest to a bank transfer, which staff then confirm', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 1000);
    const order = await quoted(owner);

    const payload = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay;

    expect(payload.payments.map((p: any) => [p.method, p.status, p.amount.amount])).toEqual([['DEPOSIT', 'SETTLED', '1000'], ['BANK_TRANSFER', 'PENDING', String(TOTAL - 1000)]]);
    expect(payload.invoice).toMatchObject({ status: 'OPEN', amountPaid: { amount: '1000' }, amountDue: { amount: String(TOTAL - 1000) } });
    expect(payload.order.status).toBe('AWAITING_FIRST_PAYMENT');
    expect(payload.order.availableActions).toContain('REPORT_BANK_TRANSFER');
    expect(await balanceOf(owner.id)).toBe(0n);

    const transfer = payload.payments[1];
    const reported = (await report(transfer.id, { amount: { amount: String(TOTAL - 1000), currency: 'JPY' } }, owner.token)).data.paymentBankTransferReport;
    expect(reported.payment).toMatchObject({ status: 'REPORTED', report: { payerName: 'ヤマダ ハナコ', amount: { amount: String(TOTAL - 1000) }, transferDate: '2026-04-01' } });
    expect(reported.order.availableActions).not.toContain('REPORT_BANK_TRANSFER');
    expect(reported.order.availableActions).not.toContain('PAY_FIRST_INVOICE');

    const confirmed = (await confirm(transfer.id, TOTAL - 1000)).data.paymentConfirm;
    expect(confirmed.userErrors).toEqual([]);
    expect(confirmed.payment).toMatchObject({ status: 'SETTLED', confirmedAmount: { amount: String(TOTAL - 1000) }, appliedAmount: { amount: String(TOTAL - 1000) }, excessToDeposit: null });
    expect(confirmed.invoice).toMatchObject({ status: 'PAID', amountPaid: { amount: String(TOTAL) } });
    expect(confirmed.order.status).toBe('PURCHASING');
  });

  it('pays everything by the chosen method when the customer declines the deposit', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 5000);
    const order = await quoted(owner);
    const payload = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'BANK_TRANSFER' })).data.invoicePay;
    expect(payload.payments.map((p: any) => [p.method, p.amount.amount])).toEqual([['BANK_TRANSFER', String(TOTAL)]]);
    expect(await balanceOf(owner.id)).toBe(5000n);
  });

  it('asks for a method when the deposit does not cover the invoice, and changes nothing', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 700);
    const order = await quoted(owner);
    const payload = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id })).data.invoicePay;
    expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'PAYMENT_METHOD_REQUIRED', field: ['input', 'method'] })]);
    expect(payload.userErrors[0].message).toContain(String(TOTAL - 700));
    expect(payload.payments).toBeNull();
    expect(await balanceOf(owner.id)).toBe(700n);
    expect((await orderOf(order.id, owner.token)).payments).toEqual([]);
  });

  it('replays the first result for a retried key and refuses the key with other arguments', async () => {
    const order = await quoted();
    const key = randomUUID();
    const first = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: key })).data.invoicePay;
    const again = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: key })).data.invoicePay;
    expect(again).toEqual(first);
    const other = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'CARD', idempotencyKey: key })).data.invoicePay;
    expect(other.userErrors).toEqual([expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['input', 'idempotencyKey'] })]);
    expect((await orderOf(order.id)).payments).toHaveLength(1);
  });

  it('replaces a transfer that was chosen but not reported when the customer pays again', async () => {
    const order = await quoted();
    const first = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    const second = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    const payments = (await orderOf(order.id)).payments;
    expect(payments).toEqual([
      expect.objectContaining({ id: first.id, status: 'CANCELLED' }),
      expect.objectContaining({ id: second.id, status: 'PENDING' }),
    ]);
    expect((await report(first.id)).data.paymentBankTransferReport.userErrors[0].code).toBe('PAYMENT_NOT_PENDING');
  });
});

describe('bank transfer: confirm and reject', () => {
  it('applies a short transfer and leaves the rest due; the customer pays the rest', async () => {
    const { order, transfer } = await reportedTransfer();
    const confirmed = (await confirm(transfer.id, 1000)).data.paymentConfirm;
    expect(confirmed.payment).toMatchObject({ status: 'SETTLED', appliedAmount: { amount: '1000' }, confirmedAmount: { amount: '1000' } });
    expect(confirmed.invoice).toMatchObject({ status: 'OPEN', amountPaid: { amount: '1000' }, amountDue: { amount: String(TOTAL - 1000) } });
    expect(confirmed.order.status).toBe('AWAITING_FIRST_PAYMENT');
    expect((await orderOf(order.id)).availableActions).toContain('PAY_FIRST_INVOICE');
    const rest = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, useDeposit: false, method: 'BANK_TRANSFER' })).data.invoicePay;
    expect(rest.payments[0].amount.amount).toBe(String(TOTAL - 1000));
  });

  it('credits an over-transfer’s excess to the deposit as TRANSFER_EXCESS', async () => {
    const owner = await customer(gw);
    const { order, transfer } = await reportedTransfer(owner);
    const confirmed = (await confirm(transfer.id, TOTAL + 363)).data.paymentConfirm;
    expect(confirmed.payment).toMatchObject({ status: 'SETTLED', appliedAmount: { amount: String(TOTAL) }, excessToDeposit: { amount: '363' }, confirmedAmount: { amount: String(TOTAL + 363) } });
    expect(confirmed.invoice).toMatchObject({ status: 'PAID', amountPaid: { amount: String(TOTAL) } });
    const entries = await gw.app.ds.query(`SELECT kind, amount, reference_id FROM deposit_entry WHERE account_id = $1`, [owner.id]);
    expect(entries).toEqual([{ kind: 'TRANSFER_EXCESS', amount: '363', reference_id: transfer.id }]);
    const events = (await orderOf(order.id, owner.token)).events.nodes;
    expect(events).toContainEqual(expect.objectContaining({ type: 'PAYMENT_SETTLED', actorRole: 'STAFF', data: expect.objectContaining({ excessToDeposit: '363', confirmed: String(TOTAL + 363) }) }));
  });

  it('rejects with a reason: the invoice stays open and the customer may pay again', async () => {
    const { order, transfer } = await reportedTransfer();
    const blank = (await gw.gql(REJECT, { input: { paymentId: transfer.id, reason: '  ' } }, { token: clerk.token })).data.paymentReject;
    expect(blank.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'reason'] });
    const rejected = (await gw.gql(REJECT, { input: { paymentId: transfer.id, reason: 'No transfer from ヤマダ ハナコ arrived.' } }, { token: clerk.token })).data.paymentReject;
    expect(rejected.payment).toMatchObject({ status: 'REJECTED', rejectionReason: 'No transfer from ヤマダ ハナコ arrived.' });
    expect(rejected.invoice).toMatchObject({ status: 'OPEN', amountDue: { amount: String(TOTAL) } });
    expect((await orderOf(order.id)).availableActions).toEqual(expect.arrayContaining(['PAY_FIRST_INVOICE', 'CANCEL_ORDER', 'CHANGE_ITEMS']));
    expect((await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.userErrors).toEqual([]);
  });

  it('lists reported transfers for staff oldest first, and the order in the TRANSFER_CONFIRMATION queue, until confirmed', async () => {
    const fresh = await startTestGateway();
    try {
      const [owner, op] = await Promise.all([customer(fresh), staff(fresh)]);
      const reported: string[] = [];
      for (let i = 0; i < 3; i++) {
        const o = await quoteOrder(fresh, op, await submitOrder(fresh, owner, [itemInput(1)]), ['100'], ['0']);
        const p = (await invoicePay(fresh, owner, { invoiceId: o.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
        fresh.clock.advanceDays(0.01);
        const r = await fresh.gql(REPORT, { input: { paymentId: p.id, payerName: 'TARO YAMADA', amount: { amount: '2637', currency: 'JPY' }, transferDate: '2026-04-01' } }, { token: owner.token });
        expect(r.data.paymentBankTransferReport.userErrors).toEqual([]);
        reported.push(p.id);
      }
      const page1 = (await fresh.gql(QUEUE, { first: 2 }, { token: op.token })).data.paymentsAwaitingConfirmation;
      expect(page1.nodes.map((n: any) => n.id)).toEqual(reported.slice(0, 2));
      expect(page1.nodes[0]).toMatchObject({ status: 'REPORTED', report: { payerName: 'TARO YAMADA' }, invoice: { kind: 'FIRST' } });
      const page2 = (await fresh.gql(QUEUE, { first: 2, after: page1.pageInfo.endCursor }, { token: op.token })).data.paymentsAwaitingConfirmation;
      expect(page2.nodes.map((n: any) => n.id)).toEqual([reported[2]]);
      const ORDERS = `query { orders(filter: { awaiting: TRANSFER_CONFIRMATION }) { nodes { id } } }`;
      expect((await fresh.gql(ORDERS, {}, { token: op.token })).data.orders.nodes).toHaveLength(3);
      await fresh.gql(CONFIRM, { input: { paymentId: reported[0], receivedAmount: { amount: '2637', currency: 'JPY' } } }, { token: op.token });
      expect((await fresh.gql(ORDERS, {}, { token: op.token })).data.orders.nodes).toHaveLength(2);
      expect((await fresh.gql(QUEUE, {}, { token: owner.token })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    } finally {
      await fresh.close();
    }
  });

  it('refuses a report with a kanji payer name, a future day and a zero amount, on the fields', async () => {
    const order = await quoted();
    const p = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    const res = (await report(p.id, { payerName: '山田花子', transferDate: '2026-04-02', amount: { amount: '0', currency: 'JPY' } })).data.paymentBankTransferReport;
    expect(res.userErrors.map((e: any) => e.field)).toEqual([['input', 'payerName'], ['input', 'amount', 'amount'], ['input', 'transferDate']]);
    expect((await report(p.id, { payerName: 'ﾔﾏﾀﾞ ﾊﾅｺ' })).data.paymentBankTransferReport.userErrors).toEqual([]);
  });
});

describe('userErrors and callers', () => {
  it('refuses to pay a paid invoice', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, TOTAL);
    const order = await quoted(owner);
    await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id });
    const again = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'CARD' })).data.invoicePay;
    expect(again.userErrors).toEqual([expect.objectContaining({ code: 'INVOICE_NOT_PAYABLE', field: ['input', 'invoiceId'] })]);
  });

  it('refuses a report on a deposit payment (NOT_A_BANK_TRANSFER)', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, 100);
    const order = await quoted(owner);
    const deposit = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    expect(deposit.method).toBe('DEPOSIT');
    expect((await report(deposit.id, {}, owner.token)).data.paymentBankTransferReport.userErrors[0]).toMatchObject({ code: 'NOT_A_BANK_TRANSFER', field: ['input', 'paymentId'] });
    expect((await confirm(deposit.id, 100)).data.paymentConfirm.userErrors[0].code).toBe('NOT_A_BANK_TRANSFER');
  });

  it('refuses confirming twice and rejecting a confirmed transfer (INVALID_STATE), and confirming one not reported', async () => {
    const { transfer } = await reportedTransfer();
    expect((await confirm(transfer.id, TOTAL)).data.paymentConfirm.userErrors).toEqual([]);
    expect((await confirm(transfer.id, TOTAL)).data.paymentConfirm.userErrors[0]).toMatchObject({ code: 'INVALID_STATE', field: ['input', 'paymentId'] });
    const rejected = await gw.gql(REJECT, { input: { paymentId: transfer.id, reason: 'oops' } }, { token: clerk.token });
    expect(rejected.data.paymentReject.userErrors[0].code).toBe('INVALID_STATE');
    const order = await quoted();
    const unreported = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    expect((await confirm(unreported.id, TOTAL)).data.paymentConfirm.userErrors[0].code).toBe('INVALID_STATE');
  });

  it('keeps staff out of paying and customers out of confirming (FORBIDDEN)', async () => {
    const { transfer, order } = await reportedTransfer();
    expect((await confirm(transfer.id, TOTAL, alice.token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await gw.gql(REJECT, { input: { paymentId: transfer.id, reason: 'x' } }, { token: alice.token })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await invoicePay(gw, clerk, { invoiceId: order.firstInvoice.id, method: 'CARD' })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await invoicePay(gw, null, { invoiceId: order.firstInvoice.id, method: 'CARD' })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers another customer’s invoice and payment exactly like missing ones (NOT_FOUND)', async () => {
    const order = await quoted(alice);
    const theirs = (await invoicePay(gw, bob, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: 'k-1' })).data.invoicePay;
    const missing = (await invoicePay(gw, bob, { invoiceId: randomUUID(), method: 'BANK_TRANSFER', idempotencyKey: 'k-1' })).data.invoicePay;
    expect(theirs).toEqual(missing);
    expect(theirs.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'invoiceId'] })]);
    const p = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
    const bobs = (await report(p.id, {}, bob.token)).data.paymentBankTransferReport;
    const nobodys = (await report(randomUUID(), {}, bob.token)).data.paymentBankTransferReport;
    expect(bobs).toEqual(nobodys);
    expect(bobs.userErrors[0].code).toBe('NOT_FOUND');
    expect((await report('not-an-id', {}, bob.token)).data.paymentBankTransferReport.userErrors[0].code).toBe('NOT_FOUND');
  });
});

describe('a reported transfer blocks order changes', () => {
  it('refuses quantity changes, cancellation and a second payment while a transfer is reported (PAYMENT_IN_PROGRESS)', async () => {
    const { order } = await reportedTransfer();
    const change = (await gw.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 2 } }, { token: alice.token })).data.orderItemQuantityChange;
    expect(change.userErrors[0]).toMatchObject({ code: 'PAYMENT_IN_PROGRESS', field: ['input', 'itemId'] });
    const cancel = (await gw.gql(CANCEL, { input: { orderId: order.id } }, { token: alice.token })).data.orderCancel;
    expect(cancel.userErrors[0].code).toBe('PAYMENT_IN_PROGRESS');
    const pay = (await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'CARD' })).data.invoicePay;
    expect(pay.userErrors[0].code).toBe('PAYMENT_IN_PROGRESS');
    const seen = await orderOf(order.id);
    expect(seen.availableActions).not.toEqual(expect.arrayContaining(['CHANGE_ITEMS']));
    expect(seen.availableActions).not.toContain('CANCEL_ORDER');
    expect(seen.availableActions).not.toContain('PAY_FIRST_INVOICE');
    expect(seen.items[0].availableActions).not.toContain('CHANGE_QUANTITY');
  });

  it('lets a chosen but unreported transfer block nothing', async () => {
    const order = await quoted();
    await invoicePay(gw, alice, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' });
    const seen = await orderOf(order.id);
    expect(seen.availableActions).toEqual(expect.arrayContaining(['PAY_FIRST_INVOICE', 'REPORT_BANK_TRANSFER', 'CHANGE_ITEMS', 'CANCEL_ORDER']));
    expect((await gw.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 2 } }, { token: alice.token })).data.orderItemQuantityChange.userErrors).toEqual([]);
  });

  it('refuses item changes (ITEM_NOT_CHANGEABLE) and cancellation (ORDER_NOT_CANCELLABLE) once the first payment is in', async () => {
    const { order, transfer } = await reportedTransfer();
    await confirm(transfer.id, TOTAL);
    const change = (await gw.gql(CHANGE, { input: { itemId: order.items[0].id, quantity: 2 } }, { token: alice.token })).data.orderItemQuantityChange;
    expect(change.userErrors[0].code).toBe('ITEM_NOT_CHANGEABLE');
    const cancel = (await gw.gql(CANCEL, { input: { orderId: order.id } }, { token: alice.token })).data.orderCancel;
    expect(cancel.userErrors[0].code).toBe('ORDER_NOT_CANCELLABLE');
  });

  it('keeps a short-paid order (money received) from being cancelled by its customer', async () => {
    const { order, transfer } = await reportedTransfer();
    await confirm(transfer.id, 1000);
    expect((await gw.gql(CANCEL, { input: { orderId: order.id } }, { token: alice.token })).data.orderCancel.userErrors[0].code).toBe('ORDER_NOT_CANCELLABLE');
  });

  it('does not auto-cancel an order whose transfer was reported, at day 8; an unreported one is cancelled and a late report credits the deposit', async () => {
    const owner = await customer(gw);
    const { order: reportedOrder } = await reportedTransfer(owner);
    const chosen = await quoted(owner);
    const late = (await invoicePay(gw, owner, { invoiceId: chosen.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];

    await autoCancelUnpaid(gw.app, new Date(gw.clock.now().getTime() + 8 * 86_400_000));

    expect((await orderOf(reportedOrder.id, owner.token)).status).toBe('AWAITING_FIRST_PAYMENT');
    const cancelled = await orderOf(chosen.id, owner.token);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', firstInvoice: { status: 'VOID' } });
    expect(cancelled.availableActions).toContain('REPORT_BANK_TRANSFER');
    expect((await report(late.id, {}, owner.token)).data.paymentBankTransferReport.userErrors).toEqual([]);
    const confirmed = (await confirm(late.id, TOTAL)).data.paymentConfirm;
    expect(confirmed.payment).toMatchObject({ status: 'SETTLED', appliedAmount: { amount: '0' }, excessToDeposit: { amount: String(TOTAL) } });
    expect(confirmed.invoice.status).toBe('VOID');
    expect(await balanceOf(owner.id)).toBe(BigInt(TOTAL));
  });
});

describe('second invoice', () => {
  /** Drives a paid order through the warehouse to its second invoice, through GraphQL as staff do; returns its total. */
  async function withSecondInvoice(orderId: string): Promise<number> {
    const staffCall = (query: string, i: Record<string, unknown>) => gw.gql(query, { i }, { token: clerk.token });
    const { items } = (await gw.gql(`query($id: ID!) { order(id: $id) { items { id quantity } } }`, { id: orderId }, { token: clerk.token })).data.order;
    for (const item of items) {
      await staffCall(`mutation($i: OrderItemPurchaseInput!) { orderItemPurchase(input: $i) { userErrors { code } } }`, { itemId: item.id, quantityBought: item.quantity });
      await staffCall(`mutation($i: OrderItemArrivalInput!) { orderItemArrival(input: $i) { userErrors { code } } }`, { itemId: item.id, receivedQuantity: item.quantity });
    }
    const issued = await staffCall(`mutation($i: InvoiceSecondIssueInput!) { invoiceSecondIssue(input: $i) { order { status secondInvoice { total { amount } } } userErrors { code message } } }`,
      { orderId, weightKg: '1.2', lengthCm: '30', widthCm: '20', heightCm: '10' });
    expect(issued.data.invoiceSecondIssue.order.status).toBe('AWAITING_SECOND_PAYMENT');
    return Number(issued.data.invoiceSecondIssue.order.secondInvoice.total.amount);
  }

  it('pays the second invoice: PAY_SECOND_INVOICE offered, then the order moves to PREPARING_SHIPMENT', async () => {
    const owner = await customer(gw);
    await creditDeposit(gw, clerk, owner.id, TOTAL + 500);
    const order = await quoted(owner);
    await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id });
    const total = await withSecondInvoice(order.id);
    const before = await orderOf(order.id, owner.token);
    expect(before.availableActions).toContain('PAY_SECOND_INVOICE');
    const paid = (await invoicePay(gw, owner, { invoiceId: before.secondInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay;
    expect(paid.payments.map((p: any) => [p.method, p.amount.amount])).toEqual([['DEPOSIT', '500'], ['BANK_TRANSFER', String(total - 500)]]);
    await report(paid.payments[1].id, { amount: { amount: String(total - 500), currency: 'JPY' } }, owner.token);
    expect((await orderOf(order.id, owner.token)).availableActions).not.toContain('PAY_SECOND_INVOICE');
    const confirmed = (await confirm(paid.payments[1].id, total - 500)).data.paymentConfirm;
    expect(confirmed.order.status).toBe('PREPARING_SHIPMENT');
    expect(confirmed.invoice.status).toBe('PAID');
  });
});

describe('guests and top-ups', () => {
  it('lets a guest pay by bank transfer and report it with order number and phone; no deposit is used', async () => {
    const order = await quoted(null);
    const guest = { orderNumber: order.orderNumber, phone: '080-9999-0000' };
    const wrong = (await invoicePay(gw, null, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', guest: { ...guest, phone: '080-0000-0000' } })).data.invoicePay;
    expect(wrong.userErrors[0].code).toBe('NOT_FOUND');
    const paid = (await invoicePay(gw, null, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', guest })).data.invoicePay;
    expect(paid.payments.map((p: any) => [p.method, p.amount.amount])).toEqual([['BANK_TRANSFER', String(TOTAL)]]);
    const reported = (await gw.gql(REPORT, { input: { paymentId: paid.payments[0].id, payerName: 'ｹﾞｽﾄ', amount: { amount: String(TOTAL), currency: 'JPY' }, transferDate: '2026-04-01', guest } })).data.paymentBankTransferReport;
    expect(reported.userErrors).toEqual([]);
    expect((await confirm(paid.payments[0].id, TOTAL)).data.paymentConfirm.order.status).toBe('PURCHASING');
  });

  it('a guest who transferred too much gets the excess back as a payout to their bank account, asked for by notification', async () => {
    const order = await quoted(null);
    const guest = { orderNumber: order.orderNumber, phone: '080-9999-0000' };
    const paid = (await invoicePay(gw, null, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', guest })).data.invoicePay;
    await gw.gql(REPORT, { input: { paymentId: paid.payments[0].id, payerName: 'ｹﾞｽﾄ', amount: { amount: String(TOTAL + 500), currency: 'JPY' }, transferDate: '2026-04-01', guest } });
    expect((await confirm(paid.payments[0].id, TOTAL + 500)).data.paymentConfirm.order.status).toBe('PURCHASING');
    const seen = (await gw.gql(`query($n: String!, $p: String!) { guestOrder(orderNumber: $n, phone: $p) { withdrawals { status source amount { amount } awaitingBankAccount paymentId } } }`, { n: guest.orderNumber, p: guest.phone })).data.guestOrder;
    expect(seen.withdrawals).toEqual([{ status: 'REQUESTED', source: 'REFUND', amount: { amount: '500' }, awaitingBankAccount: true, paymentId: null }]);
    const [event] = await gw.app.ds.query(`SELECT data FROM order_event WHERE order_id = $1 AND type = 'WITHDRAWAL_REQUESTED'`, [order.id]);
    expect(event.data).toMatchObject({ amount: '500', awaitingBankAccount: true });
  });

  it('tops up the deposit by bank transfer once staff confirm it; staff cannot top up', async () => {
    const owner = await customer(gw);
    const topUp = (input: Record<string, unknown>, token = owner.token) => gw.gql(TOP_UP, { input: { idempotencyKey: randomUUID(), method: 'BANK_TRANSFER', ...input } }, { token });
    expect((await topUp({ amount: { amount: '0', currency: 'JPY' } })).data.depositTopUp.userErrors[0].field).toEqual(['input', 'amount', 'amount']);
    expect((await topUp({ amount: { amount: '1000001', currency: 'JPY' } })).data.depositTopUp.userErrors[0].code).toBe('INVALID');
    expect((await topUp({ amount: { amount: '1000', currency: 'JPY' } }, clerk.token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const created = (await topUp({ amount: { amount: '10000', currency: 'JPY' } })).data.depositTopUp;
    expect(created.payment).toMatchObject({ purpose: 'DEPOSIT_TOP_UP', method: 'BANK_TRANSFER', status: 'PENDING', orderId: null, invoiceId: null, amount: { amount: '10000' } });
    const open = (await gw.gql(`query { me { deposit { openTopUps { id status } } } }`, {}, { token: owner.token })).data.me.deposit.openTopUps;
    expect(open).toEqual([{ id: created.payment.id, status: 'PENDING' }]);
    expect((await report(created.payment.id, { amount: { amount: '10000', currency: 'JPY' } }, bob.token)).data.paymentBankTransferReport.userErrors[0].code).toBe('NOT_FOUND');
    expect((await report(created.payment.id, { amount: { amount: '10000', currency: 'JPY' } }, owner.token)).data.paymentBankTransferReport.userErrors).toEqual([]);
    const confirmed = (await confirm(created.payment.id, 9500)).data.paymentConfirm;
    expect(confirmed.payment).toMatchObject({ status: 'SETTLED', appliedAmount: { amount: '9500' } });
    expect(confirmed.invoice).toBeNull();
    const entries = await gw.app.ds.query(`SELECT kind, amount, reference_id FROM deposit_entry WHERE account_id = $1`, [owner.id]);
    expect(entries).toEqual([{ kind: 'TOP_UP', amount: '9500', reference_id: created.payment.id }]);
  });
});

it('loads Order.payments for a page of orders in a fixed number of statements (no N+1)', async () => {
  const owner = await customer(gw);
  for (let i = 0; i < 6; i++) {
    const o = await quoted(owner);
    await invoicePay(gw, owner, { invoiceId: o.firstInvoice.id, method: 'BANK_TRANSFER' });
  }
  const LIST = `query { orders(first: 50) { nodes { id payments { id method } firstInvoice { payments { id } } availableActions } } }`;
  const before = sqlStatementCount(gw.app.ds);
  const res = await gw.gql(LIST, {}, { token: owner.token });
  const statements = sqlStatementCount(gw.app.ds) - before;
  expect(res.data.orders.nodes).toHaveLength(6);
  expect(res.data.orders.nodes.every((n: any) => n.payments.length === 1 && n.firstInvoice.payments.length === 1)).toBe(true);
  expect(statements).toBeLessThanOrEqual(10);
});
