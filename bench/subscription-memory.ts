import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { QUANTITY_CHANGE } from './queries';
import { httpClient, ok, type Actor } from './seed';

export interface SubscriptionFigures {
  connections: number;
  /** RSS of the gateway process once every connection is subscribed and idle, minus before (each after a full GC). */
  growthMiB: number;
  perConnectionKiB: number;
  heapGrowthMiB: number;
  /** The same without the GC first: what `ps` shows, young garbage of the subscribing included. */
  growthNoGcMiB: number;
  /** One committed change until every subscriber had it. */
  fanOutMs: number;
  subscribeSeconds: number;
}

/** The gateway under measurement: a process of its own that reports its memory on request. */
export interface MeasuredGateway {
  url: string;
  /** RSS as it is, then RSS and heap after a full GC. */
  memory(): Promise<{ rssNow: number; rss: number; heapUsed: number }>;
}

const MiB = 1024 * 1024;
const SUBSCRIPTION = `subscription($id: ID!) { orderUpdated(orderId: $id) { id status items { id quantity } } }`;

/**
 * N idle graphql-ws connections (one subscription each, `orderUpdated` of the owner's order),
 * opened from this process against a gateway process of its own, so the gateway's memory says
 * what they cost; then one change to that order, and the time until all N subscribers had it.
 */
export async function measureSubscriptions(options: {
  gateway: MeasuredGateway;
  owner: Actor;
  orderId: string;
  itemId: string;
  connections: number;
}): Promise<SubscriptionFigures> {
  const { connections, gateway } = options;
  const clients: WsClient[] = [];
  try {
    const httpUrl = gateway.url;
    // Warm it up as a running gateway would be: one subscriber, one change, then gone.
    await subscribeAll(httpUrl, options, 1, clients, []);
    await change(httpUrl, options, 3);
    for (const c of clients.splice(0)) await c.dispose();
    await new Promise((r) => setTimeout(r, 1000));
    const before = await gateway.memory();

    const started = performance.now();
    const received: number[] = [];
    await subscribeAll(httpUrl, options, connections, clients, received);
    const subscribeSeconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 3000)); // idle: keep-alives only
    const after = await gateway.memory();

    const changed = performance.now();
    await change(httpUrl, options, 2);
    while (received.filter(Boolean).length < connections) {
      if (performance.now() - changed > 30_000) throw new Error(`only ${received.filter(Boolean).length} of ${connections} subscribers got the change within 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const fanOutMs = Math.max(...received) - changed;
    return {
      connections,
      growthMiB: (after.rss - before.rss) / MiB,
      perConnectionKiB: (after.rss - before.rss) / 1024 / connections,
      heapGrowthMiB: (after.heapUsed - before.heapUsed) / MiB,
      growthNoGcMiB: (after.rssNow - before.rssNow) / MiB,
      fanOutMs,
      subscribeSeconds,
    };
  } finally {
    for (const c of clients) await c.dispose();
  }
}

async function change(httpUrl: string, options: { owner: Actor; itemId: string }, quantity: number) {
  const res = await httpClient(httpUrl).gql(QUANTITY_CHANGE, { input: { itemId: options.itemId, quantity } }, { token: options.owner.token });
  ok(res, 'orderItemQuantityChange');
}
/** Opens `count` connections, 100 at a time, each with one subscription; resolves once all are acknowledged and subscribed. */
async function subscribeAll(httpUrl: string, options: { owner: Actor; orderId: string }, count: number, clients: WsClient[], received: number[]) {
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) => {
        const index = i + j;
        return new Promise<void>((resolve, reject) => {
          const client = createClient({
            url: httpUrl.replace(/^http/, 'ws'),
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${options.owner.token}` },
            retryAttempts: 0,
            lazy: false,
            onNonLazyError: reject,
            on: { connected: () => setTimeout(resolve, 50) },
          });
          clients.push(client);
          client.subscribe(
            { query: SUBSCRIPTION, variables: { id: options.orderId } },
            {
              next: (result) => {
                if (result.errors) reject(new Error(JSON.stringify(result.errors)));
                received[index] ||= performance.now();
              },
              error: reject,
              complete: () => undefined,
            },
          );
        });
      }),
    );
  }
}
