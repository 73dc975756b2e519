import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every response (helmet). The gateway answers JSON, attachment bytes
 * and two HTML pages; the default policy lets a response load nothing and be framed by
 * nobody. The Playground page gets its own, looser policy (`playgroundSecurityPolicy`);
 * the payment simulator's page sets its own.
 */
export function securityHeaders(): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    // Same site: the customers' web app (e.g. www.) may show attachment images from the API host (api.).
    crossOriginResourcePolicy: { policy: 'same-site' },
    // The API is called cross-origin by its clients (CORS decides who); no opener isolation to break.
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  return headers;
}

/**
 * The Playground page runs its bundled script (served by the gateway itself), two inline
 * scripts of its template (start-up and our autocomplete fix) and styled-components' inline
 * styles; it calls /graphql (and graphql-ws) on the same origin. Inline scripts are allowed
 * by their hashes, computed from the page actually served (see playground.ts), not by
 * 'unsafe-inline'.
 */
export function playgroundPolicy(scriptHashes: string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${scriptHashes.map((h) => `'${h}'`).join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Apollo's own rule for when a GET of /graphql gets the landing page rather than JSON. */
export function wantsLandingPage(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html']) === 'text/html';
}

/** JSON bodies up to `limitBytes`; a larger one is refused with 413 before it is read whole. */
export function jsonBody(limitBytes: number): [RequestHandler, ErrorRequestHandler] {
  const explain: ErrorRequestHandler = (error, _req, _res, next) => {
    if (error?.type === 'entity.too.large') {
      error.message = `The request body is larger than the ${limitBytes} bytes accepted. Send smaller operations (files go in multipart uploads).`;
    }
    next(error);
  };
  return [express.json({ limit: limitBytes }), explain];
}
