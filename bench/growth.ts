import { Client as PgClient } from 'pg';
import { App } from '../src/app/app';
import { loadConfig } from '../src/app/config';
import { createDataSource } from '../src/app/data-source';
import { createLogger } from '../src/app/logger';
import { systemClock } from '../src/common/clock';
import { cloneOrders } from './clone';
import { isData, load } from './load';
import { startChild, waitFor200, type Child } from './processes';
import { CANCELLATION_COUNTS, ORDER_DETAIL, ORDER_LIST, STAFF_ORDER_LIST } from './queries';
import { createStaff, detailedOrder, growthTemplates, httpClient, quotedOrder, registerCustomer } from './seed';

/**
 * `BENCH_ONLY=growth npm run bench`: every screen at two table sizes, one client, and the
 * ratio of the large size's latency to the small one's. A screen whose cost grows with the
 * table shows a ratio well above 1.
 *
 * Each size is a database of its own with a gateway of its own (started as `npm start`),
 * seeded the same way: orders made through GraphQL (the detail and list benchmarks' own, and
 * `growthTemplates`: every state a shop holds), then copies made with SQL (bench/clone.ts) up
 * to the size, one order every 10 minutes back in time (the last 30 days hold the same orders
 * at every size, as in a shop that has simply been open longer), 20 orders per customer, then
 * VACUUM ANALYZE and CHECKPOINT. The two are then measured in alternating rounds (small, large;
 * large, small; …) as the ceiling benchmark does, and the ratio is the median of the rounds'
 * ratios: this shared machine's speed drifts by more than the effect being looked for, and right
 * after seeding a million orders PostgreSQL is still writing them out.
 * The screens are the documents the clients send (bench/queries.ts).
 *
 * BENCH_GROWTH_SIZES (10000,100000: the first and the last are compared), BENCH_GROWTH_ROUNDS
 * (5), BENCH_GROWTH_REQUESTS (10 per screen per round), BENCH_GROWTH_SCREENS (only the screens
 * whose name contains one of these comma-separated words, e.g. `UNANSWERED,SELLER`; the
 * seeding is the same).
 */
const SIZES = (process.env.BENCH_GROWTH_SIZES ?? '10000,100000').split(',').map((s) => Number(s.trim()));
const ROUNDS = Number(process.env.BENCH_GROWTH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_GROWTH_REQUESTS ?? 10);
const SCREENS = process.env.BENCH_GROWTH_SCREENS?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
const wanted = (name: string) => !SCREENS?.length || SCREENS.some((s) => name.toLowerCase().includes(s));
const SPACING_SECONDS = 600;
const ORDERS_PER_CUSTOMER = 20;
const QUEUES = ['QUOTE', 'TRANSFER_CONFIRMATION', 'UNANSWERED_MESSAGE', 'SELLER_QUESTION', 'PURCHASE', 'ARRIVAL', 'SECOND_INVOICE', 'SHIPMENT'];

export interface GrowthOptions {
  /** A fresh database on the benchmark's PostgreSQL server, per call. */
  newDatabase: () => Promise<string>;
  /** The gateway's environment, as the other benchmarks start it. */
  env: (databaseUrl: string) => Record<string, string>;
  nodeArgs: string[];
  freePort: () => Promise<number>;
  jwtSecret: string;
}

interface Screen {
  name: string;
  token: string;
  query: string;
  variables: Record<string, unknown>;
}

/** One size: its database, gateway and the screens as its data asks them. */
interface Sized {
  size: number;
  url: string;
  gateway: Child;
  screens: Screen[];
  counts: Record<string, number>;
  detailBody: string;
  detailToken: string;
}

export async function growthBenchmark(options: GrowthOptions): Promise<void> {
  const sized: Sized[] = [];
  try {
    for (const size of [SIZES[0], SIZES.at(-1)!]) sized.push(await seedSize(size, options));
    const [small, large] = sized;
    console.log(`growth: measuring ${small.size.toLocaleString('en-US')} and ${large.size.toLocaleString('en-US')} orders in ${ROUNDS} alternating rounds of ${REQUESTS} requests per screen`);
    const rows: Row[] = [];
    for (let i = 0; i < small.screens.length; i++) {
      if (!wanted(small.screens[i].name)) continue;
      const row = await compareScreen(small, large, i);
      console.log(`  ${row.name}: ${cell(row.small)} → ${cell(row.large)}: ${row.ratio === undefined ? '—' : row.ratio.toFixed(2)}`);
      rows.push(row);
    }
    if (wanted('order detail, 50 connections')) rows.push(await compareDetailUnderLoad(small, large));
    printGrowth(small, large, rows);
  } finally {
    for (const s of sized) await s.gateway.stop();
  }
}

async function seedSize(size: number, options: GrowthOptions): Promise<Sized> {
  const databaseUrl = await options.newDatabase();
  const port = await options.freePort();
  const gateway = startChild('dist/src/main.js', { ...options.env(databaseUrl), SWEEP_INTERVAL_SECONDS: '0', PORT: String(port) }, options.nodeArgs);
  const ds = createDataSource(databaseUrl, { poolSize: 2 });
  const db = new PgClient({ connectionString: databaseUrl });
  try {
    await waitFor200(`http://127.0.0.1:${port}/readyz`, gateway);
    const url = `http://127.0.0.1:${port}/graphql`;
    await ds.initialize();
    const app = new App(loadConfig({ DATABASE_URL: databaseUrl, JWT_SECRET: options.jwtSecret, LOG_LEVEL: 'warn' }), ds, systemClock, createLogger('error'));
    const client = httpClient(url);

    console.log(`growth ${size.toLocaleString('en-US')}: seeding through GraphQL…`);
    const clerk = await createStaff(app);
    const [detailOwner, listOwner, templateOwner] = [await registerCustomer(client), await registerCustomer(client), await registerCustomer(client)];
    const detail = await detailedOrder(client, detailOwner, clerk, { items: 20, messages: 50, filesPerMessage: 1, secondInvoice: true });
    for (let i = 0; i < 50; i += 10) await Promise.all(Array.from({ length: 10 }, () => quotedOrder(client, listOwner, clerk, 3)));
    const templates = await growthTemplates(client, templateOwner, clerk);

    await db.connect();
    await db.query('SET synchronous_commit = off');
    const { rows } = await db.query('SELECT count(*)::int AS n FROM customer_order');
    const copies = Math.max(0, size - rows[0].n);
    const started = performance.now();
    await cloneOrders(db, {
      templates,
      from: 0,
      to: copies,
      ordersPerCustomer: ORDERS_PER_CUSTOMER,
      spacingSeconds: SPACING_SECONDS,
      batch: 25_000,
      onProgress: (done) => process.stdout.write(`\rgrowth ${size.toLocaleString('en-US')}: copied ${done.toLocaleString('en-US')} of ${copies.toLocaleString('en-US')} orders`),
    });
    const copiedIn = (performance.now() - started) / 1000;
    await db.query('VACUUM ANALYZE');
    await db.query('CHECKPOINT');
    const counts = await tableCounts(db);
    console.log(`\ngrowth ${size.toLocaleString('en-US')}: copied in ${copiedIn.toFixed(0)} s, ready in ${((performance.now() - started) / 1000).toFixed(0)} s: ${Object.entries(counts).map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ')}`);

    // A copied customer and an order number that exist at every size (bench/clone.ts).
    const copied = (await db.query(`SELECT id, email, phone FROM account WHERE email = 'clone-7@bench.local'`)).rows[0];
    const copiedToken = (await app.tokens.issue(copied.id, new Date())).token;
    const staff = (name: string, variables: Record<string, unknown>): Screen => ({ name, token: clerk.token, query: STAFF_ORDER_LIST, variables: { first: 50, ...variables } });
    const now = new Date();
    const screens: Screen[] = [
      { name: 'order detail (client screen: 20 items, 50 messages, seller question)', token: detailOwner.token, query: ORDER_DETAIL, variables: { id: detail.id } },
      { name: 'customer order list, 20 of 50', token: listOwner.token, query: ORDER_LIST, variables: { first: 20 } },
      { name: 'customer order list, 20 (a copied customer)', token: copiedToken, query: ORDER_LIST, variables: { first: 20 } },
      staff('staff orders, newest first', {}),
      staff('staff orders IN_PROGRESS', { filter: { statusGroup: 'IN_PROGRESS' } }),
      staff('staff orders CANCELLED', { filter: { statusGroup: 'CANCELLED' } }),
      staff('staff search: e-mail', { filter: { search: copied.email } }),
      staff('staff search: order number', { filter: { search: 'X000-0042' } }),
      staff('staff search: phone', { filter: { search: copied.phone } }),
      ...QUEUES.map((queue) => staff(`staff queue ${queue}`, { filter: { awaiting: queue } })),
      { name: 'cancellationCounts, last 30 days', token: clerk.token, query: CANCELLATION_COUNTS, variables: { from: new Date(now.getTime() - 30 * 86_400_000).toISOString(), to: now.toISOString() } },
    ];
    return { size, url, gateway, screens, counts, detailBody: JSON.stringify({ query: ORDER_DETAIL, variables: { id: detail.id } }), detailToken: detailOwner.token };
  } catch (error) {
    await gateway.stop();
    throw error;
  } finally {
    await db.end().catch(() => undefined);
    if (ds.isInitialized) await ds.destroy();
  }
}

interface Timing {
  median: number;
  p90: number;
  runs: number;
  /** The first error code, if the screen failed (e.g. a statement timeout). */
  error?: string;
}

interface Row {
  name: string;
  small: Timing;
  large: Timing;
  /** Median of the rounds' large/small ratios. */
  ratio?: number;
  unit?: 'req/s';
}

/** Screen i at both sizes: a warm-up, then ROUNDS alternating rounds of REQUESTS requests, one at a time. */
async function compareScreen(small: Sized, large: Sized, i: number): Promise<Row> {
  const name = small.screens[i].name;
  const errors = await Promise.all([small, large].map(async (s) => (await run(s, i, 3)).error));
  if (errors[0] || errors[1]) return { name, small: { median: NaN, p90: NaN, runs: 0, error: errors[0] }, large: { median: NaN, p90: NaN, runs: 0, error: errors[1] } };
  const all: [number[], number[]] = [[], []];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [1, 0] : [0, 1];
    const medians = [0, 0];
    for (const which of order) {
      const r = await run(which ? large : small, i, REQUESTS);
      if (r.error) return { name, small: summary(all[0]), large: { ...summary(all[1]), error: r.error } };
      all[which].push(...r.ms);
      medians[which] = median(r.ms);
    }
    ratios.push(medians[1] / medians[0]);
  }
  return { name, small: summary(all[0]), large: summary(all[1]), ratio: median(ratios) };
}

async function run(s: Sized, i: number, requests: number): Promise<{ ms: number[]; error?: string }> {
  const screen = s.screens[i];
  const body = JSON.stringify({ query: screen.query, variables: screen.variables });
  const ms: number[] = [];
  for (let n = 0; n < requests; n++) {
    const started = performance.now();
    const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${screen.token}` }, body });
    const json = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    const error = json.errors?.[0]?.extensions?.code ?? (res.status === 200 ? undefined : String(res.status));
    if (error) return { ms, error };
    ms.push(performance.now() - started);
  }
  return { ms };
}

/** The client order detail under 50 connections at both sizes, alternating rounds of 4 s. */
async function compareDetailUnderLoad(small: Sized, large: Sized): Promise<Row> {
  const options = (s: Sized, durationSeconds: number) => ({ url: s.url, connections: 50, durationSeconds, headers: { authorization: `Bearer ${s.detailToken}` }, body: s.detailBody, check: isData });
  await load(options(small, 2));
  await load(options(large, 2));
  const rates: [number[], number[]] = [[], []];
  const ratios: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const which of round % 2 ? [1, 0] : [0, 1]) rates[which].push((await load(options(which ? large : small, 4))).requestsPerSecond);
    ratios.push(rates[1][round] / rates[0][round]);
  }
  const asTiming = (r: number[]): Timing => ({ median: median(r), p90: NaN, runs: r.length });
  return { name: 'order detail, 50 connections', small: asTiming(rates[0]), large: asTiming(rates[1]), ratio: median(ratios), unit: 'req/s' };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summary(ms: number[]): Timing {
  const sorted = [...ms].sort((a, b) => a - b);
  return { median: median(sorted), p90: sorted[Math.floor((sorted.length - 1) * 0.9)], runs: sorted.length };
}

const cell = (t: Timing) => (t.error ? `error ${t.error}` : Number.isNaN(t.p90) ? t.median.toFixed(0) : `${t.median.toFixed(1)} (p90 ${t.p90.toFixed(1)})`);

async function tableCounts(db: InstanceType<typeof PgClient>): Promise<Record<string, number>> {
  const tables = ['customer_order', 'order_item', 'message', 'order_event', 'invoice', 'account'];
  const { rows } = await db.query(`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(', ')}`);
  return rows[0];
}

function printGrowth(small: Sized, large: Sized, rows: Row[]) {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `| screen | ${n(small.size)} orders, median ms | ${n(large.size)} orders, median ms | ${n(large.size)}/${n(small.size)} (median of rounds) |`,
    `|---|---:|---:|---:|`,
  ];
  for (const r of rows) {
    const flag = r.ratio !== undefined && (r.unit ? r.ratio < 0.8 : r.ratio > 1.5) ? ' **!**' : '';
    lines.push(`| ${r.name}${r.unit ? ` (${r.unit})` : ''} | ${cell(r.small)} | ${cell(r.large)} | ${r.ratio === undefined ? '—' : r.ratio.toFixed(2)}${flag} |`);
  }
  console.log(`\n${lines.join('\n')}\n`);
  console.log(`tables at ${n(large.size)}: ${Object.entries(large.counts).map(([t, c]) => `${t} ${n(c)}`).join(', ')}`);
  console.log('**!**: a latency ratio above 1.5, or a throughput ratio below 0.8.');
}
