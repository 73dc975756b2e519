import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, getNullableType, GraphQLError, isLeafType, isListType, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * What an operation may make the server do, estimated before anything runs. An object field
 * costs 1 plus what is selected inside it; a scalar costs nothing. A connection multiplies
 * what it selects by its `first` (at most 100, src/common/pagination.ts); a plain list (items,
 * attachments, invoice lines) has no page size, so it multiplies by a fixed weight. Nested
 * lists multiply: orders(first: 100) { messages(first: 100) } costs 10,000 × a message.
 * Introspection is free here: its size is the schema's, not the data's.
 */
export function costEstimator(listWeight: number): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    if (field.name.startsWith('__')) return 0;
    const own = isLeafType(getNamedType(field.type)) ? 0 : 1;
    if (typeof args.first === 'number' && getNamedType(field.type).name.endsWith('Connection')) {
      return own + Math.max(0, args.first) * childComplexity;
    }
    if (isListType(getNullableType(field.type))) return own + listWeight * childComplexity;
    return own + childComplexity;
  };
}

export function operationCost(schema: GraphQLSchema, document: DocumentNode, listWeight: number, variables?: Record<string, unknown>, operationName?: string | null): number {
  return getComplexity({ schema, query: document, variables, operationName: operationName ?? undefined, estimators: [costEstimator(listWeight)] });
}

/**
 * Refuses an operation whose cost is over `maxCost`. It runs once the operation is known
 * (the cost depends on the variables, e.g. `first: $n`), before any resolver: nothing is read.
 */
export function queryCostPlugin(maxCost: number, listWeight: number): ApolloServerPlugin {
  // Apollo hands the same document object to every request with the same query text; the
  // cost depends on it and on the variables that are numbers (`first`) or booleans (@include).
  const known = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          const key = `${operationName ?? ''}:${JSON.stringify(request.variables ?? {}, (k, v) => (k === '' || typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'object' && v !== null) ? v : undefined))}`;
          let costs = known.get(document);
          let cost = costs?.get(key);
          if (cost === undefined) {
            try {
              cost = operationCost(schema, document, listWeight, request.variables, operationName);
            } catch (error) {
              // Fragments spread over and over: more nodes than any real client query has.
              if (/maximum allowed number of nodes/.test(String((error as Error)?.message))) cost = Infinity;
              // Variables that do not fit the operation: execution refuses them with its own error.
              else return;
            }
            if (!costs) known.set(document, (costs = new Map()));
            if (costs.size < 100) costs.set(key, cost);
          }
          if (cost > maxCost) {
            const estimate = Number.isFinite(cost) ? `its estimated cost is ${cost}` : 'it has too many fields';
            throw new GraphQLError(
              `This operation is too expensive: ${estimate}, the limit is ${maxCost}. Ask for smaller pages (first) or fewer nested lists.`,
              { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', cost: Number.isFinite(cost) ? cost : null, maxCost, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
