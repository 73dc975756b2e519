import { randomUUID } from 'node:crypto';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, invoicePay, itemInput, PAYMENT_FIELDS, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

let gw: TestGateway;
let clerk: Actor;
let clerk2: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  [clerk, clerk2] = await Promise.all([staff(gw), staff(gw)]);
});
afterAll(() => gw.close());

const TOTAL = 2637; // one item at 100 CNY, rate 21.37, minimum service fee
const CONFIRM = `mutation($input: PaymentConfirmInput!) { paymentConfirm(input: $input) { payment { ${PAYMENT_FIELDS} } userErrors { code field message } } }`;
const REPORT = `mutation($input: PaymentBankTransferReportInput!) { paymentBankTransferReport(input: $input) { userErrors { code } } }`;

async function quotedOrders(owner: Actor, count: number) {
  const orders: any[] = [];
  for (let i = 0; i < count; i += 10) {
    orders.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, async () => quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['100'], ['0'])))));
  }
  return orders;
}

/** The invariants money must keep, whatever the interleaving. */
async function assertBooksBalance(accountId: string) {
  const [deposit] = await gw.app.ds.query(
    `SELECT a.balance, (SELECT coalesce(sum(amount), 0) FROM deposit_entry e WHERE e.account_id = a.account_id) AS ledger FROM deposit_account a WHERE a.account_id = $1`,
    [accountId],
  );
  expect(BigInt(deposit.balance)).toBeGreaterThanOrEqual(0n);
  expect(deposit.balance).toBe(deposit.ledger);
  const invoices: { id: string; total: string; amount_paid: string; settled: string }[] = await gw.app.ds.query(
    `SELECT i.id, i.total, i.amount_paid, (SELECT coalesce(sum(p.applied_amount), 0) FROM payment p WHERE p.invoice_id = i.id AND p.status = 'SETTLED') AS settled
     FROM invoice i JOIN customer_order o ON o.id = i.order_id WHERE o.customer_id = $1`,
    [accountId],
  );
  for (const inv of invoices) {
    expect(inv.amount_paid).toBe(inv.settled);
    expect(BigInt(inv.amount_paid)).toBeLessThanOrEqual(BigInt(inv.total));
  }
  // Every deposit payment has exactly one ledger debit of its amount.
  const [unmatched] = await gw.app.ds.query(
    `SELECT count(*)::int AS n FROM payment p WHERE p.account_id = $1 AND p.method = 'DEPOSIT'
       AND NOT EXISTS (SELECT 1 FROM deposit_entry e WHERE e.reference_id = p.id AND e.kind = 'INVOICE_PAYMENT' AND e.amount = -p.amount)`,
    [accountId],
  );
  expect(unmatched.n).toBe(0);
  return { balance: BigInt(deposit.balance), invoices };
}

it('spends one deposit across 25 invoices under 100 concurrent invoicePay calls: no 500s, never below zero, books balanced', async () => {
  const owner = await customer(gw);
  const orders = await quotedOrders(owner, 25);
  const credit = 12 * TOTAL + 1234; // covers twelve invoices and a bit
  await creditDeposit(gw, clerk, owner.id, credit);

  const calls = orders.flatMap((o) => Array.from({ length: 4 }, () => invoicePay(gw, owner, { invoiceId: o.firstInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: randomUUID() })));
  const results = await Promise.all(calls);

  expect(results.every((r) => r.status === 200 && !r.errors)).toBe(true);
  const codes = new Set(results.flatMap((r) => r.data.invoicePay.userErrors.map((e: any) => e.code)));
  expect([...codes].every((c) => c === 'INVOICE_NOT_PAYABLE')).toBe(true);
  const { balance, invoices } = await assertBooksBalance(owner.id);
  const spent = invoices.reduce((sum, i) => sum + BigInt(i.amount_paid), 0n);
  expect(spent + balance).toBe(BigInt(credit)); // nothing came in from outside: every yen is either spent or still there
  expect(balance).toBeLessThan(BigInt(TOTAL)); // the deposit was used as far as it went
  expect(invoices.filter((i) => i.amount_paid === i.total)).toHaveLength(12);
  // At most one transfer under way per invoice, the others replaced.
  const [live] = await gw.app.ds.query(
    `SELECT max(n)::int AS n FROM (SELECT count(*) AS n FROM payment WHERE account_id = $1 AND method = 'BANK_TRANSFER' AND status = 'PENDING' GROUP BY invoice_id) x`,
    [owner.id],
  );
  expect(live.n).toBe(1);
});

it('makes one payment and one ledger entry for 50 concurrent invoicePay calls with one key, all answered alike', async () => {
  const owner = await customer(gw);
  const [order] = await quotedOrders(owner, 1);
  await creditDeposit(gw, clerk, owner.id, 1000);
  const key = randomUUID();

  const results = await Promise.all(Array.from({ length: 50 }, () => invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER', idempotencyKey: key })));

  expect(results.every((r) => r.status === 200 && r.data.invoicePay.userErrors.length === 0)).toBe(true);
  const payloads = results.map((r) => JSON.stringify(r.data.invoicePay));
  expect(new Set(payloads).size).toBe(1);
  const [counts] = await gw.app.ds.query(
    `SELECT (SELECT count(*)::int FROM payment WHERE order_id = $1) AS payments,
            (SELECT count(*)::int FROM deposit_entry WHERE account_id = $2 AND kind = 'INVOICE_PAYMENT') AS entries`,
    [order.id, owner.id],
  );
  expect(counts).toEqual({ payments: 2, entries: 1 }); // the deposit part and the transfer for the rest
  await assertBooksBalance(owner.id);
});

it('confirms a transfer once when two staff confirm it at the same moment: one confirmation, one credit', async () => {
  const owner = await customer(gw);
  const [order] = await quotedOrders(owner, 1);
  const transfer = (await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id, method: 'BANK_TRANSFER' })).data.invoicePay.payments[0];
  await gw.gql(REPORT, { input: { paymentId: transfer.id, payerName: 'ヤマダ', amount: { amount: '3000', currency: 'JPY' }, transferDate: '2026-03-31' } }, { token: owner.token });

  const confirmations = await Promise.all(
    Array.from({ length: 10 }, (_, i) => gw.gql(CONFIRM, { input: { paymentId: transfer.id, receivedAmount: { amount: '3000', currency: 'JPY' } } }, { token: (i % 2 ? clerk : clerk2).token })),
  );

  const ok = confirmations.filter((r) => r.data.paymentConfirm.userErrors.length === 0);
  expect(ok).toHaveLength(1);
  expect(confirmations.filter((r) => r.data.paymentConfirm.userErrors[0]?.code === 'INVALID_STATE')).toHaveLength(9);
  expect(ok[0].data.paymentConfirm.payment).toMatchObject({ status: 'SETTLED', excessToDeposit: { amount: String(3000 - TOTAL) } });
  const entries = await gw.app.ds.query(`SELECT kind, amount FROM deposit_entry WHERE account_id = $1`, [owner.id]);
  expect(entries).toEqual([{ kind: 'TRANSFER_EXCESS', amount: String(3000 - TOTAL) }]);
  const [events] = await gw.app.ds.query(`SELECT count(*)::int AS n FROM order_event WHERE order_id = $1 AND type = 'INVOICE_PAID'`, [order.id]);
  expect(events.n).toBe(1);
  await assertBooksBalance(owner.id);
});
