import { Max, Min } from 'class-validator';
import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { DomainError, UserErrorCode } from './errors';

export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE, description: `At most ${MAX_PAGE}.` })
  @Min(1)
  @Max(MAX_PAGE)
  first: number = DEFAULT_PAGE;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

@ObjectType({ description: 'Where a page of a connection ends.' })
export class PageInfo {
  @Field({ description: 'Whether more items follow: ask for them with `after: endCursor`.' })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the last item of this page; null when the page is empty.' })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount?: number;
}

/** A Relay connection type for `Node`, named `<Node>Connection` / `<Node>Edge`. */
export function Connection<T extends object>(Node: ClassType<T>, name = Node.name) {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque position of this item: pass it as `after` to read on from here.' })
    cursor: string;

    @Field(() => Node, { description: `The ${name}.` })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (Relay connection: \`first\`, \`after\`).` })
  class ConnectionType {
    @Field(() => [EdgeType], { description: 'The items of this page, each with its cursor.' })
    edges: EdgeType[];

    @Field(() => [Node], { description: 'The nodes of `edges`, for clients that need no cursors.' })
    nodes: T[];

    @Field(() => PageInfo, { description: 'Whether more items follow, and the cursor to ask for them.' })
    pageInfo: PageInfo;
  }
  return ConnectionType;
}

/** Checks `first` (1..100) for resolvers whose args are not validated by type-graphql. */
export function pageSize(first: number | undefined): number {
  const n = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw new DomainError(UserErrorCode.INVALID, `first must be between 1 and ${MAX_PAGE}.`, ['first']);
  }
  return n;
}

export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key inside a cursor made by `encodeCursor`, or an INVALID userError for a tampered one. */
export function decodeCursor(cursor: string | null | undefined, arity: number): (string | number)[] | null {
  if (!cursor) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string' || typeof k === 'number')) return key;
  } catch {
    /* fall through */
  }
  throw new DomainError(UserErrorCode.INVALID, 'The cursor is not one this API gave out.', ['after']);
}

/**
 * Builds a page from rows fetched with LIMIT first + 1 (the extra row only says whether a
 * next page exists).
 */
export function toConnection<T>(rows: T[], first: number, keyOf: (row: T) => (string | number)[]): ConnectionShape<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(keyOf(node)) }));
  return {
    edges,
    nodes: page,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
