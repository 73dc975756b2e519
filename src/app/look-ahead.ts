import { GraphQLInt, GraphQLString, Kind, valueFromAST, type FieldNode, type GraphQLResolveInfo } from 'graphql';
import { decodeCursor, DEFAULT_PAGE, pageSize } from '../common/pagination';

/** A page of a connection field as the query asks for it, checked. */
export interface RequestedPage {
  first: number;
  after: string | null;
  /** The key inside `after` (null for the first page). */
  afterKey: string | null;
}

/**
 * The page a connection field directly under the current one is asked for, so that the parent
 * can read it in its own statement (the order and its thread: one round trip, not two). Only
 * when the query names the field once, plainly (no fragment, alias clash or directive) and its
 * page arguments are valid; otherwise null, and the field loads its page itself as usual —
 * with the usual errors for bad arguments.
 */
export function requestedPage(info: GraphQLResolveInfo, field: string, cursorArity = 1): RequestedPage | null {
  const selections = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
  if (selections.some((s) => s.kind !== Kind.FIELD)) return null;
  const matches = (selections as FieldNode[]).filter((s) => s.name.value === field);
  if (matches.length !== 1 || matches[0].directives?.length) return null;
  let first: unknown = DEFAULT_PAGE;
  let after: unknown = null;
  for (const argument of matches[0].arguments ?? []) {
    if (argument.name.value === 'first') first = valueFromAST(argument.value, GraphQLInt, info.variableValues);
    else if (argument.name.value === 'after') after = valueFromAST(argument.value, GraphQLString, info.variableValues) ?? null;
    else return null;
  }
  if (typeof first !== 'number' || (after !== null && typeof after !== 'string')) return null;
  try {
    const key = decodeCursor(after, cursorArity);
    return { first: pageSize(first), after, afterKey: key ? String(key[0]) : null };
  } catch {
    return null;
  }
}
