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
