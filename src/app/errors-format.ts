import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../common/errors';
import { pgCode } from '../common/transaction';

/**
 * PostgreSQL stopping a statement at one of our limits (docs/hardening.md, "Timeouts"): lock
 * wait (55P03), statement time (57014), no connection slot (53300). Not a bug but load: the
 * transaction was rolled back, and the same request may simply be sent again.
 */
const BUSY_PG_CODES = new Set(['55P03', '57014', '53300']);

/** Is this error PostgreSQL giving up under load (a retryable SERVICE_BUSY, not a bug)? */
export function isBusy(error: unknown): boolean {
  const code = pgCode(error);
  return code !== undefined && BUSY_PG_CODES.has(code);
}

/** Codes whose message is written for the client and may be shown as is. */
const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_FOUND',
  'RATE_LIMITED',
  'TOO_MANY_SUBSCRIPTIONS',
]);

/**
 * Everything else is a bug: the client gets a fixed message (no SQL, table names or stack);
 * the original goes to the log through the `logErrors` plugin.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // A business refusal raised by a query (mutations return theirs as userErrors).
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    const [first] = original.errors;
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT', reason: first.code, field: first.field },
    };
  }
  if (isBusy(original)) {
    return {
      message: 'The service is busy: this request was stopped and what it was changing was rolled back. Send it again in a moment.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'SERVICE_BUSY' },
    };
  }
  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (CLIENT_CODES.has(code)) {
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error. The problem was logged; quote the request id when reporting it.',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

export function isClientCode(code: unknown): boolean {
  return CLIENT_CODES.has(String(code));
}
