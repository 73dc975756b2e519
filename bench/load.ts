import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  /** Transport errors, timeouts and non-2xx answers together. */
  failures: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /** One fixed body, or a body per request (e.g. a different order each time). */
  body: string | (() => string);
  /** Checks a sample of answers (a body that is not an error); counted as failures otherwise. */
  check?: (body: string) => boolean;
}

/** One autocannon run: POSTs at `connections` concurrent connections for `durationSeconds`. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  let failed = 0;
  let sampled = 0;
  const body = options.body;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        ...(typeof body === 'string' ? { body } : { setupRequest: (req: any) => ({ ...req, body: body() }) }),
        onResponse: (status: number, responseBody: string) => {
          // Every 50th answer is parsed: enough to catch errors without loading the client.
          if (options.check && sampled++ % 50 === 0 && (status !== 200 || !options.check(responseBody))) failed++;
        },
      },
    ],
  });
  const result = await instance;
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx + failed,
  };
}

/** The answer has data and no errors. */
export const isData = (body: string) => {
  try {
    const json = JSON.parse(body);
    return !json.errors && json.data !== undefined && !Object.values(json.data).some((v: any) => v?.userErrors?.length);
  } catch {
    return false;
  }
};
