import { loadConfig } from '../src/app/config';
import { startGateway, type Gateway } from '../src/app/gateway';
import { autoCancelUnpaid } from '../src/jobs/auto-cancel.job';
import { startWorkers, type Workers } from '../src/jobs/workers';
import { asTransactionKind } from '../src/common/transaction';
import { createMailer } from '../src/modules/notifications/mailer';
import { startTestGateway, type TestGateway } from './support/gateway';
import { startSmtpServer } from './support/smtp';
import { accountMadeDirectly, itemInput, quoteOrder, staff, submitOrder, type Actor } from './support/builders';
import { Role } from '../src/modules/accounts/account.entity';

/**
 * Issue 12: three gateways with their workers on one database (each its own pool, pg-boss and
 * LISTEN connection, as separate processes would have) over 200 due orders: each order is
 * cancelled once and its customer gets exactly one cancellation mail, through a real SMTP
 * server, however the sweeps and dispatches of the three interleave.
 */
let gw: TestGateway;
const others: Gateway[] = [];
const workers: Workers[] = [];
let clerk: Actor;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  const smtpUrl = smtp.url;
  gw = await startTestGateway();
  clerk = await staff(gw);
  const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256', STORAGE_DIR: gw.storageDir });
  for (let i = 0; i < 2; i++) others.push(await startGateway({ config, databaseUrl: gw.databaseUrl, clock: gw.clock }));
  for (const app of [gw.app, ...others.map((o) => o.app)]) {
    workers.push(await startWorkers(app, gw.databaseUrl, { mailer: createMailer({ smtpUrl, from: 'shop@example.jp', dir: '', log: app.log }), cron: false }));
  }
}, 120_000);
afterAll(async () => {
  for (const w of workers) await w.stop();
  for (const o of others) await o.stop();
  await gw?.close();
  await smtp?.close();
});

it('cancels each of 200 due orders once and mails each customer once, with three gateways and their workers on one database', async () => {
  const customers = await Promise.all(Array.from({ length: 50 }, () => accountMadeDirectly(gw, Role.CUSTOMER)));
  const orders: { id: string; orderNumber: string; owner: Actor }[] = [];
  for (let i = 0; i < 200; i += 25) {
    orders.push(...(await Promise.all(Array.from({ length: 25 }, async (_, j) => {
      const owner = customers[(i + j) % customers.length];
      const quoted = await quoteOrder(gw, clerk, await submitOrder(gw, owner, [itemInput(1)]), ['10'], ['0'], '20');
      return { id: quoted.id as string, orderNumber: quoted.orderNumber as string, owner };
    }))));
  }
  const later = new Date(gw.clock.now().getTime() + 8 * 86_400_000);
  // The three processes' sweeps at once (what their pg-boss schedules would run), each with the sweep time limits.
  const apps = [gw.app, ...others.map((o) => o.app)];
  const counts = await Promise.all(apps.map((app) => asTransactionKind('sweep', () => autoCancelUnpaid(app, later))));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
  await Promise.all(workers.map((w) => w.dispatch()));

  const cancellations = () => smtp.inbox.filter((m) => m.subject.includes('キャンセル'));
  const deadline = Date.now() + 60_000;
  while (cancellations().length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1500)); // any duplicate would arrive by now
  const mails = cancellations();
  expect(mails).toHaveLength(200);
  const perOrder = new Map<string, number>();
  for (const m of mails) {
    const order = orders.find((o) => m.text.includes(o.orderNumber));
    expect(order && m.to === order.owner.email).toBeTruthy();
    perOrder.set(order!.id, (perOrder.get(order!.id) ?? 0) + 1);
  }
  expect(perOrder.size).toBe(200);
  expect([...perOrder.values()].every((n) => n === 1)).toBe(true);
  const [events] = await gw.app.ds.query(
    `SELECT count(*)::int AS n, count(DISTINCT order_id)::int AS orders FROM order_event WHERE to_state = 'CANCELLED' AND type = 'ORDER_STATUS_CHANGED' AND order_id = ANY($1)`,
    [orders.map((o) => o.id)],
  );
  expect(events).toEqual({ n: 200, orders: 200 });
}, 180_000);
