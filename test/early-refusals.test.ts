import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, submitOrder, type Actor } from './support/builders';

/**
 * Issue 17: an early refusal (no CSRF preflight header, too many files) reaches a Node `fetch`
 * client (undici, what Apollo Client and apollo-upload-client use in Node) as its status and
 * JSON message while the client is still sending a large body — never as EPIPE/ECONNRESET.
 */
let gw: TestGateway;
let alice: Actor;
let orderId: string;
beforeAll(async () => {
  gw = await startTestGateway();
  alice = await customer(gw);
  orderId = (await submitOrder(gw, alice)).id;
});
afterAll(() => gw.close());

const SEND = `mutation($input: MessageSendInput!) { messageSend(input: $input) { message { id } userErrors { code } } }`;
const BIG = new Uint8Array(30 * 1024 * 1024); // 30 MB in all

function body(files: number, bytes = BIG.length): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: SEND, variables: { input: { orderId, title: 't', body: 'b', files: Array(files).fill(null) } } }));
  form.append('map', JSON.stringify(Object.fromEntries(Array.from({ length: files }, (_, i) => [String(i), [`variables.input.files.${i}`]]))));
  const size = Math.floor(bytes / files);
  for (let i = 0; i < files; i++) form.append(String(i), new Blob([BIG.subarray(0, size)], { type: 'application/pdf' }), `f${i}.pdf`);
  return form;
}

async function send(files: number, headers: Record<string, string>, bytes?: number): Promise<{ status: number; message: string } | { failed: string }> {
  try {
    const res = await fetch(gw.url, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, ...headers }, body: body(files, bytes) });
    const json = (await res.json()) as { errors: { message: string }[] };
    return { status: res.status, message: json.errors[0].message };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { failed: `${(error as Error).message} (${cause?.code ?? 'no code'})` };
  }
}

it('answers a 30 MB multipart request without the preflight header with its 400 and message, 20 times out of 20', async () => {
  const results = [];
  for (let i = 0; i < 20; i++) results.push(await send(1, {}));
  expect(results.filter((r) => !('status' in r) || r.status !== 400)).toEqual([]);
  expect((results[0] as { message: string }).message).toContain('Apollo-Require-Preflight');
}, 120_000);

it('answers a 30 MB request of 11 files with its 413 and message, 20 times out of 20', async () => {
  const results = [];
  for (let i = 0; i < 20; i++) results.push(await send(11, { 'apollo-require-preflight': 'true' }));
  expect(results.filter((r) => !('status' in r) || r.status !== 413)).toEqual([]);
  expect((results[0] as { message: string }).message).toMatch(/Too many files/);
}, 120_000);

it('answers small multipart requests without the preflight header with their 400, 50 times out of 50', async () => {
  const results = [];
  for (let i = 0; i < 50; i++) results.push(await send(1, {}, 200_000));
  expect(results.filter((r) => !('status' in r) || r.status !== 400)).toEqual([]);
}, 120_000);
