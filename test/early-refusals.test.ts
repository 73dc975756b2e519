import { startTestGateway, type TestGateway } from './support/gateway';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process';
import { customer, submitOrder, type Actor } from './support/builders';

/**
 * Issue 17: an early refusal (no CSRF preflight header, too many files) reaches a Node `fetch`
 * client (undici, what Apollo Client and apollo-upload-client use in Node) as its status and
 * JSON message while the client is still sending a large body — never as EPIPE/ECONNRESET.
 * CI runs this on Node 20, 22 and 24, so each is checked as client and as server.
 *
 * The gateway answering these requests runs in a process of its own, as in production. With
 * client and server in one process (the in-process test gateway) they share an event loop, the
 * client reads the refusal before it sees its write fail, and this file passed without the
 * fix on every version; across processes the old close failed 20 times out of 20 (EPIPE).
 */
let gw: TestGateway;
let server: GatewayProcess;
let alice: Actor;
let orderId: string;
beforeAll(async () => {
  gw = await startTestGateway();
  alice = await customer(gw);
  orderId = (await submitOrder(gw, alice)).id;
  server = await startGatewayProcess(gw);
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await gw?.close();
});

const SEND = `mutation($input: MessageSendInput!) { messageSend(input: $input) { message { id } userErrors { code message } } }`;
const BIG = new Uint8Array(30 * 1024 * 1024); // 30 MB in all
// 20 bodies of 30 MB take a few seconds on a quiet machine, minutes when the 2 cores are shared.
const LONG = 300_000;
const PREFLIGHT_MESSAGE =
  'This multipart request was refused as a possible cross-site request forgery: send file uploads with a non-empty `Apollo-Require-Preflight` header.';

function body(files: number, bytes = BIG.length): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: SEND, variables: { input: { orderId, title: 't', body: 'b', files: Array(files).fill(null) } } }));
  form.append('map', JSON.stringify(Object.fromEntries(Array.from({ length: files }, (_, i) => [String(i), [`variables.input.files.${i}`]]))));
  const size = Math.floor(bytes / files);
  for (let i = 0; i < files; i++) form.append(String(i), new Blob([BIG.subarray(0, size)], { type: 'application/pdf' }), `f${i}.pdf`);
  return form;
}

type Outcome = { status: number; body: any } | { failed: string };

async function send(files: number, headers: Record<string, string>, bytes?: number): Promise<Outcome> {
  try {
    const res = await fetch(server.url, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, ...headers }, body: body(files, bytes) });
    return { status: res.status, body: await res.json() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { failed: `${(error as Error).message} (${cause?.code ?? cause?.message ?? 'no cause'})` };
  }
}

/** Sends `times` requests one after another; answers what each one read back, failures included. */
async function repeat(times: number, attempt: () => Promise<Outcome>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < times; i++) outcomes.push(await attempt());
  return outcomes;
}

const refusal = (status: number, message: string) => ({ status, body: { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] } });

describe(`a Node ${process.version} fetch client still sending its body`, () => {
  it('reads the 400 and its message for a 30 MB multipart request without the preflight header, 20 times out of 20', async () => {
    const outcomes = await repeat(20, () => send(1, {}));
    expect(outcomes).toEqual(Array(20).fill(refusal(400, PREFLIGHT_MESSAGE)));
  }, LONG);

  it('reads the 413 and its message for a 30 MB request of 11 files, 20 times out of 20', async () => {
    const outcomes = await repeat(20, () => send(11, { 'apollo-require-preflight': 'true' }));
    expect(outcomes).toEqual(Array(20).fill(refusal(413, 'Too many files: attach at most 10 files per request.')));
  }, LONG);

  // A message's 4th file is no early refusal: up to 10 files pass the HTTP layer (inspection
  // photos) and graphql-upload holds the answer until the whole body is in. Checked here too
  // because it is the refusal an Apollo Client user attaching too much meets first.
  it('reads TOO_MANY_FILES for a 30 MB message of 4 files, 20 times out of 20', async () => {
    const outcomes = await repeat(20, () => send(4, { 'apollo-require-preflight': 'true' }));
    const tooMany = { status: 200, body: { data: { messageSend: { message: null, userErrors: [{ code: 'TOO_MANY_FILES', message: 'Attach at most 3 files at a time.' }] } } } };
    expect(outcomes).toEqual(Array(20).fill(tooMany));
  }, LONG);

  it('reads the 400 for small multipart requests without the preflight header, 50 times out of 50', async () => {
    const outcomes = await repeat(50, () => send(1, {}, 200_000));
    expect(outcomes).toEqual(Array(50).fill(refusal(400, PREFLIGHT_MESSAGE)));
  }, LONG);
});
