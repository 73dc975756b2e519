import type { Logger } from 'pino';
import type { Account } from '../modules/accounts/account.entity';
import type { LiveConnection } from '../modules/subscriptions/live-connection';
import type { App } from './app';
import type { Loaders } from './loaders';

/** Everything a resolver gets for one request (gateway.ts), or for one subscription (websocket/ws-session.ts). */
export interface Context {
  app: App;
  requestId: string;
  /** The client's address, for rate limits and logs. */
  ip: string;
  /** The signed-in account, read from the database for this request (so its role is current). */
  viewer: Account | null;
  log: Logger;
  /** Scheme and host the client called, e.g. https://api.example.jp, for absolute links. */
  origin: string;
  /** Request-scoped batching of related-row loads (a subscription gets fresh ones per event). */
  loaders: Loaders;
  /** Only for operations over WebSocket (subscriptions): the connection they belong to. */
  connection?: LiveConnection;
}
