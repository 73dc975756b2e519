import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ATTACHMENT_MAX_BYTES, REQUEST_MAX_FILES } from './attachment-limits';
import { refuseAfterDrain } from '../../app/security/drain';
import { graphqlUploadExpress } from './graphql-upload';

// Apollo's csrfPrevention accepts a "simple" request (one a browser sends cross-site without
// a CORS preflight, multipart included) only with one of these headers set.
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];

/**
 * Multipart GraphQL requests (the file uploads of the GraphQL multipart request spec), for
 * the /graphql route between the JSON body parser and Apollo:
 * 1. refuse a multipart request without a preflight header *before reading its body*.
 *    Apollo's own CSRF check would refuse it too, but only after graphql-upload has parsed
 *    it and spooled its files to temporary storage: a cross-site form could make a signed-in
 *    browser upload into our server. Same header rule as Apollo, so clients see one rule.
 * 2. parse it with graphql-upload. Its per-file cut-off is one byte above our limit because
 *    it refuses a file of exactly `maxFileSize`; `storeUploads` checks the exact count. Its
 *    file count is the largest any purpose allows (10 inspection photos); `storeUploads`
 *    holds each purpose to its own (3 for a message) before reading any file.
 * 3. word graphql-upload's refusals (http-errors, passed on to the JSON error handler).
 */
export function uploadMiddleware(): Array<RequestHandler | ErrorRequestHandler> {
  const requirePreflight: RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    if (PREFLIGHT_HEADERS.some((h) => (req.get(h) ?? '').length > 0)) return next();
    // Answer at once, without reading the body; then linger so the client can read why (security/drain.ts).
    refuseAfterDrain(req, res, () => res.status(400).json({
      errors: [
        {
          message:
            'This multipart request was refused as a possible cross-site request forgery: ' +
            'send file uploads with a non-empty `Apollo-Require-Preflight` header.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    }));
  };
  const parse = graphqlUploadExpress({ maxFileSize: ATTACHMENT_MAX_BYTES + 1, maxFiles: REQUEST_MAX_FILES });
  const explain: ErrorRequestHandler = (error, _req, _res, next) => {
    const message = String(error?.message ?? '');
    if (error?.status === 413 && /max file uploads exceeded/.test(message)) {
      error.message = `Too many files: attach at most ${REQUEST_MAX_FILES} files per request.`;
    }
    next(error);
  };
  return [requirePreflight, parse, explain];
}
