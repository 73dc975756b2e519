import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { LiveHub } from './live-hub';
import { committedSince, newestIds, noticePayload, parseNotice } from './live-notices';
import { PgListener } from './pg-listener';

/** Where a process's notices come from. */
export interface LiveFeed {
  readonly mode: 'postgres' | 'redis';
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface FeedDeps {
  databaseUrl: string;
  ds: DataSource;
  hub: LiveHub;
  log: Logger;
}

function deliver(hub: LiveHub, log: Logger, channel: string, payload: string) {
  const notice = parseNotice(channel, payload);
  if (notice) hub.accept(notice);
  else log.warn({ channel, payload: payload.slice(0, 200) }, 'live updates: a malformed notice was ignored');
}

/** Replays what was committed since the hub last heard (after a reconnect), to `sink`. */
async function replay(deps: FeedDeps, sink: (channel: string, payload: string) => void) {
  const missed = await committedSince(deps.ds, deps.hub.notices.replayFrom());
  for (const notice of missed) sink(notice.channel, noticePayload(notice));
  if (missed.length) deps.log.info({ notices: missed.length }, 'live updates: replayed what may have been missed');
}

/**
 * The default: this process LISTENs itself (one dedicated connection) and hands every notice to
 * its own hub. Nothing else to run; each process costs PostgreSQL one more listening session.
 */
export class PostgresFeed implements LiveFeed {
  readonly mode = 'postgres' as const;
  private readonly listener: PgListener;

  constructor(deps: FeedDeps) {
    this.listener = new PgListener(deps.databaseUrl, deps.log, {
      notice: (channel, payload) => deliver(deps.hub, deps.log, channel, payload),
      listening: async (again) => {
        if (again) await replay(deps, (channel, payload) => deliver(deps.hub, deps.log, channel, payload));
        else deps.hub.notices.startAt(await newestIds(deps.ds));
      },
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }
}

// The lease is ours only if it still holds our id: renew or release nothing else's.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * With REDIS_URL: ONE process of the deployment — the relay, whoever holds a lease in Redis —
 * LISTENs and PUBLISHes each notice on one Redis channel; every process (the relay too)
 * SUBSCRIBEs to it and feeds its hub. So PostgreSQL has one listening session whatever the
 * number of gateway processes, and only the relay needs a session-mode connection (a
 * transaction-pooling PgBouncer cannot carry LISTEN). The lease (SUBSCRIPTIONS_RELAY_LEASE_MS)
 * is renewed every third of its length; when the relay dies another process takes it over
 * within one lease and first republishes what was committed since the last notice it heard,
 * so a failover loses nothing (hubs drop what they have seen already).
 */
export class RedisFeed implements LiveFeed {
  readonly mode = 'redis' as const;
  private readonly instance = randomUUID();
  private readonly channel: string;
  private readonly leaseKey: string;
  private readonly subscriber: Redis;
  private readonly commands: Redis;
  private relay?: PgListener;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly deps: FeedDeps,
    redisUrl: string,
    prefix: string,
    private readonly leaseMs: number,
  ) {
    this.channel = `${prefix}:live`;
    this.leaseKey = `${prefix}:live:relay`;
    const options = {
      lazyConnect: true,
      connectTimeout: 5000,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 5000),
    };
    this.subscriber = new Redis(redisUrl, options);
    this.commands = new Redis(redisUrl, options);
    for (const client of [this.subscriber, this.commands]) {
      client.on('error', (error) => deps.log.warn({ err: error }, 'live updates: Redis unavailable; events may be late or lost until it is back'));
    }
  }

  /** True while this process is the relay (tests, docs). */
  get isRelay(): boolean {
    return this.relay !== undefined;
  }

  async start(): Promise<void> {
    const { hub, log } = this.deps;
    try {
      await Promise.all([this.subscriber.connect(), this.commands.connect()]);
    } catch (error) {
      this.subscriber.disconnect();
      this.commands.disconnect();
      throw new Error(`Cannot reach Redis at REDIS_URL for live updates: ${(error as Error).message}`);
    }
    this.subscriber.on('message', (_channel: string, message: string) => {
      try {
        const [channel, payload] = JSON.parse(message) as [string, string];
        deliver(hub, log, channel, payload);
      } catch {
        log.warn({ message: message.slice(0, 200) }, 'live updates: a malformed relay message was ignored');
      }
    });
    await this.subscriber.subscribe(this.channel);
    hub.notices.startAt(await newestIds(this.deps.ds));
    // After a reconnect (ioredis subscribes again by itself) this process replays for itself what it missed.
    this.subscriber.on('ready', () => {
      if (!this.stopped) replay(this.deps, (channel, payload) => deliver(hub, log, channel, payload)).catch((error) => log.error({ err: error }, 'live updates: replay after a Redis reconnect failed'));
    });
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    if (this.relay) {
      await this.relay.stop();
      this.relay = undefined;
      await this.commands.eval(RELEASE, 1, this.leaseKey, this.instance).catch(() => undefined);
    }
    await Promise.all([this.subscriber, this.commands].map((c) => c.quit().catch(() => c.disconnect())));
  }

  /** Renews the lease while relay, or tries to take it; one at a time. */
  private tick(): Promise<void> {
    this.ticking ??= this.renewOrTake()
      .catch((error) => this.deps.log.warn({ err: error }, 'live updates: relay lease check failed'))
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async renewOrTake(): Promise<void> {
    if (this.stopped) return;
    if (this.relay) {
      const renewed = await this.commands.eval(RENEW, 1, this.leaseKey, this.instance, String(this.leaseMs));
      if (renewed === 1) return;
      this.deps.log.warn('live updates: the relay lease went to another process; no longer relaying');
      const relay = this.relay;
      this.relay = undefined;
      await relay.stop();
      return;
    }
    const taken = await this.commands.set(this.leaseKey, this.instance, 'PX', this.leaseMs, 'NX');
    if (taken !== 'OK') return;
    const relay = new PgListener(this.deps.databaseUrl, this.deps.log, {
      notice: (channel, payload) => this.publish(channel, payload),
      // Whether this is the relay's first LISTEN or a reconnect: what was committed since the last notice heard.
      listening: () => replay(this.deps, (channel, payload) => this.publish(channel, payload)),
    });
    try {
      await relay.start();
      this.relay = relay;
      this.deps.log.info('live updates: this process relays NOTIFYs to Redis');
    } catch (error) {
      await this.commands.eval(RELEASE, 1, this.leaseKey, this.instance).catch(() => undefined);
      throw error;
    }
  }

  private publish(channel: string, payload: string) {
    this.commands.publish(this.channel, JSON.stringify([channel, payload])).catch((error) => {
      this.deps.log.error({ err: error, channel }, 'live updates: publishing to Redis failed; the event is not delivered live');
    });
  }
}
