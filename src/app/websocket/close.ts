import type { WebSocket } from 'ws';

/** How long a client has to answer a close frame before its TCP connection is cut. */
const CLOSE_GRACE_MS = 2000;

/**
 * Closes with a code the client can act on (4401, 4403, 4413 …). A client that does not read —
 * the slow consumer above all, whose close frame waits behind everything it has not read — is
 * cut off after 2 s instead of ws's 30 s close handshake timeout, so its buffers go at once.
 */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  setTimeout(() => {
    if (socket.readyState !== socket.CLOSED) socket.terminate();
  }, CLOSE_GRACE_MS).unref();
}
