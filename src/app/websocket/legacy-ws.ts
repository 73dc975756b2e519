import { subscribe, type ExecutionResult } from 'graphql';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { LiveConnection } from '../../modules/subscriptions/live-connection';
import { closeSocket } from './close';
import type { ClientInfo, WsSessions } from './ws-session';

/** The messages of subscriptions-transport-ws (WebSocket subprotocol `graphql-ws`), the protocol of GraphQL Playground 1.7. */
const Message = {
  CONNECTION_INIT: 'connection_init',
  CONNECTION_ACK: 'connection_ack',
  CONNECTION_ERROR: 'connection_error',
  CONNECTION_TERMINATE: 'connection_terminate',
  KEEP_ALIVE: 'ka',
  START: 'start',
  STOP: 'stop',
  DATA: 'data',
  ERROR: 'error',
  COMPLETE: 'complete',
} as const;

const INIT_TIMEOUT_MS = 3000;

export interface LegacySession {
  /** Sends `ka` (the client drops a connection that stays silent for longer than its timeout, 20 s in Playground). */
  keepAlive(): void;
}

/**
 * A small adapter for the legacy protocol: subscriptions-transport-ws is deprecated (npm
 * 0.11.0; repository archived in 2023), and the `graphql-ws` library speaks only the newer
 * protocol. Playground sends `connection_init` with its HTTP
 * HEADERS as the payload, then `start` {id, payload: {query, variables, operationName}} and
 * `stop` {id}; the server answers `connection_ack` (or `connection_error`), `ka` now and then,
 * `data` {id, payload: result} per event, `error` {id} for protocol misuse, `complete` {id}.
 * GraphQL errors (validation, no such order) come as `data` with `errors`, then `complete`,
 * as the old server did. Everything behind the protocol is shared with graphql-transport-ws
 * (ws-session.ts): the same authentication, limits and subscriptions.
 */
export function serveLegacy(socket: WebSocket, client: ClientInfo, sessions: WsSessions, log: Logger): LegacySession {
  let connection: LiveConnection | undefined;
  let initialising: Promise<void> | undefined;
  /** Running operations by id; null while one is being set up. */
  const operations = new Map<string, AsyncIterator<ExecutionResult> | null>();

  const send = (message: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(JSON.stringify(message), () => resolve());
    });

  const initTimer = setTimeout(() => {
    if (!connection) closeSocket(socket, 4408, 'Connection initialisation timeout');
  }, INIT_TIMEOUT_MS);

  const stop = async (id: string) => {
    const running = operations.get(id);
    operations.delete(id);
    await running?.return?.();
  };

  const run = async (id: string, payload: Record<string, unknown>) => {
    const args = sessions.prepare(connection!, client, payload, id);
    const result = 'schema' in args ? await subscribe(args) : { errors: args };
    if (!operations.has(id)) {
      // stopped (or the socket closed) while it was being set up
      if (Symbol.asyncIterator in result) await result.return?.();
      return;
    }
    if (!(Symbol.asyncIterator in result)) {
      operations.delete(id);
      await send({ type: Message.DATA, id, payload: sessions.format(result, connection) });
      await send({ type: Message.COMPLETE, id });
      return;
    }
    operations.set(id, result);
    try {
      for await (const value of result) await send({ type: Message.DATA, id, payload: sessions.format(value, connection) });
    } catch (error) {
      log.error({ err: error, operation: id }, 'legacy subscription failed');
      await send({ type: Message.ERROR, id, payload: { message: 'Internal server error.' } });
    }
    if (operations.get(id) === result) {
      // the server ended it (e.g. a guest's order was claimed): tell the client
      operations.delete(id);
      await send({ type: Message.COMPLETE, id });
    }
  };

  const handle = async (text: string) => {
    let message: { type?: unknown; id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return send({ type: Message.ERROR, payload: { message: 'Invalid message: not JSON.' } });
    }
    const id = message.id === undefined ? undefined : String(message.id);
    switch (message.type) {
      case Message.CONNECTION_INIT: {
        if (connection || initialising) return closeSocket(socket, 4429, 'Too many initialisation requests');
        initialising = (async () => {
          const opened = await sessions.open(message.payload, client, (code, reason) => closeSocket(socket, code, reason));
          if ('code' in opened) {
            await send({ type: Message.CONNECTION_ERROR, payload: { message: opened.reason } });
            return closeSocket(socket, opened.code, opened.reason);
          }
          if (socket.readyState !== socket.OPEN) return sessions.close(opened);
          connection = opened;
          clearTimeout(initTimer);
          await send({ type: Message.CONNECTION_ACK });
          await send({ type: Message.KEEP_ALIVE });
        })();
        return initialising;
      }
      case Message.START: {
        // Playground's client sends start right after connection_init, without waiting for the ack.
        if (!connection && initialising) await initialising;
        if (!connection) return send({ type: Message.ERROR, id, payload: { message: 'Send connection_init first.' } });
        if (id === undefined) return send({ type: Message.ERROR, payload: { message: 'A start message needs an id.' } });
        if (operations.has(id)) await stop(id); // the protocol: a start with an id in use replaces that operation
        operations.set(id, null);
        const payload = message.payload && typeof message.payload === 'object' ? (message.payload as Record<string, unknown>) : {};
        return void run(id, payload).catch((error) => {
          log.error({ err: error, operation: id }, 'legacy subscription failed');
          operations.delete(id);
          void send({ type: Message.ERROR, id, payload: { message: 'Internal server error.' } });
        });
      }
      case Message.STOP:
        return id === undefined ? undefined : stop(id);
      case Message.CONNECTION_TERMINATE:
        return closeSocket(socket, 1000, 'Terminated by the client');
      default:
        return send({ type: Message.ERROR, id, payload: { message: `Unknown message type: ${String(message.type)}.` } });
    }
  };

  socket.on('message', (data) => {
    handle(String(data)).catch((error) => {
      log.error({ err: error }, 'legacy websocket message failed');
      closeSocket(socket, 4500, 'Internal server error');
    });
  });
  socket.once('close', () => {
    clearTimeout(initTimer);
    const running = [...operations.values()];
    operations.clear();
    for (const it of running) void it?.return?.();
    if (connection) sessions.close(connection);
  });

  return {
    keepAlive() {
      if (connection) void send({ type: Message.KEEP_ALIVE });
    },
  };
}
