import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';
import {
  getOperationAST, GraphQLError, parse, specifiedRules, validate,
  type DocumentNode, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule,
} from 'graphql';
import type { Logger } from 'pino';
import { CloseCode, LiveConnection } from '../../modules/subscriptions/live-connection';
import type { App } from '../app';
import { isStaff } from '../auth-checker';
import type { Config } from '../config';
import type { Context } from '../context';
import { formatError, isClientCode } from '../errors-format';
import { Loaders } from '../loaders';
import { countTokens, operationLimitRules } from '../security/operation-limits';
import { operationCost } from '../security/query-cost';
import { withoutSuggestions } from '../security/viewer-policy';

export interface SubscribePayload {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/** Where a WebSocket client comes from, as Express would say for an HTTP request. */
export interface ClientInfo {
  ip: string;
  /** Scheme and host for absolute links (attachment URLs), as `Context.origin`. */
  origin: string;
}

/** Parsed operations kept: as many distinct query texts, each up to this long (real subscriptions are a few hundred characters). */
const DOCUMENT_CACHE = 200;
const CACHED_QUERY_CHARS = 8000;

/**
 * What both WebSocket protocols share: the init message's token → a LiveConnection; a
 * subscribe/start message → execution arguments, after the same operation limits as HTTP
 * (tokens, depth, aliases, directives, cost; websocket/ does not pass through Apollo);
 * and errors formatted as HTTP formats them (no internals). Only subscriptions are served
 * here: queries and mutations go over HTTP, where their limits, logs and request ids live.
 */
export class WsSessions {
  private readonly rules: readonly ValidationRule[];
  private readonly documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  constructor(
    readonly app: App,
    readonly schema: GraphQLSchema,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly http: Express,
  ) {
    this.rules = [...specifiedRules, ...operationLimitRules(config)];
  }

  /** The client's address and origin, computed as Express computes `req.ip` and `req.protocol` (TRUST_PROXY). */
  clientInfo(request: IncomingMessage): ClientInfo {
    // Express never sees an upgrade request; its request prototype reads ip/protocol from any IncomingMessage-like object.
    const view = Object.create(this.http.request, {
      app: { value: this.http },
      headers: { value: request.headers },
      socket: { value: request.socket },
      connection: { value: request.socket },
    }) as { ip?: string; protocol: string };
    const ip = view.ip ?? request.socket.remoteAddress ?? 'unknown';
    const origin = this.config.PUBLIC_BASE_URL ? this.config.publicBaseUrl : `${view.protocol}://${request.headers.host ?? 'localhost'}`;
    return { ip, origin };
  }

  /**
   * connection_init: `{ "authorization": "Bearer …" }` (or `Authorization`, as Playground sends
   * its HTTP HEADERS). No token: a guest connection. A bad token, or too many connections of
   * the account, closes the socket (4401, 4429) — as HTTP refuses such a request whole.
   */
  async open(params: unknown, client: ClientInfo, closeSocket: (code: number, reason: string) => void): Promise<LiveConnection | { code: number; reason: string }> {
    const header = authorizationOf(params);
    let viewer = null;
    let expiresAt = null;
    if (header !== undefined) {
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      const session = match ? await this.app.accounts.sessionFromToken(match[1]) : null;
      if (!session) return { code: CloseCode.UNAUTHORIZED, reason: 'The token is invalid or has expired: sign in again.' };
      ({ account: viewer, expiresAt } = session);
    }
    const connection = new LiveConnection(viewer, expiresAt, client.ip, closeSocket);
    if (!this.app.live.hub.connect(connection)) {
      const max = this.config.SUBSCRIPTIONS_MAX_CONNECTIONS_PER_ACCOUNT;
      return { code: CloseCode.TOO_MANY_CONNECTIONS, reason: `Too many connections: at most ${max} per account${viewer ? '' : ' (guests: per address)'}.` };
    }
    return connection;
  }

  /** The socket is gone: its subscriptions end. */
  close(connection: LiveConnection): void {
    this.app.live.hub.disconnect(connection);
  }

  /** A subscribe (or legacy start) message → what graphql-js `subscribe` runs, or the errors to answer with. */
  prepare(connection: LiveConnection, client: ClientInfo, payload: SubscribePayload, operationId: string): ExecutionArgs | readonly GraphQLError[] {
    if (typeof payload?.query !== 'string') return [refusal('The message has no query text.', 'BAD_REQUEST')];
    const variables = payload.variables ?? undefined;
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
      return [refusal('`variables` must be an object.', 'BAD_REQUEST')];
    }
    const operationName = typeof payload.operationName === 'string' ? payload.operationName : undefined;
    const document = this.document(payload.query);
    if (!('kind' in document)) return document;
    const operation = getOperationAST(document, operationName);
    if (!operation) return [refusal('Unable to identify the operation: name one with operationName.', 'BAD_REQUEST')];
    if (operation.operation !== 'subscription') {
      return [refusal(`Only subscriptions are served over WebSocket; send ${operation.operation === 'mutation' ? 'mutations' : 'queries'} as HTTP POST to /graphql.`, 'BAD_REQUEST')];
    }
    const variableValues = (variables ?? undefined) as Record<string, unknown> | undefined;
    let cost: number;
    try {
      cost = operationCost(this.schema, document, this.config.GRAPHQL_LIST_COST, variableValues, operationName);
    } catch {
      cost = 0; // variables that do not fit: execution refuses them with its own error
    }
    if (cost > this.config.GRAPHQL_MAX_COST) {
      return [
        new GraphQLError(`This operation is too expensive: its estimated cost is ${cost}, the limit is ${this.config.GRAPHQL_MAX_COST}. Ask for smaller pages (first) or fewer nested lists.`, {
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', cost, maxCost: this.config.GRAPHQL_MAX_COST },
        }),
      ];
    }
    const log = this.log;
    const contextValue: Context = {
      app: this.app,
      requestId: `ws-${connection.id}-${operationId}`,
      ip: client.ip,
      get viewer() {
        return connection.viewer; // as read again while the connection lives (LiveHub.recheck)
      },
      get log() {
        return log.child({ connection: connection.id, operation: operationId });
      },
      origin: client.origin,
      loaders: new Loaders(),
      connection,
    };
    return { schema: this.schema, document, operationName, variableValues, contextValue };
  }

  /** Parsed and validated once per distinct (short) query text, as Apollo caches its documents. */
  private document(query: string): DocumentNode | readonly GraphQLError[] {
    const known = this.documents.get(query);
    if (known) return known;
    let result: DocumentNode | readonly GraphQLError[];
    const max = this.config.GRAPHQL_MAX_TOKENS;
    if (query.length > max && countTokens(query, max) > max) {
      result = [new GraphQLError(`Token limit of ${max} exceeded. Simplify the operation.`, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'tokens' } })];
    } else {
      try {
        const document = parse(query);
        const errors = validate(this.schema, document, this.rules);
        result = errors.length ? errors.map(validationFailed) : document;
      } catch (error) {
        result = [error instanceof GraphQLError ? new GraphQLError(error.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }) : refusal('The query could not be parsed.', 'GRAPHQL_PARSE_FAILED')];
      }
    }
    if (query.length <= CACHED_QUERY_CHARS) {
      if (this.documents.size >= DOCUMENT_CACHE) this.documents.delete(this.documents.keys().next().value!);
      this.documents.set(query, result);
    }
    return result;
  }

  /** A result as HTTP would answer it: client errors as they are, anything else masked (and logged). */
  format(result: ExecutionResult, connection: LiveConnection | undefined): FormattedExecutionResult {
    if (!result.errors?.length) return result.data === undefined ? {} : { data: result.data };
    return { ...(result.data !== undefined ? { data: result.data } : {}), errors: this.formatErrors(result.errors, connection) };
  }

  formatErrors(errors: readonly GraphQLError[], connection: LiveConnection | undefined): GraphQLFormattedError[] {
    const hideHints = this.config.NODE_ENV === 'production' && !isStaff(connection?.viewer);
    return errors.map((error) => {
      const formatted = formatError(error.toJSON(), error);
      if (!isClientCode(formatted.extensions?.code)) {
        this.log.error({ err: error.originalError ?? error, path: error.path, connection: connection?.id }, 'subscription failed');
      }
      return hideHints ? { ...formatted, message: withoutSuggestions(formatted.message) } : formatted;
    });
  }
}

/** The token as the client put it in its init payload; undefined when there is none. */
function authorizationOf(params: unknown): unknown {
  if (!params || typeof params !== 'object') return undefined;
  const p = params as Record<string, unknown>;
  const value = p.authorization ?? p.Authorization;
  return value === '' || value === null ? undefined : value;
}

function refusal(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** Validation errors carry GRAPHQL_VALIDATION_FAILED, as Apollo reports them (the limits bring their own extensions). */
function validationFailed(error: GraphQLError): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}
