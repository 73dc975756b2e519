import type { Socket } from 'node:net';
import type { Request, Response } from 'express';

/** How much of a refused body is read (and thrown away) so the client can read the refusal. */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
export const DRAIN_MAX_MS = 15_000;

/**
 * Sends an early refusal at once, with `Connection: close`, and then closes the connection
 * the way nginx's lingering close does: our side is shut after the response (FIN), and what
 * the client still sends is read and thrown away (at most DRAIN_MAX_BYTES, DRAIN_MAX_MS)
 * before the socket is destroyed. Node's own close destroys the socket as soon as the
 * response is out; a client still writing its body then gets a TCP reset, which undici
 * (Node's fetch, Apollo Client in Node) reports as EPIPE/ECONNRESET instead of our status
 * and message. Node's HTTP server ends a `Connection: close` exchange by calling the socket's
 * `destroySoon`; for this one socket that call lingers instead.
 */
export function refuseAfterDrain(req: Request, res: Response, send: () => void): void {
  if (!req.complete && !req.readableEnded) {
    res.setHeader('Connection', 'close');
    const socket = req.socket as Socket & { destroySoon?: () => void };
    socket.destroySoon = () => linger(socket);
    // No more of the body goes to a parser (graphql-upload's): its spooled files are released with the response.
    req.unpipe();
  }
  send();
}

function linger(socket: Socket): void {
  let seen = 0;
  const done = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(done, DRAIN_MAX_MS);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_MAX_BYTES) done();
  });
  socket.once('end', done);
  socket.once('error', done);
  socket.end();
  socket.resume();
}
