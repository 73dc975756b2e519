import DataLoader from 'dataloader';
import type { ObjectLiteral, Repository } from 'typeorm';
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
 * paged by (a growing sequence).
 */
export async function pagesPerParent<T extends ObjectLiteral>(
  repo: Repository<T>,
  spec: { parent: string; key: string; parentIds: readonly string[]; first: number | undefined; after: string | null | undefined; parentOf: (row: T) => string; keyOf: (row: T) => string },
): Promise<ConnectionShape<T>[]> {
  const size = pageSize(spec.first);
  const cursor = decodeCursor(spec.after, 1);
  const table = repo.metadata.tableName;
  const rows = await repo
    .createQueryBuilder('r')
    .where(
      `r.id IN (SELECT ranked.id FROM (
         SELECT w.id, row_number() OVER (PARTITION BY w.${spec.parent} ORDER BY w.${spec.key}) AS rn FROM ${table} w
          WHERE w.${spec.parent} = ANY(:parentIds)${cursor ? ` AND w.${spec.key} > :after` : ''}) ranked
        WHERE ranked.rn <= :limit)`,
      { parentIds: [...spec.parentIds], limit: size + 1, ...(cursor ? { after: String(cursor[0]) } : {}) },
    )
    .orderBy(`r.${spec.key}`, 'ASC')
    .getMany();
  return groupBy(spec.parentIds, rows, spec.parentOf).map((children) => toConnection(children, size, (row) => [spec.keyOf(row)]));
}
