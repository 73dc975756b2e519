import type { Request, Response } from 'express';

/** How much of a refused body is read (and thrown away) so the client can read the refusal. */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
export const DRAIN_MAX_MS = 15_000;

/**
 * Sends an early refusal only once the client has finished sending, reading and discarding
 * the rest of its body (at most DRAIN_MAX_BYTES / DRAIN_MAX_MS). Answering and closing while
 * the client still writes makes its TCP stack reset the connection: undici (Node's fetch,
 * Apollo Client in Node) then reports EPIPE/ECONNRESET instead of our 400/413 and its message.
 * Past the bound the connection is closed anyway: nobody gets to stream into us for free.
 */
export function refuseAfterDrain(req: Request, res: Response, send: () => void): void {
  if (req.complete || req.readableEnded) return send();
  let seen = 0;
  let done = false;
  const finish = (close: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off('data', count);
    if (close) res.setHeader('Connection', 'close');
    send();
  };
  const count = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_MAX_BYTES) finish(true);
  };
  const timer = setTimeout(() => finish(true), DRAIN_MAX_MS);
  timer.unref();
  req.on('data', count);
  req.once('end', () => finish(false));
  req.once('error', () => finish(true));
  req.unpipe();
  req.resume();
}
