import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { TokenService } from '../src/modules/accounts/auth';

/**
 * The ceiling the gateway is measured against: a hand-written `node:http` + `pg` server that
 * answers the two benchmark queries (bench/queries.ts BENCH_DETAIL and BENCH_LIST) with the
 * same JSON, byte for byte apart from the signed links' expiry, in ONE SQL statement each
 * (PostgreSQL builds the nested JSON). It checks the bearer token and who may see the order
 * as the gateway does, and nothing else: no GraphQL, no framework, no logging. It reads
 * `operationName` and the variables and ignores the query text.
 */

export interface CeilingOptions {
  databaseUrl: string;
  jwtSecret: string;
  issuer?: string;
  audience?: string;
  poolSize?: number;
  attachmentUrlTtlSeconds?: number;
  port?: number;
}

// The same formatting as src/common/money.ts (not imported: it would load type-graphql into the ceiling).
enum Currency {
  JPY = 'JPY',
  CNY = 'CNY',
}
function decimal(minor: bigint, digits: number): string {
  const sign = minor < 0n ? '-' : '';
  const s = (minor < 0n ? -minor : minor).toString();
  if (!digits) return sign + s;
  const padded = s.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}
const money = (minor: string | null, currency: Currency) => (minor === null ? null : { amount: decimal(BigInt(minor), currency === Currency.CNY ? 2 : 0), currency });
const iso = (pgTime: string | null) => (pgTime === null ? null : new Date(pgTime).toISOString());
const cursor = (key: (string | number)[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const VIEWER = `viewer AS (SELECT id, role, CASE WHEN role IN ('STAFF', 'ADMIN') THEN 'STAFF' ELSE 'CUSTOMER' END AS side FROM account WHERE id = $2)`;
const UNREAD = `(SELECT count(*) FROM message u WHERE u.order_id = o.id AND u.author_side::text <> (SELECT side FROM viewer) AND u.read_at IS NULL)`;
const ITEM = `json_build_object('id', i.id, 'title', i.title, 'options', i.options, 'quantity', i.quantity, 'status', i.status,
  'unitPrice', i.unit_price_cny::text, 'chinaShipping', i.china_shipping_cny::text)`;

const DETAIL_SQL = `WITH ${VIEWER},
  o AS (SELECT o.* FROM customer_order o, viewer v WHERE o.id = $1 AND (o.customer_id = v.id OR v.side = 'STAFF'))
SELECT (SELECT id FROM viewer) AS viewer, (SELECT json_build_object(
  'id', o.id, 'orderNumber', o.order_number, 'status', o.status, 'shippingPriority', o.shipping_priority, 'submittedAt', o.submitted_at, 'quotedAt', o.quoted_at,
  'deliveryAddress', json_build_object('recipient', o."delivery_Recipient", 'postalCode', o."delivery_Postal_code", 'prefecture', o."delivery_Prefecture",
    'city', o."delivery_City", 'line1', o."delivery_Line1", 'line2', o."delivery_Line2", 'phone', o."delivery_Phone"),
  'items', (SELECT coalesce(json_agg(${ITEM} ORDER BY i.position), '[]') FROM order_item i WHERE i.order_id = o.id),
  'invoices', (SELECT coalesce(json_agg(json_build_object('id', v.id, 'kind', v.kind, 'status', v.status, 'total', v.total::text, 'paid', v.amount_paid::text, 'lines', v.lines)), '[]')
    FROM invoice v WHERE v.order_id = o.id),
  'unread', ${UNREAD},
  'messages', (SELECT coalesce(json_agg(m.doc ORDER BY m.seq), '[]') FROM (
    SELECT m.seq, json_build_object('id', m.id, 'seq', m.seq::text, 'title', m.title, 'body', m.body, 'createdAt', m.created_at, 'readAt', m.read_at,
      'side', m.author_side, 'name', m.author_name,
      'attachments', (SELECT coalesce(json_agg(json_build_object('id', a.id, 'filename', a.display_name, 'contentType', a.content_type, 'byteSize', a.byte_size) ORDER BY a.position), '[]')
        FROM attachment a WHERE a.message_id = m.id)) AS doc
    FROM message m WHERE m.order_id = o.id ORDER BY m.seq LIMIT 51) m)
) FROM o) AS doc`;

const LIST_SQL = `WITH ${VIEWER},
  page AS (SELECT o.* FROM customer_order o WHERE o.customer_id = $2 ORDER BY o.submitted_at DESC, o.id DESC LIMIT $1)
SELECT (SELECT id FROM viewer) AS viewer, (SELECT coalesce(json_agg(json_build_object(
  'id', o.id, 'orderNumber', o.order_number, 'status', o.status, 'submittedAt', o.submitted_at, 'unread', ${UNREAD},
  'items', (SELECT coalesce(json_agg(${ITEM} ORDER BY i.position), '[]') FROM order_item i WHERE i.order_id = o.id),
  'invoice', (SELECT json_build_object('id', v.id, 'status', v.status, 'total', v.total::text, 'paid', v.amount_paid::text) FROM invoice v WHERE v.order_id = o.id AND v.kind = 'FIRST')
) ORDER BY o.submitted_at DESC, o.id DESC), '[]') FROM page o) AS doc`;

interface InvoiceRow {
  id: string;
  kind: string;
  status: string;
  total: string;
  paid: string;
  lines?: { kind: string; description: string; itemId: string | null; quantity: number | null; amount: string }[];
}

function invoiceJson(v: InvoiceRow | undefined | null, withLines: boolean) {
  if (!v) return null;
  const due = BigInt(v.total) - BigInt(v.paid);
  const amountDue = money(String(v.status === 'VOID' || due < 0n ? 0n : due), Currency.JPY);
  if (!withLines) return { id: v.id, status: v.status, total: money(v.total, Currency.JPY), amountDue };
  return {
    id: v.id,
    kind: v.kind,
    status: v.status,
    total: money(v.total, Currency.JPY),
    amountPaid: money(v.paid, Currency.JPY),
    amountDue,
    lines: v.lines!.map((l) => ({ kind: l.kind, description: l.description, itemId: l.itemId, quantity: l.quantity, amount: money(l.amount, Currency.JPY) })),
  };
}

const itemJson = (i: any, full: boolean) => ({
  id: i.id,
  title: i.title,
  ...(full ? { options: i.options } : {}),
  quantity: i.quantity,
  status: i.status,
  unitPrice: money(i.unitPrice, Currency.CNY),
  ...(full ? { chinaShipping: money(i.chinaShipping, Currency.CNY) } : {}),
});

export class Ceiling {
  private readonly pool: { query(sql: string, params: unknown[]): Promise<{ rows: any[] }>; end(): Promise<void> };
  private readonly tokens: TokenService;
  private readonly linkKey: Buffer;
  private readonly ttl: number;
  server?: Server;

  constructor(private readonly options: CeilingOptions) {
    this.pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 }) as unknown as Ceiling['pool'];
    this.tokens = new TokenService({ secret: options.jwtSecret, issuer: options.issuer ?? 'proxy-buy-gateway', audience: options.audience ?? 'proxy-buy-clients', ttlSeconds: 3600 });
    this.linkKey = createHash('sha256').update(`attachment-links:${options.jwtSecret}`).digest();
    this.ttl = options.attachmentUrlTtlSeconds ?? 900;
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
          res.end(body);
        },
        (error) => {
          res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ errors: [{ message: String(error?.message ?? error) }] }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
    await this.pool.end();
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const { operationName, variables = {} } = JSON.parse(raw);
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const viewerId = token ? await this.tokens.verify(token, new Date()) : null;
    if (!viewerId) return { status: 401, body: JSON.stringify({ errors: [{ message: 'The token is invalid or has expired: sign in again.', extensions: { code: 'UNAUTHENTICATED' } }] }) };
    const origin = `http://${req.headers.host}`;
    if (operationName === 'BenchOrderDetail') return { status: 200, body: JSON.stringify({ data: { order: await this.detail(String(variables.id), viewerId, origin) } }) };
    if (operationName === 'BenchOrderList') return { status: 200, body: JSON.stringify({ data: { orders: await this.list(Number(variables.first ?? 20), viewerId) } }) };
    return { status: 400, body: JSON.stringify({ errors: [{ message: `The ceiling answers BenchOrderDetail and BenchOrderList only, not ${operationName}.` }] }) };
  }

  private async detail(id: string, viewerId: string, origin: string) {
    if (!UUID.test(id)) return null;
    const { rows } = await this.pool.query(DETAIL_SQL, [id, viewerId]);
    const o = rows[0]?.doc;
    if (!o) return null;
    const invoices: InvoiceRow[] = o.invoices;
    const exp = Math.floor(Date.now() / 1000) + this.ttl;
    const page = o.messages.slice(0, 50);
    return {
      id: o.id,
      orderNumber: o.orderNumber,
      status: o.status,
      shippingPriority: o.shippingPriority,
      submittedAt: iso(o.submittedAt),
      quotedAt: iso(o.quotedAt),
      deliveryAddress: o.deliveryAddress,
      items: o.items.map((i: any) => itemJson(i, true)),
      firstInvoice: invoiceJson(invoices.find((v) => v.kind === 'FIRST'), true),
      secondInvoice: invoiceJson(invoices.find((v) => v.kind === 'SECOND'), true),
      unreadMessageCount: Number(o.unread),
      messages: {
        nodes: page.map((m: any) => ({
          id: m.id,
          title: m.title,
          body: m.body,
          createdAt: iso(m.createdAt),
          readAt: iso(m.readAt),
          author: { side: m.side, name: m.name },
          attachments: m.attachments.map((a: any) => ({ ...a, url: `${origin}/attachments/${a.id}?exp=${exp}&sig=${createHmac('sha256', this.linkKey).update(`${a.id}.${exp}`).digest('base64url')}` })),
        })),
        pageInfo: { hasNextPage: o.messages.length > 50, endCursor: page.length ? cursor([page.at(-1).seq]) : null },
      },
    };
  }

  private async list(first: number, viewerId: string) {
    const { rows } = await this.pool.query(LIST_SQL, [first + 1, viewerId]);
    const all: any[] = rows[0]?.doc ?? [];
    const page = all.slice(0, first);
    return {
      nodes: page.map((o) => ({
        id: o.id,
        orderNumber: o.orderNumber,
        status: o.status,
        submittedAt: iso(o.submittedAt),
        unreadMessageCount: Number(o.unread),
        items: o.items.map((i: any) => itemJson(i, false)),
        firstInvoice: invoiceJson(o.invoice, false),
      })),
      pageInfo: { hasNextPage: all.length > first, endCursor: page.length ? cursor([iso(page.at(-1).submittedAt)!, page.at(-1).id]) : null },
    };
  }
}

/** Run on its own (`node dist/bench/ceiling.js`): DATABASE_URL, JWT_SECRET, PORT; prints its URL. */
if (require.main === module) {
  const ceiling = new Ceiling({ databaseUrl: process.env.DATABASE_URL!, jwtSecret: process.env.JWT_SECRET!, port: Number(process.env.PORT ?? 0), poolSize: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  ceiling.listen().then((url) => console.log(`ceiling ready at ${url}`));
  process.on('SIGTERM', () => void ceiling.close().then(() => process.exit(0)));
}
