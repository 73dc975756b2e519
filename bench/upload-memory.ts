import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';

/**
 * Memory under concurrent uploads: N clients each send one GraphQL multipart request with
 * `filesPerClient` files of `fileBytes` bytes, at the same time, while this process samples
 * its own memory. Call it in the process that runs the gateway (it measures
 * `process.memoryUsage()` of *this* process), after the gateway has started. The files are
 * generated while they are sent (a PDF header, then a reused 64 KiB block), so the clients
 * themselves hold almost nothing: the growth is the server's.
 *
 * Run node with --expose-gc for a steadier baseline.
 */
export interface UploadMemoryOptions {
  /** The gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql (loopback only). */
  url: string;
  /** The multipart operation, e.g. `mutation($input: MessageSendInput!) { messageSend(input: $input) { … } }`. */
  query: string;
  /** Variables; the files are placed at `filesPath` inside them. */
  variables?: Record<string, unknown>;
  /** Variables per client (e.g. each its own order), in place of `variables`. */
  variablesFor?: (client: number) => Record<string, unknown>;
  /** Dotted path of the files list inside `variables`, e.g. "input.files". */
  filesPath: string;
  clients: number;
  filesPerClient?: number;
  /** Bytes per file; default 10 MiB, the largest file accepted. */
  fileBytes?: number;
  /** Extra headers per client (e.g. its bearer token). Apollo-Require-Preflight is always sent. */
  headers?: (client: number) => Record<string, string>;
  sampleEveryMs?: number;
}

export interface MemoryFigures {
  rss: number;
  heapUsed: number;
}

export interface UploadMemoryResult {
  clients: number;
  filesPerClient: number;
  fileBytes: number;
  /** Bytes sent by all clients together. */
  bytesSent: number;
  durationMs: number;
  samples: number;
  baseline: MemoryFigures;
  peak: MemoryFigures;
  /** Peak minus baseline: what the concurrent uploads cost the process. */
  peakGrowth: MemoryFigures;
  /** One per client: HTTP status and the response body (JSON text, cut to 500 characters). */
  responses: { status: number; body: string }[];
}

const MiB = 1024 * 1024;
const BLOCK = Buffer.alloc(64 * 1024, 0x20);
const PDF_HEAD = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1');

export async function measureUploadMemory(options: UploadMemoryOptions): Promise<UploadMemoryResult> {
  const filesPerClient = options.filesPerClient ?? 3;
  const fileBytes = options.fileBytes ?? 10 * MiB;
  const target = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`upload-memory sends traffic to this machine only, not ${target.hostname}`);
  }

  (globalThis as { gc?: () => void }).gc?.();
  const baseline = sample();
  const peak = { ...baseline };
  let samples = 0;
  const timer = setInterval(() => {
    const now = sample();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
    samples++;
  }, options.sampleEveryMs ?? 20);

  const started = performance.now();
  try {
    const responses = await Promise.all(
      Array.from({ length: options.clients }, (_, client) =>
        sendOne(target, options, client, filesPerClient, fileBytes),
      ),
    );
    const durationMs = Math.round(performance.now() - started);
    return {
      clients: options.clients,
      filesPerClient,
      fileBytes,
      bytesSent: options.clients * filesPerClient * fileBytes,
      durationMs,
      samples,
      baseline,
      peak,
      peakGrowth: { rss: peak.rss - baseline.rss, heapUsed: peak.heapUsed - baseline.heapUsed },
      responses,
    };
  } finally {
    clearInterval(timer);
  }
}

function sample(): MemoryFigures {
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** One client's request, written part by part and honouring back-pressure. */
function sendOne(
  target: URL,
  options: UploadMemoryOptions,
  client: number,
  files: number,
  fileBytes: number,
): Promise<{ status: number; body: string }> {
  const boundary = `----benchboundary${randomBytes(8).toString('hex')}`;
  const variables = structuredClone(options.variablesFor?.(client) ?? options.variables ?? {});
  setPath(variables, options.filesPath, Array.from({ length: files }, () => null));
  const map = Object.fromEntries(
    Array.from({ length: files }, (_, i) => [String(i), [`variables.${options.filesPath}.${i}`]]),
  );
  const field = (name: string, value: string) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  const fileHead = (i: number) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${i}"; filename="bench-${client}-${i}.pdf"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    );
  const preamble = Buffer.concat([
    field('operations', JSON.stringify({ query: options.query, variables })),
    field('map', JSON.stringify(map)),
  ]);
  const closing = Buffer.from(`--${boundary}--\r\n`);
  let length = preamble.length + closing.length;
  for (let i = 0; i < files; i++) length += fileHead(i).length + fileBytes + 2;

  return new Promise((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(length),
        'apollo-require-preflight': 'true',
        ...options.headers?.(client),
      },
    });
    req.on('error', reject);
    req.on('response', async (res) => {
      let body = '';
      for await (const chunk of res) body += chunk;
      resolve({ status: res.statusCode ?? 0, body: body.slice(0, 500) });
    });
    (async () => {
      await write(req, preamble);
      for (let i = 0; i < files; i++) {
        await write(req, fileHead(i));
        await write(req, PDF_HEAD);
        for (let left = fileBytes - PDF_HEAD.length; left > 0; left -= BLOCK.length) {
          await write(req, left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left));
        }
        await write(req, Buffer.from('\r\n'));
      }
      req.end(closing);
    })().catch((error) => req.destroy(error));
  });
}

function write(req: NodeJS.WritableStream, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (req.write(chunk)) return resolve();
    const onDrain = () => {
      req.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      req.off('drain', onDrain);
      reject(error);
    };
    req.once('drain', onDrain);
    req.once('error', onError);
  });
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown) {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}
