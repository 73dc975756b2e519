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

/** Where a lazily read entity keeps its packed row, and the values converted from it so far. */
const ROW = Symbol('packed row');
const CONVERTED = Symbol('converted values');
/** Marks the getter of a deferred column (see `wasRead`). */
const DEFERRED = Symbol('deferred column');

/**
 * Whole entity rows packed into JSON by PostgreSQL, so that one statement can return an order
 * together with its items and invoices (see orders/order-read-model.ts) instead of one round
 * trip per relation and TypeORM's per-row hydration.
 *
 * `sql(alias)` is the row as a JSON array of every column, in metadata order (no keys: a page
 * of orders is a lot of JSON to parse, and keys were half of it). bigint and numeric are sent
 * as text, so an amount never passes through a float; timestamps as epoch milliseconds,
 * truncated as the pg driver truncates microseconds.
 *
 * `read` gives an instance of the entity class whose columns are read from the packed row on
 * first use, through the same driver conversions and column transformers TypeORM's hydration
 * applies (a page of orders shows a handful of its ~40 columns; converting all of them, dates
 * above all, was most of the cost of reading it). A value, once read or assigned, is an
 * ordinary own property. These entities are for reading: services load their own in the
 * transaction that changes them.
 */
export class RowJson<T extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly columns: ColumnMetadata[];
  /** The entity's prototype, under one that reads the columns from the packed row. */
  private readonly proto: object;

  constructor(ds: DataSource, entity: EntityTarget<T>, options: RowJsonOptions<T> = {}) {
    this.metadata = ds.getMetadata(entity);
    const defer = new Set<string>((options.defer ?? []).map(String));
    this.columns = this.metadata.columns.filter((c) => !defer.has(c.propertyName));
    const deferred = this.metadata.columns.filter((c) => defer.has(c.propertyName));
    if (deferred.length !== defer.size || deferred.some((c) => c.embeddedMetadata)) {
      throw new Error(`${this.metadata.name}: can only defer plain columns (${[...defer].join(', ')}).`);
    }
    const target = this.metadata.target;
    if (typeof target !== 'function') throw new Error(`${this.metadata.name}: RowJson needs an entity class.`);
    this.proto = Object.create(target.prototype);

    // Embedded objects (an order's delivery address) are built whole on first use.
    const embedded = new Map<string, { create: () => ObjectLiteral; parts: { property: string; index: number; convert: Convert | null }[] }>();
    this.columns.forEach((column, index) => {
      const convert = converter(ds, column);
      const owner = column.embeddedMetadata;
      if (!owner) return defineColumn(this.proto, column.propertyName, convert ? (row) => convert(row[index]) : null, index, this.columns.length);
      if (owner.parentEmbeddedMetadata) throw new Error(`${this.metadata.name}: nested embedded columns are not supported.`);
      if (!embedded.has(owner.propertyName)) embedded.set(owner.propertyName, { create: () => owner.create(), parts: [] });
      embedded.get(owner.propertyName)!.parts.push({ property: column.propertyName, index, convert });
    });
    let slot = this.columns.length;
    for (const [name, { create, parts }] of embedded) {
      const read = (row: PackedRow) => {
        const value = create();
        for (const part of parts) value[part.property] = part.convert ? part.convert(row[part.index]) : row[part.index];
        return value;
      };
      defineColumn(this.proto, name, read, slot++, this.columns.length + embedded.size);
    }
    for (const column of deferred) {
      const message = `${this.metadata.name}.${column.propertyName} was left out by this read (RowJson defer): load it before use.`;
      const get = Object.assign(() => {
        throw new Error(message);
      }, { [DEFERRED]: true });
      Object.defineProperty(this.proto, column.propertyName, { configurable: true, get, set: setOwn(column.propertyName) });
    }
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
    const entity = Object.create(this.proto);
    entity[ROW] = json;
    entity[CONVERTED] = null;
    return entity;
  }

  readAll(list: PackedRow[]): T[] {
    return list.map((json) => this.read(json));
  }
}

/** How a column's JSON value becomes the entity's value; null where it is used as parsed. */
type Convert = (value: unknown) => unknown;

function converter(ds: DataSource, column: ColumnMetadata): Convert | null {
  const type = String(column.type);
  const from = column.transformer && !Array.isArray(column.transformer) ? column.transformer : null;
  if (column.isArray || (column.transformer && !from)) return (v) => ds.driver.prepareHydratedValue(v, column);
  // The driver's conversions are the identity for these once JSON has parsed them; only a
  // column transformer (bigint ⇄ JS bigint) is left to apply.
  if (TIMESTAMPS.has(type)) return from ? (v) => from.from(v === null ? null : new Date(v as number)) : (v) => (v === null ? null : new Date(v as number));
  if (AS_PARSED.has(type) || EXACT_AS_TEXT.has(type)) return from ? (v) => from.from(v) : null;
  return (v) => ds.driver.prepareHydratedValue(v, column);
}

function setOwn(property: string) {
  return function (this: object, value: unknown) {
    Object.defineProperty(this, property, { value, writable: true, enumerable: true, configurable: true });
  };
}

type Lazy = { [ROW]: PackedRow; [CONVERTED]: unknown[] | null };

/**
 * A column read from the packed row: as parsed (`read` null, `index` its place in the row), or
 * converted once into slot `index` of the converted values (a date is one Date, whoever asks).
 * Assigning makes it an ordinary own property.
 */
function defineColumn(proto: object, property: string, read: ((row: PackedRow) => unknown) | null, index: number, slots: number): void {
  Object.defineProperty(proto, property, {
    configurable: true,
    get: read
      ? function (this: Lazy) {
          const converted = (this[CONVERTED] ??= new Array(slots));
          const value = converted[index];
          return value !== undefined ? value : (converted[index] = read(this[ROW]));
        }
      : function (this: Lazy) {
          return this[ROW][index];
        },
    set: setOwn(property),
  });
}

export interface RowJsonOptions<T> {
  /**
   * Columns left out (large ones a screen rarely shows, e.g. an invoice's lines on a page of
   * orders). Reading one from such an entity throws rather than giving undefined; `wasRead`
   * tells a field resolver to load it instead. Assigning one works as usual.
   */
  defer?: (keyof T & string)[];
}

/** False for a column a RowJson read left out (see `defer`) and nobody has assigned since. */
export function wasRead<T extends ObjectLiteral>(entity: T, property: keyof T & string): boolean {
  for (let o: object | null = entity; o; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, property);
    if (descriptor) return !(descriptor.get && DEFERRED in descriptor.get);
  }
  return true;
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
