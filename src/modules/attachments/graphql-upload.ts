import type { RequestHandler } from 'express';
import type { GraphQLScalarType } from 'graphql';
import type { IncomingMessage, ServerResponse } from 'node:http';

// graphql-upload 17 is ESM-only and typed by JSDoc in its .mjs files. An `import` would make
// TypeScript load and check those files (they carry `// @ts-check`) through imports our
// tsconfig does not follow (maxNodeModuleJsDepth 1), which fails the build. A plain require()
// is not resolved by TypeScript; Node ≥ 20.19 loads ES modules with it, and Jest transforms
// the package (ESM_PACKAGES in jest.config.js). The types below cover what we use.

interface UploadLimits {
  maxFieldSize?: number;
  maxFileSize?: number;
  maxFiles?: number;
}

/** The `Upload` scalar of the GraphQL multipart request spec. */
export const GraphQLUploadScalar: GraphQLScalarType = require('graphql-upload/GraphQLUpload.mjs').default;

/** Express middleware that parses multipart GraphQL requests into `req.body`. */
export const graphqlUploadExpress: (options?: UploadLimits) => RequestHandler =
  require('graphql-upload/graphqlUploadExpress.mjs').default;

/** The parser behind the middleware; resolves to the operations with `Upload` values in them. */
export const processRequest: (request: IncomingMessage, response: ServerResponse, options?: UploadLimits) => Promise<unknown> =
  require('graphql-upload/processRequest.mjs').default;
