import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Runs one SQL statement (a DataSource, or a QueryRunner inside a transaction that will be rolled back). */
export type Sql = (sql: string, params?: unknown[]) => Promise<any[]>;

/** One rule of the books, and the rows that break it (none when it holds). */
export interface InvariantResult {
  name: string;
  violations: unknown[];
}

/**
 * The rules that must hold whatever crashed, timed out or raced: each is a query for the rows
 * that break it. Reusable by any test that wants to know the books are whole (the chaos test).
 */
const RULES: Record<string, string> = {
  // Every deposit balance is the sum of its ledger and the last entry's balance_after, never negative.
  'deposit balance = sum of its ledger, never negative': `
    SELECT a.account_id, a.balance::text, coalesce(sum(e.amount), 0)::text AS ledger_sum,
           (SELECT balance_after FROM deposit_entry l WHERE l.account_id = a.account_id ORDER BY id DESC LIMIT 1)::text AS last_after
      FROM deposit_account a LEFT JOIN deposit_entry e ON e.account_id = a.account_id
     GROUP BY a.account_id, a.balance
    HAVING a.balance <> coalesce(sum(e.amount), 0) OR a.balance < 0
        OR a.balance IS DISTINCT FROM coalesce((SELECT balance_after FROM deposit_entry l WHERE l.account_id = a.account_id ORDER BY id DESC LIMIT 1), 0)`,
  'every ledger entry continues its chain (running sum = balance_after ≥ 0)': `
    SELECT id, account_id, amount::text, balance_after::text, running::text FROM (
      SELECT id, account_id, amount, balance_after, sum(amount) OVER (PARTITION BY account_id ORDER BY id) AS running FROM deposit_entry) c
     WHERE running <> balance_after OR balance_after < 0`,
  // Money from the deposit: exactly one INVOICE_PAYMENT entry per settled deposit payment, for its amount, and none for anything else.
  'a settled deposit payment is one ledger debit of its amount': `
    SELECT p.id, p.status::text, p.amount::text, count(e.id)::int AS entries, coalesce(sum(e.amount), 0)::text AS debited
      FROM payment p LEFT JOIN deposit_entry e ON e.kind = 'INVOICE_PAYMENT' AND e.reference_id = p.id
     WHERE p.method = 'DEPOSIT'
     GROUP BY p.id
    HAVING (p.status = 'SETTLED') <> (count(e.id) = 1) OR (p.status = 'SETTLED' AND coalesce(sum(e.amount), 0) <> -p.amount)
    UNION ALL
    SELECT e.reference_id, 'entry without a settled deposit payment', e.amount::text, 1, e.amount::text
      FROM deposit_entry e LEFT JOIN payment p ON p.id = e.reference_id
     WHERE e.kind = 'INVOICE_PAYMENT' AND (p.id IS NULL OR p.method <> 'DEPOSIT' OR p.status <> 'SETTLED')`,
  'an excess is credited once, and only for a settled payment that had one': `
    SELECT p.id, p.status, p.excess_amount::text, count(e.id)::int AS credits, coalesce(sum(e.amount), 0)::text AS credited
      FROM payment p LEFT JOIN deposit_entry e ON e.kind = 'TRANSFER_EXCESS' AND e.reference_id = p.id
     WHERE p.purpose = 'INVOICE'
     GROUP BY p.id
    HAVING coalesce(sum(e.amount), 0) <> CASE WHEN p.status = 'SETTLED' AND p.account_id IS NOT NULL THEN coalesce(p.excess_amount, 0) ELSE 0 END
        OR count(e.id) > 1`,
  'a withdrawal holds its amount once; only a rejected one is released': `
    SELECT w.id, w.status, w.amount::text,
           count(*) FILTER (WHERE e.kind = 'WITHDRAWAL_HOLD')::int AS holds, coalesce(sum(e.amount) FILTER (WHERE e.kind = 'WITHDRAWAL_HOLD'), 0)::text AS held,
           count(*) FILTER (WHERE e.kind = 'WITHDRAWAL_RELEASE')::int AS releases
      FROM withdrawal w LEFT JOIN deposit_entry e ON e.reference_id = w.id AND e.kind IN ('WITHDRAWAL_HOLD', 'WITHDRAWAL_RELEASE')
     WHERE w.account_id IS NOT NULL
     GROUP BY w.id
    HAVING count(*) FILTER (WHERE e.kind = 'WITHDRAWAL_HOLD') <> 1
        OR coalesce(sum(e.amount) FILTER (WHERE e.kind = 'WITHDRAWAL_HOLD'), 0) <> -w.amount
        OR count(*) FILTER (WHERE e.kind = 'WITHDRAWAL_RELEASE') <> (CASE WHEN w.status = 'REJECTED' THEN 1 ELSE 0 END)`,
  // A payment is settled at most once: one PAYMENT_SETTLED on its order's timeline iff it is SETTLED.
  'a payment is settled once (one PAYMENT_SETTLED event iff SETTLED)': `
    SELECT p.id, p.method, p.status, count(ev.id)::int AS settled_events
      FROM payment p LEFT JOIN order_event ev ON ev.order_id = p.order_id AND ev.type = 'PAYMENT_SETTLED' AND ev.data->>'paymentId' = p.id::text
     WHERE p.order_id IS NOT NULL
     GROUP BY p.id
    HAVING count(ev.id) <> (CASE WHEN p.status = 'SETTLED' THEN 1 ELSE 0 END)`,
  'a settled payment applied what it received: applied + excess = amount (confirmed, for transfers)': `
    SELECT id, method, amount::text, applied_amount::text, excess_amount::text FROM payment
     WHERE status = 'SETTLED' AND (applied_amount IS NULL OR excess_amount IS NULL OR settled_at IS NULL
        OR applied_amount + excess_amount <> CASE WHEN method = 'BANK_TRANSFER' THEN confirmed_amount ELSE amount END)`,
  'one capture per PayPal order, one payment per capture': `
    SELECT provider_order_id, count(*)::int AS settled, count(DISTINCT capture_id)::int AS captures FROM payment
     WHERE method = 'CARD' AND status = 'SETTLED' GROUP BY provider_order_id HAVING count(*) > 1
    UNION ALL
    SELECT capture_id, count(*)::int, 1 FROM payment WHERE capture_id IS NOT NULL GROUP BY capture_id HAVING count(*) > 1`,
  // No invoice paid twice: what it records as paid is what its settled payments applied, never above its total.
  'invoice amount paid = sum applied by its settled payments, 0 ≤ paid ≤ total': `
    SELECT i.id, i.status, i.total::text, i.amount_paid::text, coalesce(sum(p.applied_amount) FILTER (WHERE p.status = 'SETTLED'), 0)::text AS applied
      FROM invoice i LEFT JOIN payment p ON p.invoice_id = i.id
     GROUP BY i.id
    HAVING i.amount_paid <> coalesce(sum(p.applied_amount) FILTER (WHERE p.status = 'SETTLED'), 0) OR i.amount_paid < 0 OR i.amount_paid > i.total`,
  'an invoice is PAID exactly when paid in full': `
    SELECT id, status, total::text, amount_paid::text FROM invoice
     WHERE (status = 'PAID') <> (amount_paid = total AND total > 0) AND status <> 'VOID'`,
  'at most one live payment from outside the deposit per invoice': `
    SELECT invoice_id, count(*)::int AS live FROM payment
     WHERE method <> 'DEPOSIT' AND status IN ('PENDING', 'CAPTURING', 'REPORTED') AND invoice_id IS NOT NULL
     GROUP BY invoice_id HAVING count(*) > 1`,
  'order status follows its first invoice': `
    SELECT o.id, o.status, i.status AS invoice_status FROM customer_order o JOIN invoice i ON i.order_id = o.id AND i.kind = 'FIRST'
     WHERE (o.status = 'AWAITING_FIRST_PAYMENT' AND i.status <> 'OPEN')
        OR (o.status IN ('PURCHASING', 'AWAITING_ARRIVAL', 'INSPECTING', 'AWAITING_SECOND_PAYMENT', 'PREPARING_SHIPMENT', 'SHIPPED', 'COMPLETED') AND i.status <> 'PAID')
        OR (o.status = 'CANCELLED' AND i.status = 'OPEN')`,
  'items of an order with a paid first invoice are past BEFORE_PAYMENT': `
    SELECT it.id, it.status, o.status AS order_status FROM order_item it JOIN customer_order o ON o.id = it.order_id
     WHERE (o.status = 'PURCHASING' AND it.status = 'BEFORE_PAYMENT') OR (o.status IN ('SUBMITTED', 'AWAITING_FIRST_PAYMENT') AND it.status NOT IN ('BEFORE_PAYMENT', 'CANCELLED'))`,
  'no card payment left CAPTURING (the recovery sweep finished every one)': `
    SELECT id, capture_started_at, capture_started_by FROM payment WHERE status = 'CAPTURING'`,
  'every attachment belongs to a message of its own order': `
    SELECT a.id FROM attachment a LEFT JOIN message m ON m.id = a.message_id
     WHERE a.purpose = 'MESSAGE' AND (m.id IS NULL OR m.order_id <> a.order_id)`,
};

export const DATABASE_INVARIANTS = Object.keys(RULES);

export async function checkDatabaseInvariants(sql: Sql): Promise<InvariantResult[]> {
  const results: InvariantResult[] = [];
  for (const [name, query] of Object.entries(RULES)) results.push({ name, violations: await sql(query) });
  return results;
}

/**
 * Files and rows agree: every attachment row has its stored file with the recorded size and
 * SHA-256, and (`strayAllowed` false: after the cleanup sweep) every stored file has a row.
 * Temporary files of interrupted writes (hidden `.….tmp`) count as stray files.
 */
export async function checkStorageInvariants(sql: Sql, storageDir: string): Promise<InvariantResult[]> {
  const rows: { storage_key: string; byte_size: number; sha256: string }[] = await sql(`SELECT storage_key, byte_size, sha256 FROM attachment`);
  const files = new Set(await listFiles(storageDir));
  const missing: unknown[] = [];
  for (const row of rows) {
    if (!files.has(row.storage_key)) {
      missing.push({ storageKey: row.storage_key, problem: 'no file' });
      continue;
    }
    const bytes = await readFile(path.join(storageDir, ...row.storage_key.split('/')));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== row.byte_size || sha256 !== row.sha256) missing.push({ storageKey: row.storage_key, problem: 'bytes differ', size: bytes.length, expected: row.byte_size });
  }
  const named = new Set(rows.map((r) => r.storage_key));
  const stray = [...files].filter((key) => !named.has(key));
  return [
    { name: 'every attachment row has its file, byte for byte', violations: missing },
    { name: 'every stored file has an attachment row', violations: stray },
  ];
}

/** Every file under `dir`, as storage keys (relative, `/`-separated), hidden ones included. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, key)));
    else out.push(key);
  }
  return out;
}

/** The broken ones, for an assertion message that says what broke. */
export function broken(results: InvariantResult[]): InvariantResult[] {
  return results.filter((r) => r.violations.length > 0).map((r) => ({ name: r.name, violations: r.violations.slice(0, 5) }));
}
