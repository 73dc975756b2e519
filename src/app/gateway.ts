import 'reflect-metadata';
import { refuseAfterDrain } from './security/drain';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type ErrorRequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { systemClock, type Clock } from '../common/clock';
import { DomainError, unauthenticated } from '../common/errors';
import { uploadMiddleware } from '../modules/attachments/upload-http';
import { App } from './app';
import { transactionLimits, type Config } from './config';
import type { Context } from './context';
import { createDataSource, migrate, SqlCounter } from './data-source';
import { formatError, isBusy, isClientCode } from './errors-format';
import { pgCode } from '../common/transaction';
import { Loaders } from './loaders';
import { createLogger } from './logger';
import { mountCardSimulator } from '../modules/payments/providers/simulator-router';
import { payPalWebhookRouter } from '../modules/payments/paypal-webhook';
import { playgroundAssets, playgroundPlugin } from './playground';
import { hardening, trustProxySetting } from './security/hardening';
import { bodyRateFloor, limitKeepAlive, serverOptions } from './security/slow-clients';
import { jitExecution } from './jit-executor';
import { requestLog } from './request-log';
import { buildGatewaySchema } from './schema';
import { attachWebSockets } from './websocket/ws-server';

export interface GatewayOptions {
  config: Config;
  databaseUrl: string;
  clock?: Clock;
  log?: Logger;
}

export interface Gateway {
  app: App;
  /** e.g. http://localhost:4000/graphql */
  url: string;
  httpServer: Server;
  /** Stops taking requests, lets in-flight ones finish, closes the pool. Safe to call twice. */
  stop(): Promise<void>;
}

/** Connects, migrates and serves. Used by `npm start` and by every test file. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const ds = createDataSource(options.databaseUrl, { poolSize: config.DATABASE_POOL_SIZE, logger: new SqlCounter(), limits: transactionLimits(config) });
  await ds.initialize();
  try {
    const applied = await migrate(ds);
    if (applied) log.info({ applied }, 'migrations applied');
  } catch (error) {
    await ds.destroy();
    throw error;
  }
  const app = new App(config, ds, options.clock ?? systemClock, log);
  try {
    await app.rateLimits.ready();
  } catch (error) {
    await ds.destroy();
    throw error;
  }
  if (!config.receiptIssuer) log.warn('receipts (領収書) are off: set OPERATOR_NAME and INVOICE_REGISTRATION_NUMBER');
  const guard = hardening(config);

  const http = express();
  const httpServer = createServer(serverOptions(config), http);
  limitKeepAlive(httpServer, config);
  const schema = await buildGatewaySchema();
  const apollo = new ApolloServer<Context>({
    gateway: jitExecution(schema),
    formatError,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    persistedQueries: false,
    csrfPrevention: true,
    // main.ts owns SIGINT/SIGTERM (drain, then close the pool, then stop PostgreSQL).
    stopOnTerminationSignals: false,
    // Staff only in production, decided per request (security/viewer-policy.ts).
    introspection: true,
    validationRules: guard.validationRules,
    plugins: [
      ...guard.plugins,
      // No cache hints are used; without this Apollo wraps every field's resolver to collect them (docs/benchmarks.md).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.SHUTDOWN_GRACE_MS }),
      playgroundPlugin(guard.onPlaygroundPage),
      logErrors(),
    ],
  });
  await apollo.start();

  http.disable('x-powered-by');
  // GraphQL answers POSTs, never revalidated: hashing each body for an ETag is wasted work.
  http.set('etag', false);
  if (config.TRUST_PROXY) http.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  http.use(guard.headers);
  http.use(requestLog(log, (path) => path === '/healthz' || path === '/readyz'));
  http.use(bodyRateFloor(config));
  http.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  http.get('/readyz', async (req, res) => {
    // Every pooled connection busy and requests queued for one: not ready (a load balancer sends
    // traffic elsewhere), answered without queueing behind them.
    const pool = poolUse(ds);
    if (pool && pool.idle === 0 && pool.waiting > 0 && pool.total >= pool.max) {
      req.log.warn({ pool }, 'readiness check: database pool exhausted');
      res.status(503).json({ status: 'database pool exhausted', pool });
      return;
    }
    try {
      await ds.query('SELECT 1');
      const pending = await ds.showMigrations();
      res.status(pending ? 503 : 200).json({ status: pending ? 'migrations pending' : 'ready' });
    } catch (error) {
      req.log.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  http.use(playgroundAssets());
  http.use(app.attachmentLinks.router());
  http.use(app.receipts.router());
  mountCardSimulator(http, httpServer, app.cardProvider);
  http.use(payPalWebhookRouter(app)); // raw body for the signature: before any JSON parser
  http.use(
    '/graphql',
    cors({ origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false, maxAge: 600 }),
    ...guard.jsonBody,
    // File uploads: CSRF check before any body is read, then graphql-upload (see upload-http.ts).
    ...uploadMiddleware(),
    ...guard.beforeApollo,
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<Context> => ({
        app,
        requestId: String(req.id),
        ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
        viewer: await viewerFrom(app, req.headers.authorization),
        get log() {
          return req.log; // made on first use (request-log.ts)
        },
        loaders: new Loaders(),
        origin: config.PUBLIC_BASE_URL ? config.publicBaseUrl : `${req.protocol}://${req.get('host')}`,
      }),
    }),
  );
  http.use(jsonErrors);

  // Subscriptions: WebSocket upgrades of /graphql (docs/subscriptions.md), fed by LISTEN/NOTIFY or Redis.
  try {
    await app.live.start(options.databaseUrl);
  } catch (error) {
    await apollo.stop();
    await app.rateLimits.close();
    await ds.destroy();
    throw error;
  }
  const webSockets = attachWebSockets({ httpServer, http, app, schema, config, log });

  await new Promise<void>((resolve) => httpServer.listen(config.PORT, config.HOST, resolve));
  const { port } = httpServer.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    app,
    url: `http://localhost:${port}/graphql`,
    httpServer,
    stop: () =>
      (stopping ??= (async () => {
        await webSockets.close(); // subscribers first: an upgraded socket is not an HTTP request to drain
        await app.live.stop();
        log.debug('subscriptions closed');
        await apollo.stop(); // drains the HTTP server first
        log.debug('http server drained');
        if (ds.isInitialized) await ds.destroy();
        log.debug('database pool closed');
        await app.rateLimits.close();
      })()),
  };
}

/** A request with a token that is forged, expired or for a removed account is refused whole. */
async function viewerFrom(app: App, header: string | undefined) {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const account = match ? await app.accounts.fromToken(match[1]) : null;
  if (!account) {
    const error = unauthenticated('The token is invalid or has expired: sign in again.');
    throw new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 401 } } });
  }
  return account;
}

/**
 * Bugs at error level with their stack. A query's business refusal (a DomainError, answered as
 * BAD_USER_INPUT, e.g. `businessCalendar(month: 13)`) is one info line without a stack: anyone
 * can send one, and the error log is for what needs fixing. Other client errors are not logged.
 */
function logErrors(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          const log = contextValue?.log;
          for (const error of errors) {
            const refusal = unwrapResolverError(error);
            if (refusal instanceof DomainError) {
              const [first] = refusal.errors;
              log?.info({ reason: first.code, field: first.field, path: error.path, message: refusal.message }, 'query refused');
              continue;
            }
            if (isClientCode(error.extensions?.code)) continue;
            if (isBusy(refusal)) {
              // Load, not a bug: one line without a stack, so a busy minute cannot flood the error log.
              (log ?? console).warn({ code: pgCode(refusal), path: error.path }, 'request stopped at a database limit (SERVICE_BUSY)');
              continue;
            }
            (log ?? console).error({ err: error.originalError ?? error, path: error.path }, 'resolver failed');
          }
        },
      };
    },
  };
}

/** Errors raised outside GraphQL (body parser, uploads) as GraphQL-shaped JSON, never an HTML page. */
const jsonErrors: ErrorRequestHandler = (error, req, res, _next) => {
  const status = Number(error?.status ?? error?.statusCode ?? 500);
  const exposed = status < 500 && error?.expose !== false;
  if (!exposed) req.log?.error({ err: error }, 'request failed');
  // An upload refused part-way (too many files, too large): the rest of the body is drained so the client reads this.
  refuseAfterDrain(req, res, () =>
    res.status(status).json({
      errors: [
        {
          message: exposed ? String(error.message) : 'Internal server error.',
          extensions: { code: exposed ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' },
        },
      ],
    }),
  );
};

/** The pg pool's use (node-postgres counters), or null if the driver does not expose them. */
function poolUse(ds: DataSource): { total: number; idle: number; waiting: number; max: number } | null {
  const pool = (ds.driver as unknown as { master?: { totalCount?: number; idleCount?: number; waitingCount?: number; options?: { max?: number } } }).master;
  if (typeof pool?.totalCount !== 'number' || typeof pool.waitingCount !== 'number') return null;
  return { total: pool.totalCount, idle: pool.idleCount ?? 0, waiting: pool.waitingCount, max: pool.options?.max ?? pool.totalCount };
}
