import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  execute, getNamedType, getVariableValues, GraphQLError, isInputObjectType, isNonNullType, typeFromAST,
  type DocumentNode, type ExecutionResult, type GraphQLInputType, type GraphQLSchema, type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Context } from './context';

type Gateway = ApolloServerOptionsWithGateway<Context>['gateway'];
type Plan = CompiledQuery | ExecutionResult | 'interpret';

/**
 * Runs queries with graphql-jit instead of graphql-js's interpreter: each query is compiled
 * once into a JavaScript function for its exact selection, which removes most of the per-field
 * work (argument maps, path records, promise bookkeeping) of screens that resolve thousands of
 * fields — the largest share of an order-detail or order-list request (docs/benchmarks.md).
 *
 * Mutations (one object each; uploads) stay with graphql-js, as does any query whose
 * variables include an input object with a required field that has a default: graphql-jit
 * 0.8 refuses to apply such defaults (`useDeposit: Boolean! = true`), where the spec fills them.
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
      plan = operation.operation === 'query' && jitCoercesVariables(schema, operation) ? compileQuery(schema, document, operationName ?? undefined) : 'interpret';
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
          if (plan === 'interpret') return execute({ schema, document, operationName, variableValues: request.variables, contextValue: context });
          if (!isCompiledQuery(plan)) return plan;
          // graphql-js judges the variables first, so bad ones get its errors, which Apollo
          // answers as BAD_USER_INPUT (graphql-jit's lack the variable's AST node).
          const checked = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (checked.errors) return { errors: checked.errors };
          const result = await plan.query(undefined, context, request.variables ?? {});
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

/** False when a variable's input type holds a required field with a default (see above). */
function jitCoercesVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  const seen = new Set<string>();
  const safe = (type: GraphQLInputType): boolean => {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || seen.has(named.name)) return true;
    seen.add(named.name);
    return Object.values(named.getFields()).every((field) => !(isNonNullType(field.type) && field.defaultValue !== undefined) && safe(field.type));
  };
  return (operation.variableDefinitions ?? []).every((definition) => {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    return type === undefined || safe(type);
  });
}
