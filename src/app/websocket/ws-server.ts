import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL, DEPRECATED_GRAPHQL_WS_PROTOCOL } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { App } from '../app';
import type { Config } from '../config';
import { closeSocket } from './close';
import { serveLegacy, type LegacySession } from './legacy-ws';
import { serveTransportWs } from './transport-ws';
import { WsSessions } from './ws-session';

export const GRAPHQL_PATH = '/graphql';

export interface WebSockets {
  /** Open sockets (both protocols). */
  readonly size: number;
  /** Closes every socket (1001) and stops taking new ones. */
  close(): Promise<void>;
}

/**
 * Subscriptions on the same path and HTTP server as everything else: an upgrade of
 * /graphql becomes a WebSocket speaking the protocol the client offers in
 * Sec-WebSocket-Protocol — `graphql-transport-ws` (the graphql-ws library; web and mobile
 * clients) preferred, else `graphql-ws` (the legacy subscriptions-transport-ws protocol of
 * GraphQL Playground 1.7). Nothing here touches HTTP requests: Express only sees requests
 * that are not upgrades.
 */
export function attachWebSockets(options: { httpServer: Server; http: Express; app: App; schema: GraphQLSchema; config: Config; log: Logger }): WebSockets {
  const { httpServer, config, log } = options;
  const sessions = new WsSessions(options.app, options.schema, config, log, options.http);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.HTTP_MAX_JSON_BYTES,
    perMessageDeflate: false, // per-connection zlib state would cost more than the small messages save
    handleProtocols: (offered) => (offered.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : offered.has(DEPRECATED_GRAPHQL_WS_PROTOCOL) ? DEPRECATED_GRAPHQL_WS_PROTOCOL : false),
  });
  const alive = new WeakSet<WebSocket>();
  const legacy = new Map<WebSocket, LegacySession>();

  const refuse = (socket: Duplex, status: string, extra = '') => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`);
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== GRAPHQL_PATH) return refuse(socket, '404 Not Found');
    if (wss.clients.size >= config.SUBSCRIPTIONS_MAX_CONNECTIONS) return refuse(socket, '503 Service Unavailable', 'Retry-After: 10\r\n');
    wss.handleUpgrade(request, socket, head, (ws) => serve(ws, request));
  };
  httpServer.on('upgrade', onUpgrade);

  function serve(socket: WebSocket, request: IncomingMessage) {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.on('error', (error) => log.debug({ err: error }, 'websocket error'));
    const client = sessions.clientInfo(request);
    if (socket.protocol === GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      serveTransportWs(socket, request, client, sessions, log);
    } else if (socket.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL) {
      legacy.set(socket, serveLegacy(socket, client, sessions, log));
      socket.once('close', () => legacy.delete(socket));
    } else {
      closeSocket(socket, 4406, 'Subprotocol not acceptable: offer graphql-transport-ws (or graphql-ws, as GraphQL Playground does).');
    }
  }

  // One timer for every socket: a peer that did not answer the last ping is cut off; legacy clients also get `ka`.
  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
      legacy.get(socket)?.keepAlive();
    }
  }, config.SUBSCRIPTIONS_KEEPALIVE_SECONDS * 1000);
  heartbeat.unref();

  return {
    get size() {
      return wss.clients.size;
    },
    async close() {
      clearInterval(heartbeat);
      httpServer.off('upgrade', onUpgrade);
      const open = [...wss.clients];
      for (const socket of open) closeSocket(socket, 1001, 'The server is shutting down.');
      await Promise.race([
        Promise.all(open.map((s) => (s.readyState === s.CLOSED ? undefined : new Promise((resolve) => s.once('close', resolve))))),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
