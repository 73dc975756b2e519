import type { IncomingMessage } from 'node:http';
import { CloseCode as GraphqlWsCloseCode, makeServer } from 'graphql-ws';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { LiveConnection } from '../../modules/subscriptions/live-connection';
import { closeSocket } from './close';
import type { ClientInfo, WsSessions } from './ws-session';

interface Extra {
  socket: WebSocket;
  request: IncomingMessage;
  connection?: LiveConnection;
}

/**
 * The `graphql-transport-ws` protocol, spoken by the `graphql-ws` library's own server
 * (`makeServer`): connection_init → connection_ack, subscribe → next… → complete, ping/pong.
 * Wired by hand rather than with `useServer` so that one `ws` server can also speak the legacy
 * protocol, and so that a message is only "sent" once the socket took it: a client that does
 * not read stalls its sender, and its queue (LiveSubscription) fills up instead of memory.
 */
export function serveTransportWs(socket: WebSocket, request: IncomingMessage, client: ClientInfo, sessions: WsSessions, log: Logger): void {
  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    schema: sessions.schema,
    connectionInitWaitTimeout: 3000,
    onConnect: async (ctx) => {
      const opened = await sessions.open(ctx.connectionParams, client, (code, reason) => closeSocket(socket, code, reason));
      if ('code' in opened) {
        closeSocket(socket, opened.code, opened.reason);
        return false;
      }
      ctx.extra.connection = opened;
      return true;
    },
    onSubscribe: (ctx, id, payload) => sessions.prepare(ctx.extra.connection!, client, payload, id),
    onNext: (ctx, _id, _payload, _args, result) => sessions.format(result, ctx.extra.connection),
    onError: (ctx, _id, _payload, errors) => sessions.formatErrors(errors, ctx.extra.connection),
  });

  const extra: Extra = { socket, request };
  const closed = server.opened(
    {
      protocol: socket.protocol,
      send: (data) =>
        new Promise<void>((resolve, reject) => {
          if (socket.readyState !== socket.OPEN) return resolve();
          socket.send(data, (error) => (error ? reject(error) : resolve()));
        }),
      close: (code, reason) => closeSocket(socket, code ?? 1000, reason ?? ''),
      onMessage: (handle) =>
        socket.on('message', async (data) => {
          try {
            await handle(String(data));
          } catch (error) {
            log.error({ err: error }, 'websocket message failed');
            closeSocket(socket, GraphqlWsCloseCode.InternalServerError, 'Internal server error');
          }
        }),
    },
    extra,
  );
  socket.once('close', (code, reason) => {
    if (extra.connection) sessions.close(extra.connection);
    void closed(code, String(reason));
  });
}
