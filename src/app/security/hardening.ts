import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ValidationRule } from 'graphql';
import type { Config } from '../config';
import type { Context } from '../context';
import { jsonBody, playgroundPolicy, securityHeaders, wantsLandingPage } from './http-security';
import { operationLimitRules, tokenLimit, variableLimits } from './operation-limits';
import { queryCostPlugin } from './query-cost';
import { retryAfterPlugin } from './retry-after';
import { viewerPolicyPlugin } from './viewer-policy';

export interface Hardening {
  /** Apollo `validationRules`: depth, aliases, directives. */
  validationRules: ValidationRule[];
  /** Apollo plugins: cost limit, production introspection/suggestion policy, Retry-After. */
  plugins: ApolloServerPlugin<Context>[];
  /** Express, first: security headers on every response. */
  headers: RequestHandler;
  /** Express, on /graphql in place of a bare `express.json()`. */
  jsonBody: [RequestHandler, ErrorRequestHandler];
  /** Express, on /graphql after the body parsers, before Apollo. */
  beforeApollo: RequestHandler[];
  /** Given the Playground page as served, so its CSP can allow exactly its inline scripts. */
  onPlaygroundPage(html: string): void;
}

/** Every abuse defence of the gateway, from the config (docs/hardening.md). */
export function hardening(config: Config): Hardening {
  let landingPagePolicy = playgroundPolicy([]);
  const playgroundCsp: RequestHandler = (req, res, next) => {
    if (wantsLandingPage(req)) res.setHeader('Content-Security-Policy', landingPagePolicy);
    next();
  };
  return {
    validationRules: operationLimitRules(config),
    plugins: [
      queryCostPlugin(config.GRAPHQL_MAX_COST, config.GRAPHQL_LIST_COST),
      viewerPolicyPlugin(config.NODE_ENV === 'production'),
      retryAfterPlugin(),
    ],
    headers: securityHeaders(),
    jsonBody: jsonBody(config.HTTP_MAX_JSON_BYTES),
    beforeApollo: [tokenLimit(config.GRAPHQL_MAX_TOKENS), variableLimits(config), playgroundCsp],
    onPlaygroundPage(html) {
      landingPagePolicy = playgroundPolicy(inlineScriptHashes(html));
    },
  };
}

/** CSP hashes of the page's inline scripts (those without a `src`). */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) => `sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}`,
  );
}

/** TRUST_PROXY as Express takes it: `true`, a hop count, or addresses/subnets/`loopback`. */
export function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}
