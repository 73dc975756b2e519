import { z } from 'zod';
import { rateLimitOverrides } from '../rate-limits';

/**
 * Environment settings of the abuse defences (docs/hardening.md), checked at start with the
 * rest of the config (src/app/config.ts spreads this shape into its schema).
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const SECURITY_SETTINGS = {
  /** Nesting of selections; the order detail query (order → items → sellerQuestions → attachments) is 5. */
  GRAPHQL_MAX_DEPTH: int(1, 100).default(12),
  /** Aliased fields per operation (each alias is another resolver call: 100 guessed guest lookups in one request). */
  GRAPHQL_MAX_ALIASES: int(0, 1000).default(15),
  /** Lexical tokens of the query text, counted before anything else is done with it. */
  GRAPHQL_MAX_TOKENS: int(50, 100_000).default(1000),
  GRAPHQL_MAX_DIRECTIVES: int(0, 1000).default(10),
  /** Lists and objects nested inside one variable; the deepest real input (orderQuote) is 3. */
  GRAPHQL_MAX_VARIABLE_DEPTH: int(1, 1000).default(16),
  /** Values in all variables together; an orderQuote of 50 items has about 500. */
  GRAPHQL_MAX_VARIABLE_VALUES: int(10, 1_000_000).default(5000),
  /** Estimated cost (see src/app/security/query-cost.ts): connections cost × `first`, plain lists × GRAPHQL_LIST_COST. */
  GRAPHQL_MAX_COST: int(1, 10_000_000).default(25_000),
  GRAPHQL_LIST_COST: int(1, 1000).default(10),
  /** Largest JSON request body (uploads are multipart and have their own limits). */
  HTTP_MAX_JSON_BYTES: int(1024, 50 * 1024 * 1024).default(100 * 1000),
  /** The request's headers must arrive within this (else 408 and the socket is closed). */
  HTTP_HEADERS_TIMEOUT_MS: int(100, 300_000).default(10_000),
  /** The whole request (headers and body, uploads included) must arrive within this. */
  HTTP_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(120_000),
  /** An idle keep-alive connection is closed after this (make it longer than a load balancer's idle timeout). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000).default(5_000),
  /** Requests one connection may carry (0: no limit). */
  HTTP_MAX_REQUESTS_PER_SOCKET: int(0, 1_000_000).default(1000),
  /** A request body arriving slower than this, over any window below, closes the connection (0: off). */
  HTTP_MIN_BODY_BYTES_PER_SECOND: int(0, 100_000_000).default(1024),
  HTTP_BODY_RATE_WINDOW_MS: int(100, 600_000).default(10_000),
  /**
   * Express's `trust proxy` (e.g. `loopback`, `1`, `10.0.0.0/8`): set it behind a load balancer,
   * else every client has the balancer's address and shares its rate limits. Unset: the socket's address.
   */
  TRUST_PROXY: z.string().min(1).optional(),
  /** Rate-limit counters shared by every gateway process (ioredis URL); unset: in this process only. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** Prefix of this deployment's rate-limit keys in Redis. */
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).max(64).default('pbg'),
  /** Overrides of the default limits, e.g. `loginEmailIp=5/15m,register=50/1h` (see docs/hardening.md). */
  RATE_LIMITS: rateLimitOverrides,
};
