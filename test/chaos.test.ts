import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { recoverCardCaptures } from '../src/jobs/capture-recovery.job';
import { cleanUp } from '../src/jobs/cleanup.job';
import { Role } from '../src/modules/accounts/account.entity';
import { accountMadeDirectly, creditDeposit, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { FakePayPal } from './support/fake-paypal';
import { jpeg, pdf, png } from './support/files';
import { startTestGateway, type TestGateway } from './support/gateway';
import { alive, startGatewayProcess, type GatewayProcess } from './support/gateway-process';
import { broken, checkDatabaseInvariants, checkStorageInvariants, type InvariantResult, type Sql } from './support/invariants';

/**
 * Issue 14: the chaos test. Two gateway processes on one database (this one, and a child
 * process) under 50 concurrent clients doing what customers do — reading, paying invoices from
 * the deposit and by card through a local PayPal, sending messages with files, changing
 * quantities, withdrawing — while the database connections are killed, PayPal's capture hangs
 * and answers late, and the child process is killed with SIGKILL mid-capture and replaced.
 * Clients retry on connection and server errors as real ones do, with the same idempotency
 * key. Afterwards, once the sweeps have run, the books must be whole: balances equal their
 * ledgers, nothing paid or settled twice, every PayPal capture settled once, files and rows
 * agree, and everything a client was told succeeded is there.
 */

const CUSTOMERS = 20;
const CLIENTS = 50;
const LOAD_MS = 12_000;
const PAYPAL_TIMEOUT_MS = 2000;

type Plan = 'deposit' | 'card' | 'split' | 'withdraw';
interface Shopper {
  actor: Actor;
  plan: Plan;
  quoted: { id: string; items: { id: string }[]; firstInvoice: { id: string; total: { amount: string } } };
  submittedId: string;
  messages: number;
  payIntents: number;
  nextPayAt: number;
}
interface Target {
  name: string;
  url: string;
  up: boolean;
}

let fake: FakePayPal;
let gw: TestGateway;
let admin: InstanceType<typeof Client>;
const children: GatewayProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  fake = await FakePayPal.start();
  env = {
    PAYPAL_CLIENT_ID: fake.clientId,
    PAYPAL_CLIENT_SECRET: fake.clientSecret,
    PAYPAL_WEBHOOK_ID: fake.webhookId,
    PAYPAL_API_BASE: fake.url,
    PAYPAL_TIMEOUT_MS: String(PAYPAL_TIMEOUT_MS),
    CARD_CAPTURE_WAIT_MS: '2000',
    DATABASE_POOL_SIZE: '10',
  };
  gw = await startTestGateway(env);
  admin = new Client({ connectionString: gw.databaseUrl, application_name: 'chaos-admin' });
  await admin.connect();
}, 60_000);
afterAll(async () => {
  for (const child of children) await child.stop();
  await admin?.end();
  await gw?.close();
  await fake?.close();
});

// --- what the clients send ---
const ME = `{ me { id deposit { balance { amount } } } }`;
const ORDERS = `{ orders(first: 10) { nodes { id orderNumber status } } }`;
const ORDER = `query($id: ID!) { order(id: $id) { id status items { id quantity status }
  firstInvoice { status total { amount } amountPaid { amount } amountDue { amount } }
  messages(first: 5) { nodes { id attachments { id byteSize } } } } }`;
const INVOICE_PAY = `mutation($input: InvoicePayInput!) { invoicePay(input: $input) {
  payments { id method status providerOrderId } invoice { id status } userErrors { code } } }`;
const COMPLETE = `mutation($input: PaymentCardCompleteInput!) { paymentCardComplete(input: $input) {
  payment { id status } invoice { id status } userErrors { code } } }`;
const CHANGE = `mutation($input: OrderItemQuantityChangeInput!) { orderItemQuantityChange(input: $input) { userErrors { code } } }`;
const WITHDRAW = `mutation($input: DepositWithdrawalRequestInput!) { depositWithdrawalRequest(input: $input) {
  withdrawal { id amount { amount } } userErrors { code } } }`;
const SEND = `mutation($input: MessageSendInput!) { messageSend(input: $input) { message { id attachments { id } } userErrors { code } } }`;
const BANK_ACCOUNT = { bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ORDINARY', accountNumber: '1234567', accountHolderKana: 'ヤマダ ハナコ' };
const FILES = [
  { name: '写真.jpg', type: 'image/jpeg', bytes: jpeg() },
  { name: 'screen.png', type: 'image/png', bytes: png() },
  { name: '請求書.pdf', type: 'application/pdf', bytes: pdf() },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pickOne = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)];

it('keeps the books whole under 50 concurrent clients while connections die, PayPal stalls and a process is killed', async () => {
  // --- given: customers with quoted and submitted orders and deposits, made through the API ---
  const clerk = await staff(gw);
  const plans: Plan[] = ['deposit', 'card', 'split', 'withdraw'];
  const shoppers: Shopper[] = [];
  for (let i = 0; i < CUSTOMERS; i += 5) {
    shoppers.push(
      ...(await Promise.all(
        Array.from({ length: 5 }, async (_, j): Promise<Shopper> => {
          const n = i + j;
          const actor = await accountMadeDirectly(gw, Role.CUSTOMER);
          const quoted = await quoteOrder(gw, clerk, await submitOrder(gw, actor, [itemInput(n, 2), itemInput(n + 1, 1)]), ['30', '12'], ['5', '0']);
          const submitted = await submitOrder(gw, actor, [itemInput(n + 2)]);
          const plan = plans[n % plans.length];
          const total = BigInt(quoted.firstInvoice.total.amount);
          const credit = { deposit: total * 3n, card: 5000n, split: total / 2n, withdraw: total * 2n }[plan];
          await creditDeposit(gw, clerk, actor.id, credit);
          return { actor, plan, quoted, submittedId: submitted.id, messages: 0, payIntents: 0, nextPayAt: Math.random() * LOAD_MS * 0.4 };
        }),
      )),
    );
  }
  // One more customer, whose return from PayPal is sent to the process that is about to be killed.
  const victim = await accountMadeDirectly(gw, Role.CUSTOMER);
  const victimOrder = await quoteOrder(gw, clerk, await submitOrder(gw, victim, [itemInput(99)]), ['100'], ['0']);
  // And one whose capture PayPal makes but answers only after the PayPal client has given up, every attempt.
  const late = await accountMadeDirectly(gw, Role.CUSTOMER);
  const lateOrder = await quoteOrder(gw, clerk, await submitOrder(gw, late, [itemInput(98)]), ['80'], ['0']);

  const first = await startGatewayProcess(gw, env);
  children.push(first);
  const targets: Target[] = [
    { name: 'in-process', url: gw.url.replace('localhost', '127.0.0.1'), up: true },
    { name: 'child-1', url: first.url, up: true },
  ];

  // --- the clients: every HTTP attempt counted, retried on connection and server errors ---
  const stats = {
    requests: 0,
    retries: 0,
    gaveUp: 0,
    byOperation: {} as Record<string, number>,
    msByOperation: {} as Record<string, number>,
    outcomes: { answered: 0, userErrors: 0, serverErrors: 0, connectionErrors: 0, rateLimited: 0 },
    userErrorCodes: {} as Record<string, number>,
    unexpected: [] as string[],
  };
  const acknowledged = { messages: new Map<string, number>(), withdrawals: new Map<string, string>(), paidInvoices: new Set<string>(), settledPayments: new Set<string>() };
  const loadStart = Date.now();
  const loadEnd = loadStart + LOAD_MS;
  const giveUpAt = loadEnd + 15_000;

  type Upload = { path: string; name: string; type: string; bytes: Buffer };
  async function send(operation: string, token: string, query: string, variables: Record<string, unknown>, options: { files?: Upload[]; to?: Target } = {}): Promise<any> {
    for (let attempt = 0; ; attempt++) {
      const up = targets.filter((t) => t.up);
      const target = (attempt === 0 && options.to) || pickOne(up.length ? up : targets); // a retry goes wherever the balancer sends it
      stats.requests++;
      stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
      if (attempt) stats.retries++;
      const started = Date.now();
      try {
        const res = await fetch(target.url, { method: 'POST', ...requestBody(token, query, variables, options.files), signal: AbortSignal.timeout(20_000) });
        const text = await res.text();
        const body = parse(text);
        const codes: string[] = (body?.errors ?? []).map((e: any) => e.extensions?.code);
        if (res.status >= 500 || !body || codes.includes('INTERNAL_SERVER_ERROR') || codes.includes('SERVICE_BUSY')) {
          stats.outcomes.serverErrors++;
        } else if (codes.includes('RATE_LIMITED')) {
          stats.outcomes.rateLimited++;
          return null;
        } else if (body.errors) {
          stats.unexpected.push(`${operation} on ${target.name}: HTTP ${res.status} ${text.slice(0, 300)}`);
          return null;
        } else {
          stats.outcomes.answered++;
          const userErrors: { code: string }[] = Object.values(body.data ?? {}).flatMap((p: any) => p?.userErrors ?? []);
          if (userErrors.length) stats.outcomes.userErrors++;
          for (const e of userErrors) stats.userErrorCodes[e.code] = (stats.userErrorCodes[e.code] ?? 0) + 1;
          return body.data;
        }
      } catch {
        stats.outcomes.connectionErrors++;
      } finally {
        stats.msByOperation[operation] = (stats.msByOperation[operation] ?? 0) + Date.now() - started;
      }
      if (Date.now() > giveUpAt) {
        stats.gaveUp++;
        return null;
      }
      await sleep(50 + Math.random() * 100 * Math.min(attempt + 1, 6));
    }
  }

  const read = (s: Shopper) => {
    const r = Math.random();
    if (r < 0.3) return send('me', s.actor.token, ME, {});
    if (r < 0.6) return send('orders', s.actor.token, ORDERS, {});
    return send('order', s.actor.token, ORDER, { id: Math.random() < 0.5 ? s.quoted.id : s.submittedId });
  };

  async function message(s: Shopper) {
    if (s.messages >= 10) return read(s); // the per-sender message limit is 30 a minute per process
    s.messages++;
    const files = FILES.slice(0, 1 + Math.floor(Math.random() * 2)).map((f, i) => ({ ...f, path: `input.files.${i}` }));
    const orderId = Math.random() < 0.5 ? s.submittedId : s.quoted.id;
    const data = await send('messageSend', s.actor.token, SEND, { input: { orderId, title: '色について', body: '黒はありますか？', files: files.map(() => null) } }, { files });
    const sent = data?.messageSend?.message;
    if (sent) acknowledged.messages.set(sent.id, sent.attachments.length);
  }

  const changeQuantity = (s: Shopper) =>
    send('orderItemQuantityChange', s.actor.token, CHANGE, { input: { itemId: pickOne(s.quoted.items).id, quantity: 1 + Math.floor(Math.random() * 3) } });

  async function withdraw(s: Shopper) {
    const input = { amount: { amount: String(300 + Math.floor(Math.random() * 1500)), currency: 'JPY' }, bankAccount: BANK_ACCOUNT, idempotencyKey: randomUUID() };
    const withdrawal = (await send('depositWithdrawalRequest', s.actor.token, WITHDRAW, { input }))?.depositWithdrawalRequest?.withdrawal;
    if (withdrawal) acknowledged.withdrawals.set(withdrawal.id, withdrawal.amount.amount);
  }

  /** The customer is back from PayPal: completes until an answer that is not "in progress" (a double tap sends two). */
  async function complete(token: string, paymentId: string, to?: Target) {
    for (;;) {
      const done = (await send('paymentCardComplete', token, COMPLETE, { input: { paymentId } }, { to }))?.paymentCardComplete;
      if (!done) return;
      const code = done.userErrors[0]?.code;
      if ((code === 'PAYMENT_IN_PROGRESS' || code === 'PAYMENT_PROVIDER_UNAVAILABLE') && Date.now() < loadEnd + 5000) {
        await sleep(300);
        continue;
      }
      if (done.payment?.status === 'SETTLED') acknowledged.settledPayments.add(done.payment.id);
      if (done.invoice?.status === 'PAID') acknowledged.paidInvoices.add(done.invoice.id);
      return;
    }
  }

  async function pay(s: Shopper) {
    if (s.payIntents >= 3 || Date.now() - loadStart < s.nextPayAt) return read(s);
    s.payIntents++;
    s.nextPayAt += LOAD_MS * 0.25;
    const card = s.plan === 'card' || s.plan === 'split';
    const input = { invoiceId: s.quoted.firstInvoice.id, useDeposit: s.plan !== 'card', method: card ? 'CARD' : 'BANK_TRANSFER', idempotencyKey: randomUUID() };
    let paid: any;
    for (let i = 0; i < 5; i++) {
      paid = (await send('invoicePay', s.actor.token, INVOICE_PAY, { input }))?.invoicePay;
      if (paid?.userErrors[0]?.code !== 'PAYMENT_PROVIDER_UNAVAILABLE') break; // else: the same key fetches the approval page
    }
    if (!paid?.invoice) return;
    for (const p of paid.payments) if (p.status === 'SETTLED') acknowledged.settledPayments.add(p.id);
    if (paid.invoice.status === 'PAID') acknowledged.paidInvoices.add(paid.invoice.id);
    const cardPayment = paid.payments.find((p: any) => p.method === 'CARD');
    if (!cardPayment?.providerOrderId) return;
    approve(cardPayment.providerOrderId);
    await Promise.all(Array.from({ length: Math.random() < 0.4 ? 2 : 1 }, () => complete(s.actor.token, cardPayment.id)));
  }

  async function client(n: number) {
    const s = shoppers[n % shoppers.length];
    await sleep(Math.random() * 200);
    while (Date.now() < loadEnd) {
      const r = Math.random();
      if (r < 0.4) await read(s);
      else if (r < 0.55) await message(s);
      else if (r < 0.7) await changeQuantity(s);
      else if (r < 0.88) await pay(s);
      else await withdraw(s);
    }
  }

  // --- the faults, on a schedule over the load ---
  const faults = { connectionKills: 0, backendsTerminated: 0, payPalStalls: 0, capturesHeld: 0, lateAnswers: 0, processKills: 0, processStarts: 1 };
  const captureRequests = () => fake.requestsTo(/\/capture$/).length;
  async function killConnections() {
    const rows = await admin.query(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    faults.connectionKills++;
    faults.backendsTerminated += rows.rows.filter((r: { killed: boolean }) => r.killed).length;
  }
  let restarted: Promise<void> = Promise.resolve();
  let victimReturn: Promise<void> = Promise.resolve();
  let lateReturn: Promise<void> = Promise.resolve();
  async function chaos() {
    await sleep(1500);
    await killConnections();
    await sleep(1000);
    // PayPal's capture hangs …
    const heldFrom = captureRequests();
    const release = fake.holdNext(/\/capture$/, 10_000);
    faults.payPalStalls++;
    // … while a customer's return from PayPal reaches the child process, which is killed mid-capture
    const victimPay = (await send('invoicePay', victim.token, INVOICE_PAY, { input: { invoiceId: victimOrder.firstInvoice.id, useDeposit: false, method: 'CARD', idempotencyKey: randomUUID() } }))?.invoicePay;
    const victimCard = victimPay?.payments?.find((p: any) => p.method === 'CARD');
    if (victimCard?.providerOrderId) {
      approve(victimCard.providerOrderId);
      victimReturn = complete(victim.token, victimCard.id, targets[1]);
      await until(() => fake.requestsTo(`/v2/checkout/orders/${victimCard.providerOrderId}/capture`).length > 0, 5000);
    }
    await sleep(1000);
    targets[1].up = false;
    process.kill(first.pid, 'SIGKILL');
    faults.processKills++;
    restarted = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const next = await startGatewayProcess(gw, env);
          children.push(next);
          faults.processStarts++;
          targets.push({ name: 'child-2', url: next.url, up: true });
          return;
        } catch (error) {
          if (attempt >= 2) throw error; // a start whose connections were killed: start again, as a supervisor would
        }
      }
    })();
    await sleep(1000);
    faults.capturesHeld = captureRequests() - heldFrom;
    release(); // PayPal answers again: the killed process's capture is made, its answer lost
    await sleep(1500);
    await killConnections();
    await sleep(1000);
    // PayPal answers captures only after the client's timeout: lost answers, retried with the same request id
    const latePay = (await send('invoicePay', late.token, INVOICE_PAY, { input: { invoiceId: lateOrder.firstInvoice.id, useDeposit: false, method: 'CARD', idempotencyKey: randomUUID() } }))?.invoicePay;
    const lateCard = latePay?.payments?.find((p: any) => p.method === 'CARD');
    if (lateCard?.providerOrderId) {
      const lateFrom = captureRequests();
      fake.delayNext(new RegExp(`/${lateCard.providerOrderId}/capture$`), PAYPAL_TIMEOUT_MS + 500, 3);
      approve(lateCard.providerOrderId);
      lateReturn = complete(late.token, lateCard.id);
      await until(() => captureRequests() > lateFrom, 5000);
      faults.lateAnswers++;
    }
    await sleep(1500);
    await killConnections();
    await restarted;
    await killConnections(); // the new process's connections too
  }
  const approve = (providerOrderId: string) => {
    try {
      fake.approve(providerOrderId);
    } catch {
      // already captured: the buyer's second tab
    }
  };

  // --- when: the load and the faults ---
  const chaosDone = chaos();
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  await chaosDone;
  await restarted;
  await victimReturn;
  await lateReturn;
  const loadMs = Date.now() - loadStart;
  // The pool may still hold connections the last fault ended whose goodbye was not read yet: let it drop them.
  await poolRecovered();

  // … then the sweeps the workers run every minute: card capture recovery, and the file cleanup a day on
  const later = new Date(gw.clock.now().getTime() + 10 * 60_000);
  let recovered = 0;
  for (let round = 0; round < 3; round++) {
    recovered += await recoverCardCaptures(gw.app, new Date(later.getTime() + round * 2 * 60_000));
    const [{ n }] = await gw.app.ds.query(`SELECT count(*)::int AS n FROM payment WHERE status = 'CAPTURING'`);
    if (n === 0) break;
  }
  const sql: Sql = (text, params) => gw.app.ds.query(text, params);
  const beforeCleanup = await checkStorageInvariants(sql, gw.storageDir);
  const orphansRemoved = await cleanUp(gw.app, new Date(Date.now() + 2 * 86_400_000));

  // --- then: every invariant holds ---
  const results: InvariantResult[] = [
    beforeCleanup[0],
    ...(await checkStorageInvariants(sql, gw.storageDir)),
    ...(await checkDatabaseInvariants(sql)),
    await paypalAgrees(),
    await acknowledgedWritesKept(),
    await everyGatewayServes(),
    processesSurvived(),
  ];
  const figures = {
    loadMs,
    clients: CLIENTS,
    customers: CUSTOMERS + 2,
    requests: stats.requests,
    retries: stats.retries,
    gaveUp: stats.gaveUp,
    byOperation: stats.byOperation,
    meanMs: Object.fromEntries(Object.entries(stats.msByOperation).map(([op, ms]) => [op, Math.round(ms / stats.byOperation[op])])),
    outcomes: stats.outcomes,
    userErrorCodes: stats.userErrorCodes,
    faults: { ...faults, total: faults.connectionKills + faults.payPalStalls + faults.lateAnswers + faults.processKills },
    afterwards: {
      capturesRecoveredBySweep: recovered,
      payPalCaptureRequests: fake.requestsTo(/\/capture$/).length,
      attachments: (await gw.app.ds.query(`SELECT count(*)::int AS n FROM attachment`))[0].n,
      filesWithoutRowBeforeCleanup: beforeCleanup[1].violations.length,
      cleanupRemoved: orphansRemoved, // those files, and the idempotency keys older than 30 days by the real date
    },
    invariantsChecked: results.length,
    invariantsBroken: broken(results).length,
  };
  console.log(`chaos test figures:\n${JSON.stringify(figures, null, 2)}`);

  expect(stats.unexpected).toEqual([]);
  expect(broken(results)).toEqual([]);
  // the faults really happened, and hit work in flight
  expect(faults.processKills).toBe(1);
  expect(faults.processStarts).toBe(2);
  expect(faults.backendsTerminated).toBeGreaterThan(0);
  expect(faults.capturesHeld).toBeGreaterThan(0);
  expect(faults.lateAnswers).toBe(1);
  // every kind of request ran, under load (the figures depend on how busy the shared machine is)
  expect(Object.keys(stats.byOperation).sort()).toEqual(['depositWithdrawalRequest', 'invoicePay', 'me', 'messageSend', 'order', 'orderItemQuantityChange', 'orders', 'paymentCardComplete']);
  expect(stats.requests).toBeGreaterThan(100);

  // --- and the checks can fail: each corruption, in a transaction rolled back, is caught ---
  expect(await checksCatchCorruption()).toEqual([]);

  /** Every PayPal order the fake captured is one SETTLED payment with that capture and amount; nothing else is SETTLED by card. */
  async function paypalAgrees(): Promise<InvariantResult> {
    const cards: any[] = await gw.app.ds.query(`SELECT id, status, provider_order_id, capture_id, (amount + fee)::text AS charged FROM payment WHERE method = 'CARD'`);
    const violations: unknown[] = [];
    for (const p of cards) {
      const capture = p.provider_order_id ? fake.captureOf(p.provider_order_id) : undefined;
      const settled = p.status === 'SETTLED';
      if (capture ? !settled || p.capture_id !== capture.id || p.charged !== capture.amount.value : settled) violations.push({ payment: p, capture: capture?.id ?? null });
    }
    const known = new Set(cards.map((p) => p.provider_order_id));
    for (const r of fake.requestsTo(/^\/v2\/checkout\/orders\/[^/]+\/capture$/)) {
      const id = r.path.split('/')[4];
      if (!known.has(id)) violations.push({ capturedPayPalOrderWithoutPayment: id });
    }
    return { name: 'PayPal captured exactly the card payments SETTLED, once each, for their amount', violations };
  }

  /** What a client was told succeeded is there: messages with their files, withdrawals, PAID invoices, SETTLED payments. */
  async function acknowledgedWritesKept(): Promise<InvariantResult> {
    const violations: unknown[] = [];
    const messages: { id: string; files: number }[] = await gw.app.ds.query(
      `SELECT m.id, count(a.id)::int AS files FROM message m LEFT JOIN attachment a ON a.message_id = m.id WHERE m.id = ANY($1) GROUP BY m.id`,
      [[...acknowledged.messages.keys()]],
    );
    const found = new Map(messages.map((m) => [m.id, m.files]));
    for (const [id, files] of acknowledged.messages) if (found.get(id) !== files) violations.push({ message: id, files, found: found.get(id) ?? null });
    const withdrawals: { id: string; amount: string }[] = await gw.app.ds.query(`SELECT id, amount::text FROM withdrawal WHERE id = ANY($1)`, [[...acknowledged.withdrawals.keys()]]);
    const held = new Map(withdrawals.map((w) => [w.id, w.amount]));
    for (const [id, amount] of acknowledged.withdrawals) if (held.get(id) !== amount) violations.push({ withdrawal: id, amount, found: held.get(id) ?? null });
    const invoices: { id: string }[] = await gw.app.ds.query(`SELECT id FROM invoice WHERE id = ANY($1) AND status = 'PAID'`, [[...acknowledged.paidInvoices]]);
    if (invoices.length !== acknowledged.paidInvoices.size) violations.push({ paidInvoicesTold: acknowledged.paidInvoices.size, paidInvoicesFound: invoices.length });
    const payments: { id: string }[] = await gw.app.ds.query(`SELECT id FROM payment WHERE id = ANY($1) AND status = 'SETTLED'`, [[...acknowledged.settledPayments]]);
    if (payments.length !== acknowledged.settledPayments.size) violations.push({ settledPaymentsTold: acknowledged.settledPayments.size, settledPaymentsFound: payments.length });
    return { name: 'every write a client was told succeeded is kept', violations };
  }

  /** No gateway process died but the one the test killed (a terminated connection must not take a process down). */
  function processesSurvived(): InvariantResult {
    const dead = children.filter((c) => c !== first && !alive(c.pid)).map((c) => ({ pid: c.pid, output: c.output().slice(-3000) }));
    return { name: 'no gateway process died but the one killed', violations: dead };
  }

  /** After the faults, every live gateway answers every customer, with the balance the ledger says. */
  async function everyGatewayServes(): Promise<InvariantResult> {
    const violations: unknown[] = [];
    const balances = new Map<string, string>(
      (await gw.app.ds.query(`SELECT account_id, balance::text FROM deposit_account`)).map((r: any) => [r.account_id, r.balance]),
    );
    for (const target of targets.filter((t) => t.up)) {
      await Promise.all(
        shoppers.map(async (s) => {
          const res = await fetch(target.url, { method: 'POST', ...requestBody(s.actor.token, ME, {}), signal: AbortSignal.timeout(30_000) });
          const body = parse(await res.text());
          if (res.status !== 200 || body?.errors || body?.data?.me?.deposit?.balance?.amount !== (balances.get(s.actor.id) ?? '0')) {
            violations.push({ target: target.name, customer: s.actor.id, status: res.status, body });
          }
        }),
      );
    }
    return { name: 'every gateway still serving answers every customer, with the ledger’s balance', violations };
  }
}, 150_000);

/**
 * The checks themselves can fail: a ledger entry that moves no balance, an invoice paid one yen
 * more than its payments, a payment left CAPTURING, a file without a row and a row without a
 * file are each caught (database changes inside a transaction that is rolled back).
 */
async function checksCatchCorruption(): Promise<string[]> {
  const runner = gw.app.ds.createQueryRunner();
  await runner.connect();
  const missed: string[] = [];
  const expectCaught = (results: InvariantResult[], name: string) => {
    if (!results.some((r) => r.name === name && r.violations.length > 0)) missed.push(name);
  };
  try {
    await runner.startTransaction();
    const sql: Sql = (text, params) => runner.query(text, params);
    const [account] = await sql(`SELECT account_id, balance::text FROM deposit_account WHERE balance > 0 LIMIT 1`);
    await sql(`INSERT INTO deposit_entry (account_id, kind, amount, balance_after, note, created_at) VALUES ($1, 'ADJUSTMENT', 1, $2, 'chaos self-check', now())`, [
      account.account_id,
      String(BigInt(account.balance) + 1n),
    ]);
    await sql(`UPDATE invoice SET amount_paid = amount_paid + 1 WHERE id = (SELECT id FROM invoice WHERE status = 'OPEN' AND amount_paid + 1 <= total LIMIT 1)`);
    await sql(
      `UPDATE payment SET status = 'CAPTURING', capture_request_id = 'capture:' || id, capture_started_at = now()
        WHERE id = (SELECT id FROM payment WHERE method = 'CARD' AND provider_order_id IS NOT NULL LIMIT 1)`,
    );
    const database = await checkDatabaseInvariants(sql);
    expectCaught(database, 'deposit balance = sum of its ledger, never negative');
    expectCaught(database, 'invoice amount paid = sum applied by its settled payments, 0 ≤ paid ≤ total');
    expectCaught(database, 'no card payment left CAPTURING (the recovery sweep finished every one)');
  } finally {
    await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  }
  const sql: Sql = (text, params) => gw.app.ds.query(text, params);
  const [{ storage_key: key }] = await sql(`SELECT storage_key FROM attachment LIMIT 1`);
  const file = path.join(gw.storageDir, ...key.split('/'));
  const stray = path.join(gw.storageDir, 'chaos-self-check');
  await rename(file, `${file}.moved`);
  await writeFile(stray, png());
  try {
    const storage = await checkStorageInvariants(sql, gw.storageDir);
    expectCaught(storage, 'every attachment row has its file, byte for byte');
    expectCaught(storage, 'every stored file has an attachment row');
  } finally {
    await rename(`${file}.moved`, file);
    await rm(stray, { force: true });
  }
  if (broken(await checkStorageInvariants(sql, gw.storageDir)).length) missed.push('storage restored after the self-check');
  return missed;
}

function requestBody(token: string, query: string, variables: Record<string, unknown>, files?: { path: string; name: string; type: string; bytes: Buffer }[]): RequestInit {
  const authorization = { authorization: `Bearer ${token}` };
  if (!files?.length) return { headers: { 'content-type': 'application/json', ...authorization }, body: JSON.stringify({ query, variables }) };
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [`variables.${f.path}`]]))));
  files.forEach((f, i) => form.append(String(i), new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name));
  return { headers: { 'apollo-require-preflight': 'true', ...authorization }, body: form };
}

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Until every connection the test's pool hands out answers (a terminated one fails once, then is dropped). */
async function poolRecovered() {
  for (let round = 0; round < 20; round++) {
    const answers = await Promise.allSettled(Array.from({ length: 10 }, () => gw.app.ds.query(`SELECT 1`)));
    if (answers.every((a) => a.status === 'fulfilled')) return;
    await sleep(100);
  }
  throw new Error('the pool did not recover from the terminated connections');
}

async function until(condition: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await sleep(20);
}
