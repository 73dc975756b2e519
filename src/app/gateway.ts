import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type ErrorRequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../common/clock';
import { unauthenticated } from '../common/errors';
import { uploadMiddleware } from '../modules/attachments/upload-http';
import { App } from './app';
import type { Config } from './config';
import type { Context } from './context';
import { createDataSource, migrate, SqlCounter } from './data-source';
import { formatError, isClientCode } from './errors-format';
import { Loaders } from './loaders';
import { createLogger } from './logger';
import { mountCardSimulator } from '../modules/payments/providers/simulator-router';
import { payPalWebhookRouter } from '../modules/payments/paypal-webhook';
import { playgroundAssets, playgroundPlugin } from './playground';
import { hardening, trustProxySetting } from './security/hardening';
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
  const ds = createDataSource(options.databaseUrl, { poolSize: config.DATABASE_POOL_SIZE, logger: new SqlCounter() });
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
  const guard = hardening(config);

  const http = express();
  const httpServer = createServer(http);
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
  http.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  http.get('/readyz', async (req, res) => {
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

function logErrors(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isClientCode(error.extensions?.code)) continue;
            (contextValue?.log ?? console).error({ err: error.originalError ?? error, path: error.path }, 'resolver failed');
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
  res.status(status).json({
    errors: [
      {
        message: exposed ? String(error.message) : 'Internal server error.',
        extensions: { code: exposed ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' },
      },
    ],
  });
};
