import { connect, type Socket } from 'node:net';
import { createLogger } from '../src/app/logger';
import { startTestGateway, type TestGateway } from './support/gateway';

// Issue 14, item 5: sockets that send their headers or body a byte at a time are closed, idle
// keep-alive connections are bounded, and a query's business refusal is an info line without
// a stack (anyone can send one; the error log is for bugs). Timeouts are short here so the
// test is quick; the defaults are in docs/hardening.md.
let gw: TestGateway;
let port: number;
const logged: any[] = [];

beforeAll(async () => {
  const log = createLogger('info', { write: (line: string) => void logged.push(JSON.parse(line)) });
  gw = await startTestGateway(
    {
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '10000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '200',
      HTTP_MAX_REQUESTS_PER_SOCKET: '2',
      HTTP_MIN_BODY_BYTES_PER_SECOND: '100',
      HTTP_BODY_RATE_WINDOW_MS: '500',
    },
    { log },
  );
  port = Number(new URL(gw.url).port);
});
afterAll(() => gw.close());

/** A raw connection that records what it received and when it was closed. */
function rawSocket(): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    const opened = Date.now();
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now() - opened)));
    socket.on('error', () => {}); // a reset is a close too
    socket.once('connect', () => resolve({ socket, received: () => received, closed }));
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` until it is written or the socket closes. */
function dribble(socket: Socket, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]);
  }, everyMs);
  return () => clearInterval(timer);
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms))]);

describe('slow clients', () => {
  it('closes a socket that sends its headers a byte at a time once the headers timeout passes', async () => {
    // given a client that dribbles a request's headers, 10 bytes a second, for ever
    const { socket, received, closed } = await rawSocket();
    const stop = dribble(socket, `POST /graphql HTTP/1.1\r\nHost: x\r\n${'X-Slow: a\r\n'.repeat(1000)}`, 100);

    // then the server answers 408 and closes it within the headers timeout (2 s) and its check interval
    const after = await within(closed, 5000);
    stop();
    expect(after).not.toBe('still open');
    expect(after).toBeGreaterThanOrEqual(1900);
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a socket whose body arrives slower than the floor', async () => {
    // given complete headers announcing a body, then the body at 10 bytes a second (floor: 100)
    const { socket, closed } = await rawSocket();
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
    const stop = dribble(socket, `{"query":"${'a'.repeat(99_990)}"}`, 100);

    // then it is closed after a window or two, long before the request timeout (10 s)
    const after = await within(closed, 3000);
    stop();
    expect(after).not.toBe('still open');
    const line = logged.find((l) => l.msg === 'request body too slow: connection closed');
    expect(line).toMatchObject({ level: 30, minBytesPerSecond: 100 });
  });

  it('lets a body above the floor through, however long it takes within the request timeout', async () => {
    // given a body sent in 50-byte pieces every 100 ms (500 bytes a second) for about 2 s
    const { socket, received, closed } = await rawSocket();
    const body = JSON.stringify({ query: `{ __typename ${' '.repeat(900)}}` });
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`);
    for (let i = 0; i < body.length; i += 50) {
      socket.write(body.slice(i, i + 50));
      await new Promise((r) => setTimeout(r, 100));
    }

    // then it is answered
    await within(closed, 5000);
    expect(received()).toMatch(/^HTTP\/1\.1 200/);
    expect(received()).toContain('{"data":{"__typename":"Query"}}');
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, and ends a busy one after its request budget', async () => {
    const get = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    // an idle connection after one request: closed after the keep-alive timeout (200 ms; Node
    // waits 1 s more than it announces, so that a client never reuses a connection being closed)
    const idle = await rawSocket();
    idle.socket.write(get);
    const after = await within(idle.closed, 3000);
    expect(after).not.toBe('still open');
    expect(after).toBeGreaterThanOrEqual(150);
    expect(after).toBeLessThan(1900); // before the headers timeout (2 s) would have

    // a connection that has carried its 2 requests: the 2nd answer says Connection: close, and
    // the server closes it even if the client does not
    const busy = await rawSocket();
    busy.socket.write(get);
    await new Promise((r) => setTimeout(r, 100));
    busy.socket.write(get);
    expect(await within(busy.closed, 3000)).not.toBe('still open');
    expect(busy.received().match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(busy.received()).toMatch(/Keep-Alive: timeout=\d+, max=2[\s\S]*Connection: close\r\n/);
  });
});

describe('business refusals of queries', () => {
  it('logs businessCalendar(month: 13) at info, without a stack, and answers BAD_USER_INPUT', async () => {
    // when
    logged.length = 0;
    const res = await gw.gql('{ businessCalendar(year: 2026, month: 13) { days { date } } }');

    // then the client sees a BAD_USER_INPUT error, and the log one info line
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID' });
    await new Promise((r) => setTimeout(r, 50));
    const lines = logged.filter((l) => l.msg !== 'request completed');
    expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'query refused', reason: 'INVALID', path: ['businessCalendar'] })]);
    expect(JSON.stringify(logged)).not.toMatch(/stack|"err"/);
    expect(logged.some((l) => l.level >= 50)).toBe(false);
  });
});
