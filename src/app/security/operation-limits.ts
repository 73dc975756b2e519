import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { RequestHandler } from 'express';
import { GraphQLError, Lexer, Source, TokenKind, type ValidationContext, type ValidationRule } from 'graphql';

export interface OperationLimits {
  GRAPHQL_MAX_DEPTH: number;
  GRAPHQL_MAX_ALIASES: number;
  GRAPHQL_MAX_DIRECTIVES: number;
  GRAPHQL_MAX_TOKENS: number;
}

/**
 * Depth, alias and directive limits: GraphQL Armor's validation rules. Apollo runs them once
 * per distinct query text (validated documents are cached), before any resolver. Armor's own
 * rejection words every refusal as a "Syntax Error"; ours says what was exceeded.
 */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  const refuse = (limit: string) => (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(
      new GraphQLError(`${error.message.replace(/^Syntax Error:\s*/, '')} Simplify the operation.`, {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit },
      }),
    );
  const armor = new ApolloArmor({
    maxDepth: { n: limits.GRAPHQL_MAX_DEPTH, ignoreIntrospection: true, propagateOnRejection: false, onReject: [refuse('depth')] },
    maxAliases: { n: limits.GRAPHQL_MAX_ALIASES, propagateOnRejection: false, onReject: [refuse('aliases')] },
    maxDirectives: { n: limits.GRAPHQL_MAX_DIRECTIVES, propagateOnRejection: false, onReject: [refuse('directives')] },
    // Done elsewhere: tokens before parsing (below), cost with the variables (query-cost.ts),
    // suggestions depending on who asks (viewer-policy.ts).
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  return armor.protect().validationRules;
}

/**
 * Counts the query's tokens before Apollo parses it (and before the request context reads
 * the caller's account), and refuses a query with more than `max`. Also refuses a batch (a
 * JSON array body) in words a client can act on.
 */
export function tokenLimit(max: number): RequestHandler {
  return (req, res, next) => {
    if (Array.isArray(req.body)) {
      return void res.status(400).json({
        errors: [{ message: 'Batched requests (a JSON array of operations) are not accepted: send one operation per request.', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
    const query = req.method === 'GET' ? req.query?.query : req.body?.query;
    // A token is at least one character long: a short query cannot be over the limit.
    if (typeof query !== 'string' || query.length <= max) return next();
    const tokens = countTokens(query, max);
    if (tokens <= max) return next();
    res.status(400).json({
      errors: [
        {
          message: `Token limit of ${max} exceeded. Simplify the operation.`,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'tokens' },
        },
      ],
    });
  };
}

/** Tokens up to `max + 1` (counting stops there); a lexical error is left for the parser to report. */
export function countTokens(query: string, max = Infinity): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) if (++count > max) break;
  } catch {
    /* the parser words syntax errors */
  }
  return count;
}

export interface VariableLimits {
  GRAPHQL_MAX_VARIABLE_DEPTH: number;
  GRAPHQL_MAX_VARIABLE_VALUES: number;
}

/**
 * Refuses variables (and extensions) nested deeper than `GRAPHQL_MAX_VARIABLE_DEPTH` lists or
 * objects, or holding more than `GRAPHQL_MAX_VARIABLE_VALUES` values, before Apollo or any
 * plugin reads them: every later step (the cost plugin's cache key, input coercion) walks them
 * recursively, and a 6 KB body nested 3,000 arrays deep overflowed the stack. The walk here is
 * iterative and stops at the first limit passed. JSON bodies, multipart `operations` (parsed
 * by graphql-upload before this runs) and GET `variables` are all checked.
 */
export function variableLimits(limits: VariableLimits): RequestHandler {
  const refuse = (res: Parameters<RequestHandler>[1], limit: string, message: string) =>
    void res.status(400).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT', limit } }] });
  return (req, res, next) => {
    for (const name of ['variables', 'extensions'] as const) {
      let value: unknown = req.method === 'GET' ? req.query?.[name] : req.body?.[name];
      if (typeof value === 'string' && req.method === 'GET') {
        try {
          value = JSON.parse(value);
        } catch {
          continue; // Apollo words malformed JSON
        }
      }
      const problem = measure(value, limits.GRAPHQL_MAX_VARIABLE_DEPTH, limits.GRAPHQL_MAX_VARIABLE_VALUES);
      if (problem === 'depth') {
        return refuse(res, 'variableDepth', `The request's ${name} are nested deeper than ${limits.GRAPHQL_MAX_VARIABLE_DEPTH} levels of lists and objects. Send flatter input.`);
      }
      if (problem === 'values') {
        return refuse(res, 'variableValues', `The request's ${name} hold more than ${limits.GRAPHQL_MAX_VARIABLE_VALUES} values. Send less per request.`);
      }
    }
    next();
  };
}

/**
 * Walks a parsed JSON value without recursion. Depth counts the lists and objects inside each
 * variable (`{"id": "x"}` is 0, `{"input": {"items": [{}]}}` is 3); every value counts once.
 */
export function measure(root: unknown, maxDepth: number, maxValues: number): 'depth' | 'values' | null {
  if (typeof root !== 'object' || root === null) return null;
  const stack: [unknown, number][] = Object.values(root).map((v) => [v, 0]);
  let values = stack.length;
  if (values > maxValues) return 'values';
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > maxDepth) return 'depth';
    const children = Array.isArray(value) ? value : Object.values(value);
    values += children.length;
    if (values > maxValues) return 'values';
    for (const child of children) stack.push([child, depth + 1]);
  }
  return null;
}
