import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { preparedQuery } from './data-source';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../common/pagination';

/**
 * Request-scoped DataLoaders, created on first use. Every field that loads related rows goes
 * through one, so a list of N orders costs a fixed number of SQL statements, not N.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  get<K, V>(name: string, batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
    let loader = this.loaders.get(name) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { maxBatchSize: 500 });
      this.loaders.set(name, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

/** Groups rows by a key in the order of `keys` (for one-to-many loaders). */
export function groupBy<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>(keys.map((k) => [k, []]));
  for (const row of rows) map.get(keyOf(row))?.push(row);
  return keys.map((k) => map.get(k)!);
}

/**
 * The same page of several parents' children in one statement (a list of orders, each with its
 * messages or timeline): each parent's first `first + 1` rows after the cursor, oldest first,
 * numbered per parent with a window function. `key` is the column the rows are ordered and
 * paged by (a growing sequence). `select` is the select list over the child row `r` (see
 * RowJson) and `read` turns a result row into what the page holds.
 */
export async function pagesPerParent<R>(
  ds: DataSource,
  spec: {
    table: string;
    parent: string;
    key: string;
    select: string;
    read: (row: any) => R; // any: a raw result row, shaped by `select`
    parentIds: readonly string[];
    first: number | undefined;
    after: string | null | undefined;
    parentOf: (child: R) => string;
    keyOf: (child: R) => string;
  },
): Promise<ConnectionShape<R>[]> {
  const size = pageSize(spec.first);
  const cursor = decodeCursor(spec.after, 1);
  const rows: unknown[] = await preparedQuery(
    ds,
    `SELECT ${spec.select} FROM (
       SELECT w.*, row_number() OVER (PARTITION BY w.${spec.parent} ORDER BY w.${spec.key}) AS rn FROM ${spec.table} w
        WHERE w.${spec.parent} = ANY($1)${cursor ? ` AND w.${spec.key} > $3` : ''}) r
      WHERE r.rn <= $2 ORDER BY r.${spec.key}`,
    [[...spec.parentIds], size + 1, ...(cursor ? [String(cursor[0])] : [])],
  );
  return groupBy(spec.parentIds, rows.map(spec.read), spec.parentOf).map((children) => toConnection(children, size, (child) => [spec.keyOf(child)]));
}
