import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { inTransaction } from '../src/common/transaction';
import { remindPaymentDue } from '../src/jobs/payment-reminder.job';
import { startWorkers, type Workers } from '../src/jobs/workers';
import { recordEvent, SYSTEM } from '../src/modules/orders/order-events';
import { createMailer } from '../src/modules/notifications/mailer';
import { startTestGateway, type TestGateway } from './support/gateway';
import { startSmtpServer, type ReceivedMail } from './support/smtp';
import { creditDeposit, customer, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

/**
 * Issue 12: the outbox, the job queue and e-mail, through a real SMTP conversation (the
 * smtp-server package receiving). Events become notifications and mails only after commit,
 * once each however often a job is retried.
 */
let gw: TestGateway;
let workers: Workers;
let clerk: Actor;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let inbox: ReceivedMail[];

beforeAll(async () => {
  smtp = await startSmtpServer();
  inbox = smtp.inbox;
  gw = await startTestGateway({ MAIL_RETRY_LIMIT: '2', MAIL_RETRY_DELAY_SECONDS: '1' });
  clerk = await staff(gw);
  const mailer = createMailer({ smtpUrl: smtp.url, from: 'shop@example.jp', dir: '', log: gw.app.log });
  workers = await startWorkers(gw.app, gw.databaseUrl, { mailer, cron: false });
});
afterAll(async () => {
  await workers?.stop();
  await gw?.close();
  await smtp?.close();
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const mailsTo = (email: string) => inbox.filter((m) => m.to === email);
const NOTIFICATIONS = `{ me { unreadNotificationCount notifications(first: 10) { nodes { id kind title body emailSent order { id } readAt } } } }`;

it('tells the customer about the quote once: an in-app notification and one e-mail with the amount and due date', async () => {
  const owner = await customer(gw);
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
  const mail = await waitFor('the quote mail', () => mailsTo(owner.email).find((m) => m.subject.includes('お見積もり')));
  expect(mail.text).toContain(order.orderNumber);
  expect(mail.text).toContain('700円'); // ¥200 goods + ¥500 minimum fee
  expect(mail.text).toMatch(/お支払い期限: 2026年4月8日/); // 7 days after the test clock's quote (JST)
  const me = await waitFor('the notification', async () => {
    const res = (await gw.gql(NOTIFICATIONS, {}, { token: owner.token })).data.me;
    return res.notifications.nodes[0]?.emailSent ? res : null;
  });
  expect(me.unreadNotificationCount).toBe(1);
  expect(me.notifications.nodes).toEqual([expect.objectContaining({ kind: 'QUOTE_ISSUED', title: 'お見積もりが届きました', order: { id: order.id }, readAt: null, emailSent: true })]);

  // The dispatch runs again (and an outbox row of the same event comes back, as after a crash
  // before its delete): nothing is announced twice.
  const [event] = await gw.app.ds.query(`SELECT id FROM order_event WHERE order_id = $1 AND to_state = 'AWAITING_FIRST_PAYMENT'`, [order.id]);
  await gw.app.ds.query(`INSERT INTO outbox (event_id) VALUES ($1)`, [event.id]);
  await workers.dispatch();
  await new Promise((r) => setTimeout(r, 1500));
  expect(mailsTo(owner.email).filter((m) => m.subject.includes('お見積もり'))).toHaveLength(1);
  const [counts] = await gw.app.ds.query(`SELECT (SELECT count(*) FROM notification WHERE event_id = $1)::int AS n, (SELECT count(*) FROM outgoing_mail WHERE event_id = $1)::int AS m`, [event.id]);
  expect(counts).toEqual({ n: 1, m: 1 });

  const read = await gw.gql(`mutation { notificationsMarkRead(input: { all: true }) { unreadCount userErrors { code } } }`, {}, { token: owner.token });
  expect(read.data.notificationsMarkRead).toEqual({ unreadCount: 0, userErrors: [] });
});

it('retries a mail the SMTP server refused, and it arrives once', async () => {
  const owner = await customer(gw);
  smtp.state.failNext = 1;
  await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
  await waitFor('the retried quote mail', () => mailsTo(owner.email).length > 0);
  await new Promise((r) => setTimeout(r, 2500));
  expect(mailsTo(owner.email)).toHaveLength(1);
  expect(smtp.state.failNext).toBe(0);
});

it('announces nothing for a transaction that rolls back after recording its event', async () => {
  const owner = await customer(gw);
  const order = await submitOrder(gw, owner, [itemInput(1)]);
  const rolledBack = inTransaction(gw.app.ds, async (tx) => {
    await recordEvent(tx, { orderId: order.id, type: 'ORDER_STATUS_CHANGED', actor: SYSTEM, at: gw.clock.now(), from: 'SUBMITTED', to: 'SHIPPED', data: {} });
    throw new Error('something failed after the event was written');
  });
  await expect(rolledBack).rejects.toThrow('something failed');
  await workers.dispatch();
  await new Promise((r) => setTimeout(r, 1000));
  const [left] = await gw.app.ds.query(
    `SELECT (SELECT count(*) FROM order_event WHERE order_id = $1 AND to_state = 'SHIPPED')::int AS events,
            (SELECT count(*) FROM outbox x JOIN order_event e ON e.id = x.event_id WHERE e.order_id = $1)::int AS outbox`,
    [order.id],
  );
  expect(left).toEqual({ events: 0, outbox: 0 });
  expect(mailsTo(owner.email)).toEqual([]);
});

it('writes each mail as an .eml file when no SMTP server is configured (a newcomer\'s machine)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mail-'));
  const mailer = createMailer({ from: 'shop@example.jp', dir, log: gw.app.log });
  await mailer.send({ to: 'a@example.jp', subject: '【代行サービス】テスト', text: '本文です', messageId: '<x1@proxy-buy.mail>' });
  const [file] = readdirSync(dir);
  const parsed = await simpleParser(readFileSync(path.join(dir, file)));
  expect({ subject: parsed.subject, text: parsed.text?.trim(), messageId: parsed.messageId }).toEqual({ subject: '【代行サービス】テスト', text: '本文です', messageId: '<x1@proxy-buy.mail>' });
});

it('mails a guest at their contact address (no in-app notification: no account)', async () => {
  const order = await submitOrder(gw, null, [itemInput(1)]);
  await quoteOrder(gw, clerk, order, ['10'], ['0'], '20');
  await waitFor('the guest quote mail', () => mailsTo('guest@example.jp').find((m) => m.text.includes(order.orderNumber)));
  const [n] = await gw.app.ds.query(`SELECT count(*)::int AS n FROM notification WHERE order_id = $1`, [order.id]);
  expect(n.n).toBe(0);
});

it('respects a customer who turned a kind of e-mail off, keeping the in-app notification', async () => {
  const owner = await customer(gw);
  await gw.app.ds.query(`UPDATE account SET notification_settings = '{"mailOff": ["QUOTE_ISSUED"]}' WHERE id = $1`, [owner.id]);
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
  await waitFor('the notification', async () => (await gw.app.ds.query(`SELECT 1 FROM notification WHERE order_id = $1`, [order.id])).length > 0);
  await creditDeposit(gw, clerk, owner.id, 700);
  await invoicePay(gw, owner, { invoiceId: order.firstInvoice.id });
  await new Promise((r) => setTimeout(r, 1500));
  expect(mailsTo(owner.email).filter((m) => m.subject.includes('お見積もり'))).toEqual([]);
});

it('ends a mail that keeps failing in the dead state, which staff list and retry', async () => {
  const owner = await customer(gw);
  smtp.state.failNext = 1000;
  await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
  const FAILED = `{ failedJobs { id queue data retryCount } }`;
  const failed = await waitFor('the dead job', async () => {
    const jobs = (await gw.gql(FAILED, {}, { token: clerk.token })).data.failedJobs as { id: string; data: { mailId: string } }[];
    return jobs.length ? jobs : null;
  }, 30_000);
  expect(failed[0]).toMatchObject({ queue: 'mail-send' });
  smtp.state.failNext = 0;
  const retried = await gw.gql(`mutation($id: ID!) { jobRetry(id: $id) { retried userErrors { code } } }`, { id: failed[0].id }, { token: clerk.token });
  expect(retried.data.jobRetry).toEqual({ retried: true, userErrors: [] });
  await waitFor('the mail after the retry', () => mailsTo(owner.email).length > 0, 30_000);
  expect(mailsTo(owner.email)).toHaveLength(1);
  const customerAsks = await gw.gql(FAILED, {}, { token: owner.token });
  expect(customerAsks.errors?.[0].extensions?.code).toBe('FORBIDDEN');
}, 90_000);

describe('account care', () => {
  const REQUEST = `mutation($i: AccountPasswordResetRequestInput!) { accountPasswordResetRequest(input: $i) { accepted userErrors { code } } }`;
  const RESET = `mutation($i: AccountPasswordResetInput!) { accountPasswordReset(input: $i) { token userErrors { code field message } } }`;
  const LOGIN = `mutation($i: AccountLoginInput!) { accountLogin(input: $i) { token userErrors { code } } }`;

  it('resets a password once with the e-mailed link; earlier sign-ins end; unknown addresses get the same answer', async () => {
    const owner = await customer(gw);
    const known = await gw.gql(REQUEST, { i: { email: owner.email.toUpperCase() } });
    const unknown = await gw.gql(REQUEST, { i: { email: 'nobody@example.jp' } });
    expect(known.body).toEqual(unknown.body);
    expect(known.data.accountPasswordResetRequest).toEqual({ accepted: true, userErrors: [] });
    const mail = await waitFor('the reset mail', () => mailsTo(owner.email).find((m) => m.subject.includes('パスワード')));
    expect(mailsTo('nobody@example.jp')).toEqual([]);
    const token = /token=([\w-]+)/.exec(mail.text)![1];

    gw.clock.advanceDays(1 / 24 / 60 * 2); // two minutes later: the old session was begun before the reset
    const reset = await gw.gql(RESET, { i: { token, newPassword: 'a brand new password' } });
    expect(reset.data.accountPasswordReset.userErrors).toEqual([]);
    expect((await gw.gql(`{ me { id } }`, {}, { token: reset.data.accountPasswordReset.token })).data.me.id).toBe(owner.id);
    expect((await gw.gql(`{ me { id } }`, {}, { token: owner.token })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gw.gql(LOGIN, { i: { email: owner.email, password: 'a brand new password' } })).data.accountLogin.token).toBeTruthy();
    expect((await gw.gql(LOGIN, { i: { email: owner.email, password: owner.password } })).data.accountLogin.userErrors[0].code).toBe('INVALID_CREDENTIALS');

    const again = await gw.gql(RESET, { i: { token, newPassword: 'yet another password' } });
    expect(again.data.accountPasswordReset).toMatchObject({ token: null, userErrors: [{ code: 'INVALID_TOKEN', field: ['input', 'token'] }] });
  });

  it('only the newest link works, and a link expires after 30 minutes', async () => {
    const owner = await customer(gw);
    await gw.gql(REQUEST, { i: { email: owner.email } });
    await gw.gql(REQUEST, { i: { email: owner.email } });
    const links = await waitFor('two reset mails', () => {
      const found = mailsTo(owner.email).filter((m) => m.subject.includes('パスワード'));
      return found.length === 2 ? found : null;
    });
    const tokens = links.map((m) => /token=([\w-]+)/.exec(m.text)![1]);
    const [older, newer] = (await Promise.all(tokens.map(async (t) => ({ t, row: (await gw.app.ds.query(`SELECT created_at, ended_at FROM password_reset_token WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [t]))[0] })))).sort(
      (a, b) => (a.row.ended_at ? 0 : 1) - (b.row.ended_at ? 0 : 1),
    );
    expect((await gw.gql(RESET, { i: { token: older.t, newPassword: 'another good password' } })).data.accountPasswordReset.userErrors[0].code).toBe('INVALID_TOKEN');
    gw.clock.advanceDays(31 / 24 / 60);
    expect((await gw.gql(RESET, { i: { token: newer.t, newPassword: 'another good password' } })).data.accountPasswordReset.userErrors[0].code).toBe('INVALID_TOKEN');
  });

  it('lets the customer turn e-mails of a kind off and keep a usual delivery address', async () => {
    const owner = await customer(gw);
    const res = await gw.gql(
      `mutation($i: AccountUpdateInput!) { accountUpdate(input: $i) { account { name phone defaultDeliveryAddress { city line1 } } userErrors { code field } } }`,
      { i: { name: '山田 花子', emailOff: ['QUOTE_ISSUED'], defaultDeliveryAddress: { recipient: '山田 花子', postalCode: '150-0001', prefecture: '東京都', city: '渋谷区', line1: '神宮前1-2-3', phone: '090-1234-5678' } } },
      { token: owner.token },
    );
    expect(res.data.accountUpdate).toEqual({ account: { name: '山田 花子', phone: '09012345678', defaultDeliveryAddress: { city: '渋谷区', line1: '神宮前1-2-3' } }, userErrors: [] });
    const [row] = await gw.app.ds.query(`SELECT notification_settings FROM account WHERE id = $1`, [owner.id]);
    expect(row.notification_settings).toEqual({ mailOff: ['QUOTE_ISSUED'] });
    const bad = await gw.gql(`mutation($i: AccountUpdateInput!) { accountUpdate(input: $i) { account { name } userErrors { code field } } }`, { i: { phone: 'abc' } }, { token: owner.token });
    expect(bad.data.accountUpdate).toEqual({ account: null, userErrors: [{ code: 'INVALID', field: ['input', 'phone'] }] });
  });
});

it('reminds the customer 48 hours before the first invoice is due, once', async () => {
  const owner = await customer(gw);
  const order = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
  const quoted = gw.clock.now().getTime();
  const reminders = async () => (await gw.app.ds.query(`SELECT count(*)::int AS n FROM order_event WHERE order_id = $1 AND type = 'PAYMENT_REMINDER'`, [order.id]))[0].n;
  await remindPaymentDue(gw.app, new Date(quoted + 4 * 86_400_000));
  expect(await reminders()).toBe(0);
  await remindPaymentDue(gw.app, new Date(quoted + 5 * 86_400_000 + 60_000));
  expect(await reminders()).toBe(1);
  await remindPaymentDue(gw.app, new Date(quoted + 6 * 86_400_000));
  expect(await reminders()).toBe(1);
  const mail = await waitFor('the reminder', () => mailsTo(owner.email).find((m) => m.subject.includes('お支払い期限')));
  expect(mail.text).toContain(order.orderNumber);
});
