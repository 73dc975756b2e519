import { Client as PgClient } from 'pg';
import { App } from '../src/app/app';
import { loadConfig } from '../src/app/config';
import { createDataSource } from '../src/app/data-source';
import { createLogger } from '../src/app/logger';
import { systemClock } from '../src/common/clock';
import { cloneOrders } from './clone';
import { isData, load } from './load';
import { startChild, waitFor200 } from './processes';
import { CANCELLATION_COUNTS, ORDER_DETAIL, ORDER_LIST, STAFF_ORDER_LIST } from './queries';
import { createStaff, detailedOrder, growthTemplates, httpClient, quotedOrder, registerCustomer, type Actor } from './seed';

/**
 * `BENCH_ONLY=growth npm run bench`: every screen at two (or more) table sizes, one client,
 * and the ratio of the larger size's median latency to the first's. A screen whose cost grows
 * with the table shows a ratio well above 1.
 *
 * The data: orders made through GraphQL (the detail and list benchmarks' own, and
 * `growthTemplates`: every state a shop holds), then copied with SQL (bench/clone.ts) up to
 * each size, one order every 10 minutes back in time (so the last 30 days hold the same orders
 * at every size, as in a shop that has simply been open longer), 20 orders per customer, then
 * VACUUM ANALYZE. The screens are the documents the clients send (bench/queries.ts).
 *
 * BENCH_GROWTH_SIZES (10000,100000), BENCH_GROWTH_REQUESTS (30 per screen, at most 15 s each).
 */
const SIZES = (process.env.BENCH_GROWTH_SIZES ?? '10000,100000').split(',').map((s) => Number(s.trim()));
const REQUESTS = Number(process.env.BENCH_GROWTH_REQUESTS ?? 30);
const MAX_SECONDS_PER_SCREEN = 15;
const SPACING_SECONDS = 600;
const ORDERS_PER_CUSTOMER = 20;
const QUEUES = ['QUOTE', 'TRANSFER_CONFIRMATION', 'UNANSWERED_MESSAGE', 'SELLER_QUESTION', 'PURCHASE', 'ARRIVAL', 'SECOND_INVOICE', 'SHIPMENT'];

export interface GrowthOptions {
  databaseUrl: string;
  /** The gateway's environment, as the other benchmarks start it. */
  env: Record<string, string>;
  nodeArgs: string[];
  port: number;
  jwtSecret: string;
}

interface Screen {
  name: string;
  token: string;
  query: string;
  variables: Record<string, unknown>;
}

interface Timing {
  median: number;
  p90: number;
  runs: number;
  /** The first error code, if the screen failed (e.g. a statement timeout). */
  error?: string;
}

export async function growthBenchmark(options: GrowthOptions): Promise<void> {
  const gateway = startChild('dist/src/main.js', { ...options.env, SWEEP_INTERVAL_SECONDS: '0', PORT: String(options.port) }, options.nodeArgs);
  const ds = createDataSource(options.databaseUrl, { poolSize: 2 });
  const db = new PgClient({ connectionString: options.databaseUrl });
  try {
    await waitFor200(`http://127.0.0.1:${options.port}/readyz`, gateway);
    const url = `http://127.0.0.1:${options.port}/graphql`;
    await ds.initialize();
    const app = new App(loadConfig({ DATABASE_URL: options.databaseUrl, JWT_SECRET: options.jwtSecret, LOG_LEVEL: 'warn' }), ds, systemClock, createLogger('error'));
    const client = httpClient(url);

    console.log('growth: seeding through GraphQL…');
    const clerk = await createStaff(app);
    const [detailOwner, listOwner, templateOwner] = [await registerCustomer(client), await registerCustomer(client), await registerCustomer(client)];
    const detail = await detailedOrder(client, detailOwner, clerk, { items: 20, messages: 50, filesPerMessage: 1, secondInvoice: true });
    for (let i = 0; i < 50; i += 10) await Promise.all(Array.from({ length: 10 }, () => quotedOrder(client, listOwner, clerk, 3)));
    const templates = await growthTemplates(client, templateOwner, clerk);

    await db.connect();
    await db.query('SET synchronous_commit = off');
    const results: { size: number; timings: Map<string, Timing>; detailRps: number; counts: Record<string, number> }[] = [];
    let cloned = 0;
    for (const size of SIZES) {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM customer_order');
      const to = cloned + Math.max(0, size - rows[0].n);
      const started = performance.now();
      await cloneOrders(db, {
        templates,
        from: cloned,
        to,
        customers: Math.ceil(size / ORDERS_PER_CUSTOMER),
        spacingSeconds: SPACING_SECONDS,
        batch: 25_000,
        onProgress: (done) => process.stdout.write(`\rgrowth: copied ${done.toLocaleString('en-US')} of ${to.toLocaleString('en-US')} orders`),
      });
      cloned = to;
      await db.query('VACUUM ANALYZE');
      const counts = await tableCounts(db);
      console.log(`\ngrowth: ${counts.customer_order.toLocaleString('en-US')} orders ready in ${((performance.now() - started) / 1000).toFixed(0)} s (${Object.entries(counts).map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ')})`);

      const screens = await screensFor(app, db, { detailOwner, listOwner, clerk, detailOrderId: detail.id });
      const timings = new Map<string, Timing>();
      for (const screen of screens) {
        timings.set(screen.name, await time(url, screen));
        const t = timings.get(screen.name)!;
        console.log(`  ${screen.name}: ${t.error ? `ERROR ${t.error}` : `${t.median.toFixed(1)} ms (p90 ${t.p90.toFixed(1)}, ${t.runs} runs)`}`);
      }
      const body = JSON.stringify({ query: ORDER_DETAIL, variables: { id: detail.id } });
      await load({ url, connections: 50, durationSeconds: 2, headers: { authorization: `Bearer ${detailOwner.token}` }, body, check: isData });
      const concurrent = await load({ url, connections: 50, durationSeconds: 5, headers: { authorization: `Bearer ${detailOwner.token}` }, body, check: isData });
      console.log(`  order detail, 50 connections: ${concurrent.requestsPerSecond.toFixed(0)} req/s (${concurrent.failures} failures)`);
      results.push({ size, timings, detailRps: concurrent.requestsPerSecond, counts });
    }
    printGrowth(results);
  } finally {
    await db.end().catch(() => undefined);
    if (ds.isInitialized) await ds.destroy();
    await gateway.stop();
  }
}

/** The screens measured, with tokens and arguments that exist at every size. */
async function screensFor(app: App, db: InstanceType<typeof PgClient>, who: { detailOwner: Actor; listOwner: Actor; clerk: Actor; detailOrderId: string }): Promise<Screen[]> {
  const copied = (await db.query(`SELECT id, email, phone FROM account WHERE email = 'clone-7@bench.local'`)).rows[0];
  const copiedToken = (await app.tokens.issue(copied.id, new Date())).token;
  const staff = (name: string, variables: Record<string, unknown>): Screen => ({ name, token: who.clerk.token, query: STAFF_ORDER_LIST, variables: { first: 50, ...variables } });
  const now = new Date();
  return [
    { name: 'order detail (client screen, 20 items, 50 messages, seller question)', token: who.detailOwner.token, query: ORDER_DETAIL, variables: { id: who.detailOrderId } },
    { name: 'customer order list, 20 (50 orders)', token: who.listOwner.token, query: ORDER_LIST, variables: { first: 20 } },
    { name: 'customer order list, 20 (a copied customer)', token: copiedToken, query: ORDER_LIST, variables: { first: 20 } },
    staff('staff orders, newest first', {}),
    staff('staff orders IN_PROGRESS', { filter: { statusGroup: 'IN_PROGRESS' } }),
    staff('staff orders CANCELLED', { filter: { statusGroup: 'CANCELLED' } }),
    staff('staff search: e-mail', { filter: { search: copied.email } }),
    staff('staff search: order number', { filter: { search: 'X000-0042' } }),
    staff('staff search: phone', { filter: { search: copied.phone } }),
    ...QUEUES.map((queue) => staff(`staff queue ${queue}`, { filter: { awaiting: queue } })),
    { name: 'cancellationCounts, last 30 days', token: who.clerk.token, query: CANCELLATION_COUNTS, variables: { from: new Date(now.getTime() - 30 * 86_400_000).toISOString(), to: now.toISOString() } },
  ];
}

/** One client, one request at a time: a warm-up of 3, then up to REQUESTS (or 15 s). */
async function time(url: string, screen: Screen): Promise<Timing> {
  const body = JSON.stringify({ query: screen.query, variables: screen.variables });
  const once = async () => {
    const started = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${screen.token}` }, body });
    const json = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    return { ms: performance.now() - started, error: json.errors?.[0]?.extensions?.code ?? (res.status === 200 ? undefined : String(res.status)) };
  };
  for (let i = 0; i < 3; i++) {
    const { error } = await once();
    if (error) return { median: NaN, p90: NaN, runs: 0, error };
  }
  const ms: number[] = [];
  const until = performance.now() + MAX_SECONDS_PER_SCREEN * 1000;
  while (ms.length < REQUESTS && (ms.length < 5 || performance.now() < until)) {
    const r = await once();
    if (r.error) return { median: NaN, p90: NaN, runs: ms.length, error: r.error };
    ms.push(r.ms);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor((ms.length - 1) / 2)], p90: ms[Math.floor((ms.length - 1) * 0.9)], runs: ms.length };
}

async function tableCounts(db: InstanceType<typeof PgClient>): Promise<Record<string, number>> {
  const tables = ['customer_order', 'order_item', 'message', 'order_event', 'invoice', 'account'];
  const { rows } = await db.query(`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(', ')}`);
  return rows[0];
}

function printGrowth(results: { size: number; timings: Map<string, Timing>; detailRps: number }[]) {
  const first = results[0];
  const last = results.at(-1)!;
  const n = (x: number) => x.toLocaleString('en-US');
  const cell = (t?: Timing) => (!t ? '' : t.error ? `error ${t.error}` : `${t.median.toFixed(1)} (p90 ${t.p90.toFixed(1)})`);
  const lines = [
    `| screen | ${results.map((r) => `${n(r.size)} orders, median ms`).join(' | ')} | ${n(last.size)}/${n(first.size)} |`,
    `|---|${results.map(() => '---:').join('|')}|---:|`,
  ];
  for (const name of first.timings.keys()) {
    const a = first.timings.get(name)!;
    const b = last.timings.get(name)!;
    const ratio = a.error || b.error ? '—' : `${(b.median / a.median).toFixed(2)}${b.median / a.median > 1.5 ? ' **> 1.5**' : ''}`;
    lines.push(`| ${name} | ${results.map((r) => cell(r.timings.get(name))).join(' | ')} | ${ratio} |`);
  }
  lines.push(`| order detail, 50 connections (req/s) | ${results.map((r) => r.detailRps.toFixed(0)).join(' | ')} | ${(last.detailRps / first.detailRps).toFixed(2)} |`);
  console.log(`\n${lines.join('\n')}\n`);
}
