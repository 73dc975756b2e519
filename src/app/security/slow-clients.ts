import type { Server, ServerOptions } from 'node:http';
import type { RequestHandler } from 'express';

export interface SlowClientLimits {
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_MAX_REQUESTS_PER_SOCKET: number;
  HTTP_MIN_BODY_BYTES_PER_SECOND: number;
  HTTP_BODY_RATE_WINDOW_MS: number;
}

/**
 * Node's own limits on slow sockets, for `http.createServer`: the headers must arrive within
 * `headersTimeout` (else 408 and the socket is closed), the whole request within
 * `requestTimeout`. Node checks both every `connectionsCheckingInterval` (30 s by default, so a
 * 10 s limit could take 40 s): here a quarter of the shorter limit, between 100 ms and 5 s.
 */
export function serverOptions(limits: SlowClientLimits): ServerOptions {
  const shorter = Math.min(limits.HTTP_HEADERS_TIMEOUT_MS, limits.HTTP_REQUEST_TIMEOUT_MS);
  return {
    headersTimeout: limits.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeout: limits.HTTP_REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(shorter / 4))),
    keepAliveTimeout: limits.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  };
}

/**
 * Keep-alive limits: an idle connection is closed after `keepAliveTimeout`, and one connection
 * serves at most `maxRequestsPerSocket` requests (the last answer says `Connection: close`).
 */
export function limitKeepAlive(server: Server, limits: SlowClientLimits): void {
  server.keepAliveTimeout = limits.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  server.maxRequestsPerSocket = limits.HTTP_MAX_REQUESTS_PER_SOCKET;
}

/**
 * A floor on how fast a request body arrives: every `HTTP_BODY_RATE_WINDOW_MS` until the body
 * is complete, the socket must have brought at least the floor's worth of bytes, else it is
 * closed (no answer: a client this slow would not read one). Without it a body sent a byte at a
 * time holds a socket and a parser for the whole request timeout. Counted on the socket, so
 * the body parsers read the request as usual; the check ends when the body is complete or the
 * response is sent. Requests without a body are not watched.
 */
export function bodyRateFloor(limits: SlowClientLimits): RequestHandler {
  const { HTTP_MIN_BODY_BYTES_PER_SECOND: floor, HTTP_BODY_RATE_WINDOW_MS: windowMs } = limits;
  const minPerWindow = Math.ceil((floor * windowMs) / 1000);
  return (req, res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!floor || !hasBody || req.complete) return next();
    const socket = req.socket;
    let seen = socket.bytesRead;
    const timer = setInterval(() => {
      if (req.complete || socket.destroyed) return stop();
      const arrived = socket.bytesRead - seen;
      seen = socket.bytesRead;
      if (arrived >= minPerWindow) return;
      stop();
      req.log.info({ arrived, windowMs, minBytesPerSecond: floor, url: req.originalUrl, remoteAddress: req.ip }, 'request body too slow: connection closed');
      socket.destroy();
    }, windowMs);
    timer.unref();
    const stop = () => clearInterval(timer);
    res.once('close', stop);
    next();
  };
}
