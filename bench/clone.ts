/** A pg Client (or one of a Pool's): the statements of a copy run in one transaction on it. */
export interface Db {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>; // any: rows as the SQL shapes them
}

/**
 * Volume for the growth benchmark and the query-plan tests: copies of orders made through
 * GraphQL (the templates), made with a few INSERT … SELECT over generate_series, so a million
 * orders take minutes rather than days of API calls.
 *
 * Copy k (0, 1, 2, …) is template `templates[k % templates.length]` with everything that hangs
 * off it (items, invoices, messages, timeline), given:
 * - new ids, derived from the template's id and k (`md5(id || ':' || k)::uuid`), so a copied
 *   row points at the copies of its parent, item and answer message;
 * - its own order number, `X` and 7 digits of k ("X000-0042"), never one the API hands out…
 *   practically (a real one is 8 random characters);
 * - a customer, a copy of the first customer account (`clone-<c>@bench.local`, phone 090 and
 *   8 digits of c), with that contact e-mail and phone: each run of 50 × `ordersPerCustomer`
 *   copies is shared by 50 customers in turn, so every customer has `ordersPerCustomer`
 *   orders spread over that run, however many copies there are (customer 7 has the same
 *   orders at 10,000 and at 1,000,000); guest orders stay guests (`guest-<k>@bench.local`);
 * - every timestamp moved back by (k + 1) × `spacingSeconds`: copies are older than the
 *   templates, one order every `spacingSeconds` back in time.
 * Files (attachments), payments and ledger entries are not copied: no screen measured reads
 * them per order in a list, and their unique keys would need inventing.
 */
export interface CloneOptions {
  /** Template order ids; repeat one to make more copies of it. */
  templates: readonly string[];
  /** Copies k in [from, to). */
  from: number;
  to: number;
  ordersPerCustomer: number;
  spacingSeconds: number;
  /** Copies per statement (progress is reported after each). */
  batch?: number;
  onProgress?: (done: number) => void;
}

/** The tables copied, parents first, and the column that orders their rows within one copy. */
const TABLES: { table: string; orderBy: string }[] = [
  { table: 'customer_order', orderBy: 't.id' },
  { table: 'order_item', orderBy: 't.position' },
  { table: 'invoice', orderBy: 't.kind' },
  { table: 'message', orderBy: 't.seq' },
  { table: 'order_event', orderBy: 't.id' },
];
const CUSTOMERS_PER_RUN = 50;
const COPIED = new Set(TABLES.map((t) => t.table));
/** uuid columns pointing at copied rows without a foreign key saying so. */
const COPIED_REFERENCES = new Set(['answer_message_id', 'item_id', 'invoice_id', 'message_id']);

interface Column {
  name: string;
  type: string;
  identityAlways: boolean;
  references: string | null;
}

export async function cloneOrders(db: Db, options: CloneOptions): Promise<void> {
  if (options.to > 10_000_000) throw new Error('cloneOrders: order numbers hold 7 digits of k');
  const perCustomer = Math.trunc(options.ordersPerCustomer);
  const spacing = Number(options.spacingSeconds);
  if (!(perCustomer > 0) || !(spacing > 0)) throw new Error('cloneOrders: ordersPerCustomer and spacingSeconds must be positive');
  const run = CUSTOMERS_PER_RUN * perCustomer;
  const customer = `((k / ${run}) * ${CUSTOMERS_PER_RUN} + k % ${CUSTOMERS_PER_RUN})`;
  const batch = options.batch ?? 50_000;
  await ensureCustomers(db, (Math.floor((options.to - 1) / run) + 1) * CUSTOMERS_PER_RUN);
  const selects = await Promise.all(TABLES.map(async ({ table, orderBy }) => ({ table, orderBy, columns: await columnsOf(db, table) })));
  for (let start = options.from; start < options.to; start += batch) {
    const end = Math.min(options.to, start + batch);
    await db.query('BEGIN');
    try {
      for (const { table, orderBy, columns } of selects) {
        const insert = columns.filter((c) => !c.identityAlways);
        const parent = table === 'customer_order' ? 't.id' : 't.order_id';
        await db.query(
          `INSERT INTO ${table} (${insert.map((c) => `"${c.name}"`).join(', ')})
           SELECT ${insert.map((c) => valueOf(table, c, customer, spacing)).join(', ')}
             FROM generate_series($1::int, $2::int - 1) AS k
             JOIN unnest($3::uuid[]) WITH ORDINALITY AS tpl(order_id, n) ON tpl.n - 1 = k % $4::int
             JOIN ${table} t ON ${parent} = tpl.order_id
            ORDER BY k, ${orderBy}`,
          [start, end, options.templates, options.templates.length],
        );
      }
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
    options.onProgress?.(end);
  }
}

/** Customers 0 … count-1: copies of the first customer account (its password hash included). */
async function ensureCustomers(db: Db, count: number): Promise<void> {
  const columns = (await columnsOf(db, 'account')).filter((c) => !c.identityAlways);
  const value = (c: Column) =>
    ({
      id: `md5('clone-customer:' || c)::uuid`,
      email: `'clone-' || c || '@bench.local'`,
      phone: `'090' || lpad(c::text, 8, '0')`,
      name: `'Clone ' || c`,
      role: `'CUSTOMER'`,
    })[c.name] ?? `a."${c.name}"`;
  await db.query(
    `INSERT INTO account (${columns.map((c) => `"${c.name}"`).join(', ')})
     SELECT ${columns.map(value).join(', ')}
       FROM generate_series(0, $1::int - 1) AS c, (SELECT * FROM account WHERE role = 'CUSTOMER' ORDER BY created_at LIMIT 1) a
     ON CONFLICT DO NOTHING`,
    [count],
  );
}

/** The SELECT expression for one column of copy k of row t. */
function valueOf(table: string, c: Column, customer: string, spacing: number): string {
  const col = `t."${c.name}"`;
  if (table === 'customer_order') {
    const special: Record<string, string> = {
      order_number: `'X' || substr(lpad(k::text, 8, '0'), 2, 3) || '-' || substr(lpad(k::text, 8, '0'), 5, 4)`,
      customer_id: `CASE WHEN t.customer_id IS NULL THEN NULL ELSE md5('clone-customer:' || ${customer})::uuid END`,
      contact_email: `CASE WHEN t.customer_id IS NULL THEN 'guest-' || k || '@bench.local' ELSE 'clone-' || ${customer} || '@bench.local' END`,
      contact_phone: `'090' || lpad(${customer}::text, 8, '0')`,
    };
    if (special[c.name]) return special[c.name];
  }
  if (c.type === 'uuid' && (c.name === 'id' || (c.references && COPIED.has(c.references)) || COPIED_REFERENCES.has(c.name))) {
    return `md5(${col}::text || ':' || k)::uuid`; // NULL stays NULL
  }
  if (c.type === 'timestamp with time zone') return `${col} - make_interval(secs => (k + 1) * ${spacing})`;
  return col;
}

async function columnsOf(db: Db, table: string): Promise<Column[]> {
  const { rows } = await db.query(
    `SELECT c.column_name AS name, c.data_type AS type, c.identity_generation = 'ALWAYS' AS "identityAlways",
            (SELECT ref.relname FROM pg_constraint fk
               JOIN pg_class ref ON ref.oid = fk.confrelid
               JOIN pg_attribute a ON a.attrelid = fk.conrelid AND a.attnum = fk.conkey[1]
              WHERE fk.contype = 'f' AND fk.conrelid = c.table_name::regclass AND array_length(fk.conkey, 1) = 1 AND a.attname = c.column_name
              LIMIT 1) AS references
       FROM information_schema.columns c
      WHERE c.table_schema = 'public' AND c.table_name = $1
      ORDER BY c.ordinal_position`,
    [table],
  );
  return rows.map((r: Column) => ({ ...r, identityAlways: Boolean(r.identityAlways) }));
}
