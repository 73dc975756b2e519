import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, NoSchemaIntrospectionCustomRule, validate, type DocumentNode } from 'graphql';
import { isStaff } from '../auth-checker';
import type { Context } from '../context';

/**
 * In production, only staff may read the schema: customers' apps and anonymous callers get
 * no introspection and no "Did you mean …" hints (a way to list fields one typo at a time).
 * Staff keep both, so the Playground's docs and autocompletion work once their token is in
 * its HTTP HEADERS. Apollo's own `introspection` switch is one flag for everyone, so it stays
 * on and the rule is applied here, per request, knowing the viewer.
 */
export function viewerPolicyPlugin(production: boolean): ApolloServerPlugin<Context> {
  if (!production) return {};
  // Apollo hands the same document object to every request with the same query text.
  const introspects = new WeakMap<DocumentNode, boolean>();
  return {
    async requestDidStart({ contextValue }) {
      if (isStaff(contextValue.viewer)) return;
      return {
        async didResolveOperation({ schema, document }) {
          let found = introspects.get(document);
          if (found === undefined) {
            found = validate(schema, document, [NoSchemaIntrospectionCustomRule]).length > 0;
            introspects.set(document, found);
          }
          if (found) {
            throw new GraphQLError('Introspection is available to staff only. Staff: send your bearer token (in the Playground, under HTTP HEADERS).', {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
          }
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) error.message = withoutSuggestions(error.message);
        },
      };
    },
  };
}

/** `Cannot query field "totl" on type "Invoice". Did you mean "total"?` → without the hint. */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}
