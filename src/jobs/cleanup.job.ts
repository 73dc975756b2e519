import type { App } from '../app/app';
import { addDays } from '../common/clock';

/**
 * What crashes and time leave behind, removed once a day old: stored files with no attachment
 * row (a process killed between storing the bytes and the commit), temporary and spool files
 * of interrupted writes, idempotency keys past their replay window, ended or expired
 * password-reset links. A file is only removed when no row names it, checked just before the
 * delete; a day is far longer than any upload transaction. Returns how many things it removed.
 */
export async function cleanUp(app: App, now: Date): Promise<number> {
  const dayAgo = addDays(now, -1);
  let removed = await app.storage.sweepTemporary(dayAgo);
  for await (const keys of app.storage.listOlderThan(dayAgo)) {
    const rows: { storage_key: string }[] = await app.ds.query(`SELECT storage_key FROM attachment WHERE storage_key = ANY($1)`, [keys]);
    const kept = new Set(rows.map((r) => r.storage_key));
    for (const key of keys) {
      if (kept.has(key)) continue;
      await app.storage.delete(key);
      removed++;
    }
  }
  const [, keys] = await app.ds.query(`DELETE FROM idempotency_key WHERE created_at < $1`, [addDays(now, -IDEMPOTENCY_KEY_DAYS)]);
  const [, tokens] = await app.ds.query(`DELETE FROM password_reset_token WHERE (ended_at IS NOT NULL OR expires_at < $1) AND created_at < $2`, [now, dayAgo]);
  return removed + Number(keys ?? 0) + Number(tokens ?? 0);
}

/** How long a money mutation's idempotency key replays its first result (docs/deposits.md). */
export const IDEMPOTENCY_KEY_DAYS = 30;
