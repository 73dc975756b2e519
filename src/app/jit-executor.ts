import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Context } from './context';

type Gateway = ApolloServerOptionsWithGateway<Context>['gateway'];
type Plan = CompiledQuery | ExecutionResult | 'interpret';

/** A subscription POSTed over HTTP: its resolvers expect the events of a WebSocket subscription (docs/subscriptions.md). */
const SUBSCRIPTION_OVER_HTTP = new GraphQLError(
  'Subscriptions are served over WebSocket on this same path (protocol graphql-transport-ws, or graphql-ws for GraphQL Playground), not over HTTP.',
  { extensions: { code: 'BAD_REQUEST' } },
);

/**
 * Runs queries with graphql-jit instead of graphql-js's interpreter: each query is compiled
 * once into a JavaScript function for its exact selection, which removes most of the per-field
 * work (argument maps, path records, promise bookkeeping) of screens that resolve thousands of
 * fields — the largest share of an order-detail or order-list request (docs/benchmarks.md).
 *
 * Mutations (one object each; uploads) stay with graphql-js; a subscription sent over HTTP is
 * answered with an error (they run over WebSocket, src/app/websocket). So does any query whose variables
 * graphql-jit refuses: graphql-js then decides, with its errors (which Apollo answers as
 * BAD_USER_INPUT; graphql-jit's lack the variable's AST node) or by running the query where
 * graphql-jit 0.8 was wrong to refuse — it does not fill the default of a required input
 * field (`useDeposit: Boolean! = true`), as the spec does.
 *
 * Apollo Server has one supported seam for its executor: a "gateway" that hands it the schema
 * and an executor. Everything else stays Apollo's: parsing, validation (our operation limits),
 * the document cache, plugins, error formatting and the HTTP layer. Plans are kept per parsed
 * document, which Apollo itself caches per query text.
 */
export function jitExecution(schema: GraphQLSchema): Gateway {
  const plans = new WeakMap<DocumentNode, Map<string, Plan>>();

  function planFor(document: DocumentNode, operation: OperationDefinitionNode, operationName: string | null): Plan {
    let byOperation = plans.get(document);
    if (!byOperation) plans.set(document, (byOperation = new Map()));
    let plan = byOperation.get(operationName ?? '');
    if (!plan) {
      plan =
        operation.operation === 'query'
          ? compileQuery(schema, document, operationName ?? undefined)
          : operation.operation === 'subscription'
            ? { errors: [SUBSCRIPTION_OVER_HTTP] }
            : 'interpret';
      byOperation.set(operationName ?? '', plan);
    }
    return plan;
  }

  return {
    async load() {
      return {
        schema,
        executor: async ({ document, operation, operationName, request, context }) => {
          const plan = planFor(document, operation, operationName);
          const interpret = () => execute({ schema, document, operationName, variableValues: request.variables, contextValue: context });
          if (plan === 'interpret') return interpret();
          if (!isCompiledQuery(plan)) return plan;
          const result = await plan.query(undefined, context, request.variables ?? {});
          if (!('data' in result)) return interpret(); // the variables were refused: see above
          return result.errors ? { ...result, errors: result.errors.map(asGraphqlJsError) } : result;
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors lack the `extensions` object graphql-js always sets, which Apollo's error
 * formatting relies on; rebuilt as graphql-js errors they keep message, locations, path and
 * the resolver's original error (so DomainErrors still become BAD_USER_INPUT).
 */
function asGraphqlJsError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  return Object.assign(rebuilt, { locations: error.locations });
}
