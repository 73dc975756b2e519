import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { inTransaction } from '../src/common/transaction';
import { startWorkers, type Workers } from '../src/jobs/workers';
import { recordEvent, SYSTEM } from '../src/modules/orders/order-events';
import { createMailer } from '../src/modules/notifications/mailer';
import { startTestGateway, type TestGateway } from './support/gateway';
import { creditDeposit, customer, invoicePay, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';

/**
 * Issue 12: the outbox, the job queue and e-mail, through a real SMTP conversation (the
 * smtp-server package receiving). Events become notifications and mails only after commit,
 * once each however often a job is retried.
 */
interface Received {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

let gw: TestGateway;
let workers: Workers;
let clerk: Actor;
const inbox: Received[] = [];
/** How many DATA commands the server refuses before accepting again (a flaky SMTP server). */
let failNext = 0;
let smtp: SMTPServer;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        if (failNext > 0) {
          failNext--;
          const error = Object.assign(new Error('4.3.0 try again later'), { responseCode: 451 });
          return callback(error);
        }
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: mail.subject ?? '', text: mail.text ?? '', messageId: mail.messageId ?? '' });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as { port: number }).port;
  gw = await startTestGateway({ MAIL_RETRY_LIMIT: '2', MAIL_RETRY_DELAY_SECONDS: '1' });
  clerk = await staff(gw);
  const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'shop@example.jp', dir: '', log: gw.app.log });
  workers = await startWorkers(gw.app, gw.databaseUrl, { mailer, cron: false });
});
afterAll(async () => {
  await workers?.stop();
  await gw?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
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
  failNext = 1;
  await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
  await waitFor('the retried quote mail', () => mailsTo(owner.email).length > 0);
  await new Promise((r) => setTimeout(r, 2500));
  expect(mailsTo(owner.email)).toHaveLength(1);
  expect(failNext).toBe(0);
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
  failNext = 1000;
  await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
  const FAILED = `{ failedJobs { id queue data retryCount } }`;
  const failed = await waitFor('the dead job', async () => {
    const jobs = (await gw.gql(FAILED, {}, { token: clerk.token })).data.failedJobs as { id: string; data: { mailId: string } }[];
    return jobs.length ? jobs : null;
  }, 30_000);
  expect(failed[0]).toMatchObject({ queue: 'mail-send' });
  failNext = 0;
  const retried = await gw.gql(`mutation($id: ID!) { jobRetry(id: $id) { retried userErrors { code } } }`, { id: failed[0].id }, { token: clerk.token });
  expect(retried.data.jobRetry).toEqual({ retried: true, userErrors: [] });
  await waitFor('the mail after the retry', () => mailsTo(owner.email).length > 0, 30_000);
  expect(mailsTo(owner.email)).toHaveLength(1);
  const customerAsks = await gw.gql(FAILED, {}, { token: owner.token });
  expect(customerAsks.errors?.[0].extensions?.code).toBe('FORBIDDEN');
}, 90_000);
