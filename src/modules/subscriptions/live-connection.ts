import type { Account } from '../accounts/account.entity';

/** WebSocket close codes the gateway uses (4400–4499 as graphql-ws does; see docs/subscriptions.md). */
export const CloseCode = {
  /** The token in the init payload is forged, expired or names no account; or it expired while connected. */
  UNAUTHORIZED: 4401,
  /** The account's role changed while connected (a demoted staff member stops seeing every order). */
  FORBIDDEN: 4403,
  /** More events waited for this client than SUBSCRIPTIONS_QUEUE_LIMIT: it does not read fast enough. */
  SLOW_CONSUMER: 4413,
  /** SUBSCRIPTIONS_MAX_CONNECTIONS_PER_ACCOUNT reached. */
  TOO_MANY_CONNECTIONS: 4429,
  /** The gateway is shutting down. */
  GOING_AWAY: 1001,
} as const;

let lastId = 0;

/**
 * One WebSocket connection after its init message: who it is (the viewer is read again while it
 * lives, see LiveHub.recheck), its subscriptions, and how many events wait to be sent on it.
 * Either protocol (graphql-transport-ws, or the legacy one Playground speaks) makes one.
 */
export class LiveConnection {
  readonly id = ++lastId;
  /** Limits are counted per account, or per client address for guests. */
  readonly key: string;
  readonly subscriptions = new Set<LiveSubscription<unknown>>();
  /** Events queued on all its subscriptions, not yet taken by the sender. */
  queued = 0;
  closed = false;

  constructor(
    /** Replaced by the account as read again; null for a guest. */
    public viewer: Account | null,
    /** When the token stops being valid (null for a guest). */
    readonly expiresAt: Date | null,
    readonly ip: string,
    private readonly closeSocket: (code: number, reason: string) => void,
  ) {
    this.key = viewer ? `account:${viewer.id}` : `address:${ip}`;
  }

  /** Ends every subscription and closes the socket with `code` (once). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.end();
    this.closeSocket(code, reason);
  }

  /** Ends every subscription (the socket is closed, or about to be); the hub forgets it. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of [...this.subscriptions]) subscription.cancel();
    this.onEnd?.();
  }

  /** Set by the hub that admitted it. */
  onEnd?: () => void;
}

export type LiveKind = 'orderUpdated' | 'messageAdded' | 'viewerOrdersUpdated' | 'notificationAdded';

export interface LiveTarget {
  /** orderUpdated / messageAdded: the order. */
  orderId?: string;
  /** Subscribed by a guest (order number + phone): ends once the order belongs to an account. */
  guest?: boolean;
}

/**
 * One subscription's events as the async iterator graphql-js subscribes to. Events wait in a
 * queue while the sender is busy writing the previous one to the socket (a send completes when
 * the socket took it). An event with a key (an order's state) replaces a queued one with the
 * same key: a client that is behind gets the latest state, not every step. The queue is bounded
 * per connection (`limit`): a client that does not read is cut off, never buffered without end.
 */
export class LiveSubscription<T> implements AsyncIterableIterator<T> {
  private readonly queue: { value: T; key?: string }[] = [];
  private readonly queuedByKey = new Map<string, { value: T; key?: string }>();
  private waiting?: (result: IteratorResult<T>) => void;
  private finished = false;

  constructor(
    readonly kind: LiveKind,
    readonly connection: LiveConnection,
    readonly target: LiveTarget,
    private readonly limit: number,
    private readonly onFinish: (subscription: LiveSubscription<T>) => void,
  ) {}

  get active(): boolean {
    return !this.finished && !this.connection.closed;
  }

  push(value: T, key?: string): void {
    if (!this.active) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
      return;
    }
    const queued = key === undefined ? undefined : this.queuedByKey.get(key);
    if (queued) {
      queued.value = value;
      return;
    }
    const entry = { value, key };
    this.queue.push(entry);
    if (key !== undefined) this.queuedByKey.set(key, entry);
    if (++this.connection.queued > this.limit) {
      this.connection.close(CloseCode.SLOW_CONSUMER, `Too slow: more than ${this.limit} events waited to be sent. Reconnect and read faster.`);
    }
  }

  /** The server ends it (access lost): what is queued is still sent, then `complete`. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinish(this);
    this.wake();
  }

  /** Ends it now, dropping what is queued (the client stopped it, or the connection closed). */
  cancel(): void {
    this.connection.queued -= this.queue.length;
    this.queue.length = 0;
    this.queuedByKey.clear();
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    const entry = this.queue.shift();
    if (entry) {
      this.connection.queued--;
      if (entry.key !== undefined && this.queuedByKey.get(entry.key) === entry) this.queuedByKey.delete(entry.key);
      return Promise.resolve({ value: entry.value, done: false });
    }
    if (this.finished || this.connection.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.cancel();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.cancel();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private wake() {
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.({ value: undefined, done: true });
  }
}
