import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { isStaff } from '../../app/auth-checker';
import { preparedQuery } from '../../app/data-source';
import { rowJson, type PackedRow } from '../../app/row-json';
import type { Clock } from '../../common/clock';
import { isUuid } from '../../common/ids';
import { Account } from '../accounts/account.entity';
import { messageRowsByIds, type MessageRow } from '../messaging/message-loaders';
import { Message } from '../messaging/message.entity';
import { Notification } from '../notifications/notification.entity';
import type { OrderRead, OrderReadModel } from '../orders/order-read-model';
import { CloseCode, LiveConnection, LiveSubscription, type LiveKind, type LiveTarget } from './live-connection';
import { MESSAGE_EVENT_TYPES, NoticeLog, type LiveNotice, type OrderEventNotice } from './live-notices';

export interface LiveLimits {
  SUBSCRIPTIONS_MAX_CONNECTIONS_PER_ACCOUNT: number;
  SUBSCRIPTIONS_MAX_PER_ACCOUNT: number;
  SUBSCRIPTIONS_QUEUE_LIMIT: number;
}

export interface LiveHubDeps {
  ds: DataSource;
  orderReads: OrderReadModel;
  clock: Clock;
  log: Logger;
  limits: LiveLimits;
}

/** What each kind of subscription receives per event (its resolver turns it into the schema's object). */
export interface LivePayloads {
  orderUpdated: OrderRead;
  viewerOrdersUpdated: OrderRead;
  messageAdded: MessageRow;
  notificationAdded: Notification;
}

type AnySubscription = LiveSubscription<unknown>;

/** How many notices one round of delivery handles at most (one statement per kind of row for all of them). */
const BATCH = 500;
/** Accounts read again per statement when every connection is rechecked. */
const RECHECK_CHUNK = 1000;

/**
 * The fan-out inside one gateway process. Notices come in (from LISTEN or from Redis, see
 * live-feed.ts); for those some subscription here cares about, the hub reads what will be sent
 * — orders, messages, notifications, and the subscribers' accounts again — in one statement per
 * kind for a whole batch, checks each subscriber may still see it, and queues it on the
 * subscription. Nothing here runs on the HTTP request path, and a notice nobody here subscribed
 * to costs a JSON parse and a few map lookups.
 */
export class LiveHub {
  private readonly connections = new Set<LiveConnection>();
  private readonly connectionsPerKey = new Map<string, number>();
  private readonly subscriptionsPerKey = new Map<string, number>();
  /** orderUpdated and messageAdded, by order id. */
  private readonly byOrder = new Map<string, Set<AnySubscription>>();
  /** viewerOrdersUpdated of customers, by account id. */
  private readonly byCustomer = new Map<string, Set<AnySubscription>>();
  /** viewerOrdersUpdated of staff: every order. */
  private readonly staff = new Set<AnySubscription>();
  /** notificationAdded, by account id. */
  private readonly byAccount = new Map<string, Set<AnySubscription>>();
  private readonly log: NoticeLog = new NoticeLog();
  private pending: LiveNotice[] = [];
  private draining?: Promise<void>;

  constructor(private readonly deps: LiveHubDeps) {}

  get notices(): NoticeLog {
    return this.log;
  }

  get stats() {
    let subscriptions = 0;
    for (const c of this.connections) subscriptions += c.subscriptions.size;
    return { connections: this.connections.size, subscriptions };
  }

  /** Admits a connection, or false when its account (guest: address) has SUBSCRIPTIONS_MAX_CONNECTIONS_PER_ACCOUNT already. */
  connect(connection: LiveConnection): boolean {
    const open = this.connectionsPerKey.get(connection.key) ?? 0;
    if (open >= this.deps.limits.SUBSCRIPTIONS_MAX_CONNECTIONS_PER_ACCOUNT) return false;
    this.connectionsPerKey.set(connection.key, open + 1);
    this.connections.add(connection);
    connection.onEnd = () => {
      if (this.connections.delete(connection)) decrement(this.connectionsPerKey, connection.key);
    };
    return true;
  }

  /** The socket closed: its subscriptions end. */
  disconnect(connection: LiveConnection): void {
    connection.end();
  }

  /** Closes every connection (shutdown). */
  closeAll(code: number, reason: string): void {
    for (const connection of [...this.connections]) connection.close(code, reason);
  }

  /**
   * A new subscription of `connection`, receiving from now on. Register first, then check
   * access: a change committed in between is not missed, and nothing reaches the client
   * before the check passed (graphql-js only reads the iterator once subscribe returned).
   */
  subscribe<K extends LiveKind>(connection: LiveConnection, kind: K, target: LiveTarget = {}): LiveSubscription<LivePayloads[K]> {
    const count = this.subscriptionsPerKey.get(connection.key) ?? 0;
    if (count >= this.deps.limits.SUBSCRIPTIONS_MAX_PER_ACCOUNT) {
      throw new GraphQLError(
        `Too many subscriptions: at most ${this.deps.limits.SUBSCRIPTIONS_MAX_PER_ACCOUNT} at a time per account. Stop one you no longer need.`,
        { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: this.deps.limits.SUBSCRIPTIONS_MAX_PER_ACCOUNT } },
      );
    }
    const subscription = new LiveSubscription<LivePayloads[K]>(kind, connection, target, this.deps.limits.SUBSCRIPTIONS_QUEUE_LIMIT, (s) => this.remove(s as AnySubscription));
    const any = subscription as AnySubscription;
    this.subscriptionsPerKey.set(connection.key, count + 1);
    connection.subscriptions.add(any);
    const viewer = connection.viewer;
    if (kind === 'orderUpdated' || kind === 'messageAdded') add(this.byOrder, target.orderId!, any);
    else if (kind === 'notificationAdded') add(this.byAccount, viewer!.id, any);
    else if (isStaff(viewer)) this.staff.add(any);
    else add(this.byCustomer, viewer!.id, any);
    return subscription;
  }

  private remove(subscription: AnySubscription) {
    const { connection, kind, target } = subscription;
    if (!connection.subscriptions.delete(subscription)) return;
    decrement(this.subscriptionsPerKey, connection.key);
    if (kind === 'orderUpdated' || kind === 'messageAdded') drop(this.byOrder, target.orderId!, subscription);
    else if (kind === 'notificationAdded') drop(this.byAccount, connection.viewer!.id, subscription);
    else {
      this.staff.delete(subscription);
      drop(this.byCustomer, connection.viewer!.id, subscription);
    }
  }

  /** A committed change announced: delivered to the subscriptions that care (in arrival order). */
  accept(notice: LiveNotice): void {
    if (!this.log.accept(notice)) return;
    if (!this.interested(notice).length) return;
    this.pending.push(notice);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Resolves once everything accepted so far was delivered (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private interested(notice: LiveNotice): AnySubscription[] {
    if (notice.channel === 'notification') return [...(this.byAccount.get(notice.accountId) ?? [])];
    const out: AnySubscription[] = [];
    for (const s of this.byOrder.get(notice.orderId) ?? []) if (s.kind === 'orderUpdated' || (notice.messageId && MESSAGE_EVENT_TYPES.has(notice.type))) out.push(s);
    if (notice.customerId) out.push(...(this.byCustomer.get(notice.customerId) ?? []));
    out.push(...this.staff);
    return out;
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // let the notices of one commit, announced together, join one batch
    while (this.pending.length) {
      const batch = this.pending.splice(0, BATCH);
      try {
        await this.deliver(batch);
      } catch (error) {
        this.deps.log.error({ err: error, notices: batch.length }, 'live updates: delivering a batch failed; its events were not sent');
      }
    }
  }

  private async deliver(batch: LiveNotice[]): Promise<void> {
    const targets = batch.map((notice) => ({ notice, subscriptions: this.interested(notice) })).filter((t) => t.subscriptions.length);
    await this.recheck(new Set(targets.flatMap((t) => t.subscriptions.map((s) => s.connection))));

    const orderIds = new Set<string>();
    const messageIds = new Set<string>();
    const notificationIds = new Set<string>();
    for (const { notice, subscriptions } of targets) {
      for (const s of subscriptions) {
        if (!s.active) continue;
        if (notice.channel === 'notification') notificationIds.add(notice.notificationId);
        else if (s.kind === 'messageAdded') {
          if (notice.messageId && isUuid(notice.messageId)) messageIds.add(notice.messageId);
        } else orderIds.add(notice.orderId);
      }
    }
    const { ds, orderReads } = this.deps;
    const [orders, messages, notifications] = await Promise.all([
      orderIds.size ? orderReads.byIds(ds, [...orderIds]) : [],
      messageIds.size ? messageRowsByIds(ds, [...messageIds]) : [],
      notificationIds.size ? ds.getRepository(Notification).createQueryBuilder('n').where('n.id IN (:...ids)', { ids: [...notificationIds] }).getMany() : [],
    ]);
    const orderById = new Map(orders.map((r) => [r.order.id, r]));
    const messageById = new Map(messages.map((r) => [messageIdOf(ds, r), r]));
    const notificationById = new Map(notifications.map((n) => [n.id, n]));

    // One state of an order per subscription per batch: the notices of one commit read alike.
    const sent = new Map<AnySubscription, Set<string>>();
    const once = (s: AnySubscription, orderId: string) => {
      let ids = sent.get(s);
      if (!ids) sent.set(s, (ids = new Set()));
      if (ids.has(orderId)) return false;
      ids.add(orderId);
      return true;
    };
    for (const { notice, subscriptions } of targets) {
      for (const s of subscriptions) {
        if (!s.active) continue;
        if (notice.channel === 'notification') {
          const n = notificationById.get(notice.notificationId);
          if (n && n.accountId === s.connection.viewer?.id) s.push(n);
          continue;
        }
        if (!this.stillVisible(s, notice)) continue;
        if (s.kind === 'messageAdded') {
          const row = notice.messageId ? messageById.get(notice.messageId) : undefined;
          if (row) s.push(row);
        } else {
          const read = orderById.get(notice.orderId);
          if (read && once(s, notice.orderId)) s.push(read, read.order.id);
        }
      }
    }
  }

  /**
   * The query rules again, per event: a customer sees their own orders, staff all; a guest's
   * subscription ends once the order was claimed by an account (guestOrderClaim).
   */
  private stillVisible(s: AnySubscription, notice: OrderEventNotice): boolean {
    const viewer = s.connection.viewer;
    if (s.target.guest) {
      if (notice.customerId === null) return true;
      s.end();
      return false;
    }
    if (isStaff(viewer)) return true;
    if (viewer && notice.customerId === viewer.id) return true;
    if (s.kind === 'orderUpdated' || s.kind === 'messageAdded') s.end();
    return false;
  }

  /**
   * Signed-in connections are checked again before they receive anything: a token that has
   * expired closes the connection with 4401, an account that is gone with 4401, a role that
   * changed (a demoted staff member) with 4403. One statement for all of them.
   */
  async recheck(connections: Iterable<LiveConnection>): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const signedIn: LiveConnection[] = [];
    for (const c of connections) {
      if (c.closed || !c.viewer) continue;
      if (c.expiresAt && c.expiresAt.getTime() <= now) c.close(CloseCode.UNAUTHORIZED, 'The token has expired: sign in again and reconnect.');
      else signedIn.push(c);
    }
    for (let i = 0; i < signedIn.length; i += RECHECK_CHUNK) {
      const chunk = signedIn.slice(i, i + RECHECK_CHUNK);
      const fresh = await this.accounts([...new Set(chunk.map((c) => c.viewer!.id))]);
      for (const c of chunk) {
        if (c.closed) continue;
        const account = fresh.get(c.viewer!.id);
        if (!account) c.close(CloseCode.UNAUTHORIZED, 'The account no longer exists.');
        else if (account.role !== c.viewer!.role) c.close(CloseCode.FORBIDDEN, 'Your role changed: reconnect to see what it allows now.');
        else c.viewer = account;
      }
    }
  }

  /** Every connection, events or not (a timer: SUBSCRIPTIONS_RECHECK_SECONDS). */
  recheckAll(): Promise<void> {
    return this.recheck([...this.connections]);
  }

  private async accounts(ids: string[]): Promise<Map<string, Account>> {
    const { ds } = this.deps;
    const accounts = rowJson(ds, Account);
    const rows = await preparedQuery<{ row: PackedRow }>(ds, `SELECT ${accounts.sql('a')} AS row FROM ${accounts.table} a WHERE a.id = ANY($1)`, [ids]);
    return new Map(rows.map((r) => accounts.read(r.row)).map((a) => [a.id, a]));
  }
}

function messageIdOf(ds: DataSource, row: MessageRow): string {
  return rowJson(ds, Message).read(row.message).id;
}

function add<K>(map: Map<K, Set<AnySubscription>>, key: K, s: AnySubscription) {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(s);
}

function drop<K>(map: Map<K, Set<AnySubscription>>, key: K, s: AnySubscription) {
  const set = map.get(key);
  if (!set) return;
  set.delete(s);
  if (!set.size) map.delete(key);
}

function decrement(map: Map<string, number>, key: string) {
  const n = (map.get(key) ?? 1) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
