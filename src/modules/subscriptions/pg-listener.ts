import { Client } from 'pg';
import type { Logger } from 'pino';
import { CHANNELS } from './live-notices';

/** The listener's connection shows under this name in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'pbg-live-listener';

export interface PgListenerHandlers {
  /** A NOTIFY on one of CHANNELS (raw payload). */
  notice(channel: string, payload: string): void;
  /** LISTEN is in place: the first time, and after every reconnect (`again`): time to replay what was missed. */
  listening(again: boolean): void | Promise<void>;
}

/** What we use of pg's Client (the package ships no types). */
interface ListenClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): void;
  on(event: 'error' | 'end', listener: (error?: unknown) => void): void;
  removeAllListeners(): void;
}

const HEALTH_CHECK_MS = 30_000;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 30_000;

/**
 * One dedicated PostgreSQL session (not from the pool: LISTEN belongs to a session, and a
 * pooled connection goes back to the pool) that LISTENs on the announcement channels. When it
 * breaks (server restart, network, failover) it reconnects with exponential backoff and
 * jitter, 250 ms up to 30 s; NOTIFYs sent while it is away are not queued for it, so the
 * `listening(true)` handler replays them from the tables (live-notices.ts `committedSince`).
 * A query every 30 s finds a connection that died without a word.
 */
export class PgListener {
  private client?: ListenClient;
  private stopped = true;
  private attempt = 0;
  private everListened = false;
  private retry?: NodeJS.Timeout;
  private health?: NodeJS.Timeout;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly handlers: PgListenerHandlers,
  ) {}

  /** Connects and LISTENs; the first connection must succeed (a gateway with a broken database does not start). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.health);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    const client: ListenClient = new Client({ connectionString: this.databaseUrl, application_name: LISTENER_APPLICATION_NAME, keepAlive: true, query_timeout: 10_000 });
    client.on('notification', (msg) => {
      if (msg.payload !== undefined) this.handlers.notice(msg.channel, msg.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      for (const channel of CHANNELS) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    clearInterval(this.health);
    this.health = setInterval(() => {
      client.query('SELECT 1').catch((error: unknown) => this.lost(client, error));
    }, HEALTH_CHECK_MS).unref();
    const again = this.everListened;
    this.everListened = true;
    if (again) this.log.info('live updates: listening again after a reconnect');
    try {
      await this.handlers.listening(again);
    } catch (error) {
      this.log.error({ err: error }, 'live updates: catching up after (re)connecting failed');
    }
  }

  private lost(client: ListenClient, error: unknown) {
    if (this.client !== client) return; // an old connection, already replaced
    this.client = undefined;
    clearInterval(this.health);
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.log.warn({ err: error }, 'live updates: the LISTEN connection was lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    this.retry = setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((error) => {
        this.log.warn({ err: error, retryInMs: Math.round(delay) }, 'live updates: reconnecting the LISTEN connection failed');
        if (!this.stopped) this.scheduleReconnect();
      });
    }, delay);
    this.retry.unref();
  }
}
