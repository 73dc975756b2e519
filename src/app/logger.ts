import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout; one line per event, with the request id where there is one. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'gateway' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password'], censor: '[redacted]' },
  });
}
