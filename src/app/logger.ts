import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs on stdout (or `destination`: tests read what was logged); one line per
 * event, with the request id where there is one.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'gateway' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
