import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

// json_build_object takes at most 100 arguments: 50 columns per call.
const COLUMNS_PER_CALL = 50;
// Types JSON would turn into floats: they travel as text, as the pg driver gives them.
const EXACT_AS_TEXT = new Set(['bigint', 'int8', 'numeric', 'decimal']);

/**
 * Whole entity rows packed into JSON by PostgreSQL, so that one statement can return an order
 * together with its items and invoices (see orders/order-read-model.ts) instead of one round
 * trip per relation and TypeORM's per-row hydration.
 *
 * `sql(alias)` is the JSON of every column keyed by its database name; `read` turns it back
 * into the entity through the same driver conversions and column transformers TypeORM's own
 * hydration applies, so getters, transformers and field resolvers see the same object either
 * way. bigint and numeric are sent as text: an amount never passes through a float.
 */
export class RowJson<T extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly columns: ColumnMetadata[];

  constructor(
    private readonly ds: DataSource,
    entity: EntityTarget<T>,
  ) {
    this.metadata = ds.getMetadata(entity);
    this.columns = this.metadata.columns;
  }

  /** The table, for FROM clauses. */
  get table(): string {
    return this.metadata.tablePath;
  }

  private readonly sqlByAlias = new Map<string, string>();

  /** A SQL expression: the row of `alias` as one JSON object. */
  sql(alias: string): string {
    let sql = this.sqlByAlias.get(alias);
    if (!sql) this.sqlByAlias.set(alias, (sql = this.build(alias)));
    return sql;
  }

  private build(alias: string): string {
    const pairs = this.columns.map((c) => {
      const ref = `${alias}."${c.databaseName}"`;
      return `'${c.databaseName}', ${EXACT_AS_TEXT.has(String(c.type)) ? `${ref}::text` : ref}`;
    });
    const calls: string[] = [];
    for (let i = 0; i < pairs.length; i += COLUMNS_PER_CALL) calls.push(`jsonb_build_object(${pairs.slice(i, i + COLUMNS_PER_CALL).join(', ')})`);
    return calls.length === 1 ? calls[0].replace(/^jsonb/, 'json') : `(${calls.join(' || ')})::json`;
  }

  /** The entity, from JSON `sql()` produced (as `pg` parses it). */
  read(json: Record<string, unknown>): T {
    const entity = this.metadata.create(undefined, { fromDeserializer: true }) as T;
    for (const column of this.columns) column.setEntityValue(entity, this.ds.driver.prepareHydratedValue(json[column.databaseName], column));
    return entity;
  }

  readAll(list: Record<string, unknown>[]): T[] {
    return list.map((json) => this.read(json));
  }
}

const readers = new WeakMap<DataSource, Map<EntityTarget<any>, RowJson<any>>>();

/** The RowJson of `entity` on this DataSource (made once). */
export function rowJson<T extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<T>): RowJson<T> {
  let byEntity = readers.get(ds);
  if (!byEntity) readers.set(ds, (byEntity = new Map()));
  let reader = byEntity.get(entity);
  if (!reader) byEntity.set(entity, (reader = new RowJson(ds, entity)));
  return reader;
}
