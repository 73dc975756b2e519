import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Settings of live subscriptions (docs/subscriptions.md, docs/hardening.md), checked at start
 * with the rest of the config (src/app/config.ts spreads this shape into its schema). Every
 * limit is per gateway process.
 */
export const SUBSCRIPTION_SETTINGS = {
  /** Open WebSocket connections of this process, all accounts together; one more is refused with HTTP 503. */
  SUBSCRIPTIONS_MAX_CONNECTIONS: int(1, 1_000_000).default(10_000),
  /** Connections of one account (guests: of one client address); one more is closed with 4429. */
  SUBSCRIPTIONS_MAX_CONNECTIONS_PER_ACCOUNT: int(1, 100_000).default(10),
  /** Live subscriptions of one account (guests: one client address) over all its connections; one more gets TOO_MANY_SUBSCRIPTIONS. */
  SUBSCRIPTIONS_MAX_PER_ACCOUNT: int(1, 100_000).default(50),
  /**
   * Events waiting to be sent on one connection (an order's newer state replaces its queued one);
   * one more and the client is too slow: closed with 4413.
   */
  SUBSCRIPTIONS_QUEUE_LIMIT: int(1, 100_000).default(1000),
  /** How often every connection's account is read again (role, existence) and its token's expiry checked, events or not. */
  SUBSCRIPTIONS_RECHECK_SECONDS: int(1, 3600).default(60),
  /** WebSocket ping (and the legacy protocol's `ka`) interval; a peer that misses a pong is cut off. */
  SUBSCRIPTIONS_KEEPALIVE_SECONDS: int(1, 300).default(10),
  /** With REDIS_URL: how long the relay's lease lasts; another process takes over this long after the relay dies. */
  SUBSCRIPTIONS_RELAY_LEASE_MS: int(300, 600_000).default(5000),
};
