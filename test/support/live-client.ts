import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** The ws:// address of a gateway's http:// GraphQL URL. */
export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws').replace('localhost', '127.0.0.1');
}

/** Waits until `condition()` holds (polling), or fails after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one subscription received: results in order, then how it ended. */
export class Stream<T = any> {
  readonly results: ExecutionResult<T>[] = [];
  /** The close event (e.g. code 4401) or error that ended it; undefined if it completed or still runs. */
  error?: { code?: number; reason?: string } | unknown;
  done = false;
  readonly receivedAt: number[] = [];
  dispose: () => void = () => undefined;

  readonly sink = {
    next: (value: ExecutionResult<T>) => {
      this.results.push(value);
      this.receivedAt.push(Date.now());
    },
    error: (error: unknown) => {
      this.error = error;
      this.done = true;
    },
    complete: () => {
      this.done = true;
    },
  };

  /** The n-th result (0-based), waiting for it. */
  async nth(n: number, timeoutMs = 5000): Promise<ExecutionResult<T>> {
    await until(() => this.results.length > n || (this.done && this.results.length <= n), timeoutMs, `result #${n}`);
    if (this.results.length <= n) throw new Error(`the subscription ended after ${this.results.length} results: ${JSON.stringify(this.error ?? 'completed')}`);
    return this.results[n];
  }

  async ended(timeoutMs = 5000): Promise<void> {
    await until(() => this.done, timeoutMs, 'the end of the subscription');
  }

  get closeCode(): number | undefined {
    return (this.error as { code?: number } | undefined)?.code;
  }
}

/** A graphql-ws client as web and mobile apps use it; the token goes in the init payload. No retries. */
export function liveClient(httpUrl: string, token?: string | null): Client & { subscribeTo<T = any>(query: string, variables?: Record<string, unknown>): Stream<T> } {
  const client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    shouldRetry: () => false,
    lazyCloseTimeout: 0,
  });
  return Object.assign(client, {
    subscribeTo<T = any>(query: string, variables?: Record<string, unknown>): Stream<T> {
      const stream = new Stream<T>();
      stream.dispose = client.subscribe<T>({ query, variables }, stream.sink);
      return stream;
    },
  });
}

/** A WebSocket speaking JSON messages by hand (the legacy protocol, or graphql-transport-ws without a library). */
export class RawSocket {
  readonly messages: any[] = [];
  closed?: { code: number; reason: string };
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
  }

  static async open(httpUrl: string, protocol?: string): Promise<RawSocket> {
    const ws = new WebSocket(wsUrl(httpUrl), protocol === undefined ? [] : [protocol]);
    const socket = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first message (from `from` on) matching `match`, waiting for it. */
  async waitFor(match: (m: any) => boolean, timeoutMs = 5000, from = 0): Promise<any> {
    await until(() => this.messages.slice(from).some(match) || this.closed !== undefined, timeoutMs, 'a message');
    const found = this.messages.slice(from).find(match);
    if (!found) throw new Error(`the socket closed (${JSON.stringify(this.closed)}) first; messages: ${JSON.stringify(this.messages).slice(0, 1000)}`);
    return found;
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    await until(() => this.closed !== undefined, timeoutMs, 'the socket to close');
    return this.closed!;
  }

  close(): void {
    this.ws.close();
  }
}
