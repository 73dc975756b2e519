import type { App } from '../../app/app';
import { CloseCode } from './live-connection';
import { PostgresFeed, RedisFeed, type LiveFeed } from './live-feed';
import { LiveHub } from './live-hub';

/**
 * Live subscriptions of one gateway process: the hub (in-process fan-out) and the feed that
 * fills it — PostgreSQL LISTEN/NOTIFY by default, a Redis channel when REDIS_URL is set
 * (live-feed.ts). Started by the gateway after the HTTP side is ready; an App that is never
 * started (CLI, bench seeding) listens to nothing.
 */
export class LiveUpdates {
  readonly hub: LiveHub;
  private feed?: LiveFeed;
  private recheckTimer?: NodeJS.Timeout;

  constructor(private readonly app: App) {
    this.hub = new LiveHub({ ds: app.ds, orderReads: app.orderReads, clock: app.clock, log: app.log, limits: app.config });
  }

  get mode(): 'postgres' | 'redis' | 'off' {
    return this.feed?.mode ?? 'off';
  }

  /** True if this process is the one relaying NOTIFYs to Redis (Redis mode only). */
  get isRelay(): boolean {
    return this.feed instanceof RedisFeed && this.feed.isRelay;
  }

  async start(databaseUrl: string): Promise<void> {
    const { config, ds, log } = this.app;
    const deps = { databaseUrl, ds, hub: this.hub, log };
    const feed = config.REDIS_URL
      ? new RedisFeed(deps, config.REDIS_URL, config.RATE_LIMIT_KEY_PREFIX, config.SUBSCRIPTIONS_RELAY_LEASE_MS)
      : new PostgresFeed(deps);
    await feed.start();
    this.feed = feed;
    this.recheckTimer = setInterval(() => {
      this.hub.recheckAll().catch((error) => log.error({ err: error }, 'live updates: rechecking connections failed'));
    }, config.SUBSCRIPTIONS_RECHECK_SECONDS * 1000);
    this.recheckTimer.unref();
  }

  /** Closes every subscriber connection (1001) and stops listening. Safe to call twice. */
  async stop(): Promise<void> {
    clearInterval(this.recheckTimer);
    this.hub.closeAll(CloseCode.GOING_AWAY, 'The server is shutting down.');
    const feed = this.feed;
    this.feed = undefined;
    await feed?.stop();
    await this.hub.settled();
  }
}
