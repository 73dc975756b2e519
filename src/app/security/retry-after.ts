import type { ApolloServerPlugin } from '@apollo/server';

/**
 * A response carrying a RATE_LIMITED error also says when to come back in the standard
 * `Retry-After` header (the longest wait of its errors), for HTTP clients and proxies that
 * read headers and not GraphQL errors. The status stays 200: the body is a GraphQL result.
 */
export function retryAfterPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const waits = (response.body.singleResult.errors ?? [])
            .filter((e) => e.extensions?.code === 'RATE_LIMITED')
            .map((e) => Number(e.extensions?.retryAfter))
            .filter((n) => Number.isFinite(n));
          if (waits.length) response.http.headers.set('retry-after', String(Math.max(...waits)));
        },
      };
    },
  };
}
