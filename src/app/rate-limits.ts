import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { z } from 'zod';

/** A budget of `points` per key, refilled `durationSeconds` after the key's first use. */
export interface LimitRule {
  points: number;
  durationSeconds: number;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

/**
 * Every limit of the gateway, with its default (docs/hardening.md explains each). Failed logins
 * are counted three ways: a guesser at one account from one address is stopped first, a
 * distributed guesser at one account next, one address spraying many accounts last.
 */
export const DEFAULT_LIMITS = {
  /** Failed sign-ins per e-mail + client address. */
  loginEmailIp: { points: 5, durationSeconds: 15 * MINUTE },
  /** Failed sign-ins per e-mail, from anywhere. */
  loginEmail: { points: 20, durationSeconds: HOUR },
  /** Failed sign-ins per client address, whatever the e-mail. */
  loginIp: { points: 100, durationSeconds: HOUR },
  /** Sign-up attempts per client address (generous: mobile carriers put many people behind one address). */
  register: { points: 50, durationSeconds: HOUR },
  /** Failed guest lookups per order number (src/modules/orders/guest-access.ts). */
  guestOrder: { points: 10, durationSeconds: HOUR },
  /** Failed guest lookups per client address, whatever the order. */
  guestClient: { points: 30, durationSeconds: HOUR },
  /** Messages per sender (account, or guest order number) + client address. */
  message: { points: 30, durationSeconds: MINUTE },
  /** Password reset requests per client address (each may send a mail). */
  passwordResetClient: { points: 20, durationSeconds: HOUR },
  /** Password reset requests per e-mail address: no mailbox is flooded. */
  passwordResetEmail: { points: 5, durationSeconds: HOUR },
  /** Uploaded files per client address (at most 10 MB each: 300 files ≈ 3 GB an hour). */
  uploadFiles: { points: 300, durationSeconds: HOUR },
} satisfies Record<string, LimitRule>;

export type LimitName = keyof typeof DEFAULT_LIMITS;
export type LimitRules = Record<LimitName, LimitRule>;

const UNITS: Record<string, number> = { s: 1, m: MINUTE, h: HOUR, d: 24 * HOUR };

/** `RATE_LIMITS=loginEmailIp=5/15m,register=50/1h`: points per duration (s, m, h, d). */
export const rateLimitOverrides = z
  .string()
  .default('')
  .transform((text, ctx): Partial<LimitRules> => {
    const out: Partial<LimitRules> = {};
    for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(\w+)\s*=\s*(\d+)\s*\/\s*(\d+)\s*([smhd])$/.exec(entry);
      if (!m || !(m[1] in DEFAULT_LIMITS) || Number(m[3]) < 1) {
        ctx.addIssue({
          code: 'custom',
          message: `"${entry}" is not NAME=POINTS/DURATION (e.g. loginEmailIp=5/15m) with NAME one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
        });
        return z.NEVER;
      }
      out[m[1] as LimitName] = { points: Number(m[2]), durationSeconds: Number(m[3]) * UNITS[m[4]] };
    }
    return out;
  });

/** The top-level error of a refused call: clients wait `retryAfter` seconds (also sent as Retry-After). */
export function rateLimited(retryAfterSeconds: number, message = 'Too many attempts.'): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return new GraphQLError(`${message} Try again in ${retryAfter} seconds.`, { extensions: { code: 'RATE_LIMITED', retryAfter } });
}

export interface RateLimitsOptions {
  rules?: Partial<LimitRules>;
  /** Counters in Redis, shared by every gateway process; without it, in this process only. */
  redis?: Redis;
  keyPrefix?: string;
  log?: Logger;
}

/**
 * The one store of every rate-limit counter. Memory by default; with REDIS_URL the counters
 * live in Redis so that several gateway processes enforce one limit together. Should Redis
 * go away later, each process falls back to its own memory counters (limits per process,
 * rather than no limits or no service) until it is back.
 */
export class RateLimits {
  readonly rules: LimitRules;
  readonly store: 'memory' | 'redis';
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>();
  private readonly redis?: Redis;

  constructor(options: RateLimitsOptions = {}) {
    this.rules = { ...DEFAULT_LIMITS, ...options.rules };
    this.redis = options.redis;
    this.store = options.redis ? 'redis' : 'memory';
    const prefix = options.keyPrefix ?? 'pbg';
    for (const [name, rule] of Object.entries(this.rules) as [LimitName, LimitRule][]) {
      const common = { keyPrefix: `${prefix}:${name}`, points: rule.points, duration: rule.durationSeconds };
      this.limiters.set(
        name,
        options.redis
          ? new RateLimiterRedis({ ...common, storeClient: options.redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(common) })
          : new RateLimiterMemory(common),
      );
    }
  }

  /** From the config: Redis when REDIS_URL is set (not connected until `ready()`). */
  static fromConfig(config: { REDIS_URL?: string; RATE_LIMIT_KEY_PREFIX: string; RATE_LIMITS: Partial<LimitRules> }, log?: Logger): RateLimits {
    let redis: Redis | undefined;
    if (config.REDIS_URL) {
      let connected = false;
      redis = new Redis(config.REDIS_URL, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 5000,
        disconnectTimeout: 500,
        // No retrying before the first connection: start-up fails at once (see `ready`). After it, keep trying.
        retryStrategy: (attempt) => (connected ? Math.min(attempt * 200, 5000) : null),
      });
      redis.once('ready', () => (connected = true));
      redis.on('error', (error) => log?.warn({ err: error }, 'rate-limit store (Redis) unavailable: limits are per process until it is back'));
    }
    return new RateLimits({ rules: config.RATE_LIMITS, redis, keyPrefix: config.RATE_LIMIT_KEY_PREFIX, log });
  }

  /** Connects to Redis, if configured; a gateway told to share limits does not start without it. */
  async ready(): Promise<void> {
    if (!this.redis || this.redis.status === 'ready') return;
    try {
      await this.redis.connect();
      await this.redis.ping();
    } catch (error) {
      this.redis.disconnect();
      throw new Error(`Cannot reach Redis at REDIS_URL for the rate limits: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.redis && this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis!.disconnect());
  }

  /** Takes `points` from `key`'s budget, or throws RATE_LIMITED (the attempt is counted either way). */
  async consume(name: LimitName, key: string, points = 1, message?: string): Promise<void> {
    try {
      await this.limiter(name).consume(key, points);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(rejection.msBeforeNext / 1000, message);
      throw rejection;
    }
  }

  /** Throws RATE_LIMITED if any of these budgets is spent, taking nothing from them. */
  async assertAvailable(checks: [LimitName, string][], message?: string): Promise<void> {
    const states = await Promise.all(checks.map(([name, key]) => this.limiter(name).get(key)));
    const waits = states.flatMap((res, i) => (res && res.consumedPoints >= this.rules[checks[i][0]].points ? [res.msBeforeNext] : []));
    if (waits.length) throw rateLimited(Math.max(...waits) / 1000, message);
  }

  /** Counts a failure without refusing anything now. */
  async penalty(name: LimitName, key: string, points = 1): Promise<void> {
    await this.limiter(name).penalty(key, points);
  }

  /** Gives points back (e.g. a reserved attempt that turned out to be a success). */
  async reward(name: LimitName, key: string, points = 1): Promise<void> {
    await this.limiter(name).reward(key, points);
  }

  /** Forgets `key`'s count (e.g. failed sign-ins once the right password is given). */
  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiter(name).delete(key);
  }

  limiter(name: LimitName): RateLimiterAbstract {
    return this.limiters.get(name)!;
  }
}
