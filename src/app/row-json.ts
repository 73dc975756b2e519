import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

// json_build_array takes at most 100 arguments.
const COLUMNS_PER_CALL = 100;
// Types JSON would turn into floats: they travel as text, as the pg driver gives them.
const EXACT_AS_TEXT = new Set(['bigint', 'int8', 'numeric', 'decimal']);
// Types JSON.parse already gives as TypeORM would (strings, numbers, booleans, objects).
const AS_PARSED = new Set(['uuid', 'varchar', 'character varying', 'char', 'character', 'text', 'int', 'integer', 'int4', 'smallint', 'boolean', 'bool', 'enum', 'jsonb', 'json']);
const TIMESTAMPS = new Set(['timestamptz', 'timestamp', 'timestamp with time zone', 'timestamp without time zone']);

/** One row as `RowJson.sql` packs it. */
export type PackedRow = unknown[];

/**
 * Whole entity rows packed into JSON by PostgreSQL, so that one statement can return an order
 * together with its items and invoices (see orders/order-read-model.ts) instead of one round
 * trip per relation and TypeORM's per-row hydration.
 *
 * `sql(alias)` is the row as a JSON array of every column, in metadata order (no keys: a page
 * of orders is a lot of JSON to parse, and keys were half of it). `read` turns it back into
 * the entity through the same driver conversions and column transformers TypeORM's own
 * hydration applies, so getters, transformers and field resolvers see the same object either
 * way. bigint and numeric are sent as text, so an amount never passes through a float;
 * timestamps as epoch milliseconds, truncated as the pg driver truncates microseconds.
 */
export class RowJson<T extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly columns: ColumnMetadata[];
  private readonly deferred: ColumnMetadata[];
  private readonly convert: ((value: unknown) => unknown)[];

  constructor(ds: DataSource, entity: EntityTarget<T>, options: RowJsonOptions<T> = {}) {
    this.metadata = ds.getMetadata(entity);
    const defer = new Set<string>((options.defer ?? []).map(String));
    this.columns = this.metadata.columns.filter((c) => !defer.has(c.propertyName));
    this.deferred = this.metadata.columns.filter((c) => defer.has(c.propertyName));
    if (this.deferred.length !== defer.size) throw new Error(`${this.metadata.name}: can only defer plain columns (${[...defer].join(', ')}).`);
    this.convert = this.columns.map((column) => {
      const type = String(column.type);
      const from = column.transformer && !Array.isArray(column.transformer) ? column.transformer : null;
      if (column.isArray || (column.transformer && !from)) return (v) => ds.driver.prepareHydratedValue(v, column);
      // The driver's conversions are the identity for these once JSON has parsed them; only
      // a column transformer (bigint ⇄ JS bigint) is left to apply.
      if (TIMESTAMPS.has(type)) return from ? (v) => from.from(v === null ? null : new Date(v as number)) : (v) => (v === null ? null : new Date(v as number));
      if (AS_PARSED.has(type) || EXACT_AS_TEXT.has(type)) return from ? (v) => from.from(v) : (v) => v;
      return (v) => ds.driver.prepareHydratedValue(v, column);
    });
  }

  /** The table, for FROM clauses. */
  get table(): string {
    return this.metadata.tablePath;
  }

  private readonly sqlByAlias = new Map<string, string>();

  /** A SQL expression: the row of `alias` as one JSON array. */
  sql(alias: string): string {
    let sql = this.sqlByAlias.get(alias);
    if (!sql) this.sqlByAlias.set(alias, (sql = this.build(alias)));
    return sql;
  }

  private build(alias: string): string {
    const values = this.columns.map((c) => {
      const ref = `${alias}."${c.databaseName}"`;
      const type = String(c.type);
      if (EXACT_AS_TEXT.has(type)) return `${ref}::text`;
      if (TIMESTAMPS.has(type)) return `floor(extract(epoch FROM ${ref}) * 1000)::bigint`;
      return ref;
    });
    const calls: string[] = [];
    for (let i = 0; i < values.length; i += COLUMNS_PER_CALL) calls.push(`jsonb_build_array(${values.slice(i, i + COLUMNS_PER_CALL).join(', ')})`);
    return calls.length === 1 ? calls[0].replace(/^jsonb/, 'json') : `(${calls.join(' || ')})::json`;
  }

  /** The entity, from JSON `sql()` produced (as `pg` parses it). */
  read(json: PackedRow): T {
    const entity = this.metadata.create(undefined, { fromDeserializer: true }) as T;
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i];
      // setEntityValue walks embedded objects (an order's delivery address); plain columns are set directly.
      if (column.embeddedMetadata) column.setEntityValue(entity, this.convert[i](json[i]));
      else (entity as ObjectLiteral)[column.propertyName] = this.convert[i](json[i]);
    }
    for (const column of this.deferred) notRead(entity, this.metadata.name, column.propertyName);
    return entity;
  }

  readAll(list: PackedRow[]): T[] {
    return list.map((json) => this.read(json));
  }
}

export interface RowJsonOptions<T> {
  /**
   * Columns left out (large ones a screen rarely shows, e.g. an invoice's lines on a page of
   * orders). Reading one from such an entity throws rather than giving undefined; `wasRead`
   * tells a field resolver to load it instead. Assigning one works as usual.
   */
  defer?: (keyof T & string)[];
}

/** Makes `property` throw on read until assigned: a left-out column is never mistaken for empty. */
function notRead(entity: ObjectLiteral, entityName: string, property: string): void {
  Object.defineProperty(entity, property, {
    configurable: true,
    enumerable: false,
    get() {
      throw new Error(`${entityName}.${property} was left out by this read (RowJson defer): load it before use.`);
    },
    set(value) {
      Object.defineProperty(this, property, { value, writable: true, enumerable: true, configurable: true });
    },
  });
}

/** False for a column a RowJson read left out (see `defer`). */
export function wasRead<T extends ObjectLiteral>(entity: T, property: keyof T & string): boolean {
  return Object.getOwnPropertyDescriptor(entity, property)?.get === undefined;
}

const readers = new WeakMap<DataSource, Map<EntityTarget<any>, Map<string, RowJson<any>>>>();

/** The RowJson of `entity` on this DataSource (made once per set of deferred columns). */
export function rowJson<T extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<T>, options: RowJsonOptions<T> = {}): RowJson<T> {
  let byEntity = readers.get(ds);
  if (!byEntity) readers.set(ds, (byEntity = new Map()));
  let byOptions = byEntity.get(entity);
  if (!byOptions) byEntity.set(entity, (byOptions = new Map()));
  const key = [...(options.defer ?? [])].sort().join(',');
  let reader = byOptions.get(key);
  if (!reader) byOptions.set(key, (reader = new RowJson(ds, entity, options)));
  return reader;
}
