import type { DataSource } from 'typeorm';

/**
 * What PostgreSQL announces after a commit (migration 1796194610361-Notifications: triggers on
 * `order_event` and `notification` call pg_notify in the writing transaction, and PostgreSQL
 * delivers a NOTIFY only once that transaction commits; a rollback announces nothing).
 */
export const CHANNELS = ['order_event', 'notification'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A timeline event was committed. `messageId` is set for events about a message. */
export interface OrderEventNotice {
  channel: 'order_event';
  eventId: string;
  orderId: string;
  type: string;
  /** The order's customer (null for a guest order), as the trigger read it. */
  customerId: string | null;
  messageId: string | null;
}

/** An in-app notification row was committed for `accountId`. */
export interface NotificationNotice {
  channel: 'notification';
  notificationId: string;
  accountId: string;
}

export type LiveNotice = OrderEventNotice | NotificationNotice;

/** Timeline events that add a message to the thread (MessageService.write records exactly one per message). */
export const MESSAGE_EVENT_TYPES: ReadonlySet<string> = new Set(['MESSAGE_SENT', 'SELLER_QUESTION_ASKED', 'SELLER_QUESTION_ANSWERED']);

const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** A NOTIFY payload as a notice; null for anything malformed (logged by the caller). */
export function parseNotice(channel: string, payload: string): LiveNotice | null {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(payload);
  } catch {
    return null;
  }
  if (channel === 'order_event') {
    const eventId = text(body.eventId);
    const orderId = text(body.orderId);
    const type = text(body.type);
    if (!eventId || !orderId || !type) return null;
    return { channel, eventId, orderId, type, customerId: text(body.customerId), messageId: text(body.messageId) };
  }
  if (channel === 'notification') {
    const notificationId = text(body.notificationId);
    const accountId = text(body.accountId);
    if (!notificationId || !accountId) return null;
    return { channel, notificationId, accountId };
  }
  return null;
}

/** The notice again as its NOTIFY payload (for the Redis relay and replays). */
export function noticePayload(notice: LiveNotice): string {
  const { channel: _channel, ...body } = notice;
  return JSON.stringify(body);
}

export function noticeId(notice: LiveNotice): string {
  return notice.channel === 'order_event' ? notice.eventId : notice.notificationId;
}

/**
 * Ids are taken when a row is inserted, but NOTIFYs arrive in commit order: a transaction that
 * took id 100 may commit after one that took 101. A replay therefore starts this many ids below
 * the highest seen, and the NoticeLog drops what was delivered already.
 */
const REPLAY_MARGIN = 200n;
const REPLAY_LIMIT = 1000;

/**
 * Which notices this process has seen: the last few thousand ids (a replay, or two relays for a
 * moment, never deliver one twice) and where a replay of what may have been missed starts.
 */
export class NoticeLog {
  private readonly seen = new Map<string, true>();
  private readonly highest: Record<Channel, bigint> = { order_event: 0n, notification: 0n };
  /** Ids up to here were committed before this process listened: never replayed. */
  private readonly floor: Record<Channel, bigint> = { order_event: 0n, notification: 0n };

  constructor(private readonly capacity = 5000) {}

  /** False if the notice was seen already; else remembers it. */
  accept(notice: LiveNotice): boolean {
    const id = noticeId(notice);
    const key = `${notice.channel}:${id}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    const n = BigInt(id);
    if (n > this.highest[notice.channel]) this.highest[notice.channel] = n;
    return true;
  }

  /** Where a replay starts: a margin below the highest id seen, never before the floor. */
  replayFrom(): Record<Channel, bigint> {
    const from = (c: Channel) => {
      const below = this.highest[c] > REPLAY_MARGIN ? this.highest[c] - REPLAY_MARGIN : 0n;
      return below > this.floor[c] ? below : this.floor[c];
    };
    return { order_event: from('order_event'), notification: from('notification') };
  }

  /** The newest ids in the database once this process listens: older ones are not its business. */
  startAt(newest: Record<Channel, bigint>): void {
    for (const channel of CHANNELS) {
      if (newest[channel] > this.floor[channel]) this.floor[channel] = newest[channel];
      if (newest[channel] > this.highest[channel]) this.highest[channel] = newest[channel];
    }
  }
}

/** The newest ids now: where a process that has seen nothing starts replaying from. */
export async function newestIds(ds: DataSource): Promise<Record<Channel, bigint>> {
  const [row] = await ds.query(
    `SELECT (SELECT coalesce(max(id), 0) FROM order_event)::text AS order_event, (SELECT coalesce(max(id), 0) FROM notification)::text AS notification`,
  );
  return { order_event: BigInt(row.order_event), notification: BigInt(row.notification) };
}

/**
 * The notices committed after `since` (NoticeLog.replayFrom), oldest first, at most 1,000 per
 * channel: what a listener that was away (a reconnect, a relay failover) may have missed.
 */
export async function committedSince(ds: DataSource, since: Record<Channel, bigint>): Promise<LiveNotice[]> {
  const events: { eventId: string; orderId: string; type: string; customerId: string | null; messageId: string | null }[] = await ds.query(
    `SELECT e.id::text AS "eventId", e.order_id AS "orderId", e.type, o.customer_id AS "customerId", e.data->>'messageId' AS "messageId"
       FROM order_event e JOIN customer_order o ON o.id = e.order_id
      WHERE e.id > $1 ORDER BY e.id LIMIT ${REPLAY_LIMIT}`,
    [String(since.order_event)],
  );
  const notifications: { notificationId: string; accountId: string }[] = await ds.query(
    `SELECT n.id::text AS "notificationId", n.account_id AS "accountId" FROM notification n WHERE n.id > $1 ORDER BY n.id LIMIT ${REPLAY_LIMIT}`,
    [String(since.notification)],
  );
  return [
    ...events.map((e): LiveNotice => ({ channel: 'order_event', ...e })),
    ...notifications.map((n): LiveNotice => ({ channel: 'notification', ...n })),
  ];
}
