import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestGateway, type TestGateway } from './support/gateway';

// graphql-upload spools uploads under os.tmpdir(); pointing it at a folder of this file's own
// shows whether the gateway read (and spooled) anything. Jest's process.env is a copy, so
// TMPDIR would not reach os.tmpdir().
const spoolDir = mkdtempSync(path.join(tmpdir(), 'csrf-spool-'));
jest.spyOn(os, 'tmpdir').mockReturnValue(spoolDir);

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.close();
  rmSync(spoolDir, { recursive: true, force: true });
});

const LOGIN = 'mutation($input: AccountLoginInput!) { accountLogin(input: $input) { token userErrors { code } } }';
const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

/** A multipart GraphQL request exactly as a browser's FormData sends it. */
function multipart(fileCount: number, query = LOGIN): FormData {
  const form = new FormData();
  const files = Array.from({ length: fileCount }, () => null);
  form.append('operations', JSON.stringify({ query, variables: { input: { email: 'a@example.jp', password: 'x' }, files } }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map((_, i) => [String(i), [`variables.files.${i}`]]))));
  files.forEach((_, i) => form.append(String(i), new Blob([png], { type: 'image/png' }), `photo-${i}.png`));
  return form;
}

async function post(form: FormData, headers: Record<string, string> = {}) {
  const res = await fetch(gw.url, { method: 'POST', body: form, headers });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
}

describe('multipart requests need a preflight header (CSRF)', () => {
  it('refuses a multipart POST without Apollo-Require-Preflight with 400, as JSON', async () => {
    const res = await post(multipart(1));
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/application\/json/);
    expect(res.body.errors[0].message).toMatch(/cross-site request forgery.*Apollo-Require-Preflight/);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('answers before reading the body: the refusal arrives while the upload is still unsent', async () => {
    // given a request that sends its headers and a first part, then holds the rest back
    const boundary = 'formboundaryQ3xyz';
    const req = httpRequest(gw.url, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(50 * 1024 * 1024) },
    });
    req.on('error', () => undefined);
    const response = new Promise<IncomingMessage>((resolve) => req.once('response', resolve));
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"${LOGIN}"}\r\n`);
    try {
      // then the 400 comes back although 50 MB are still "to come", and nothing was spooled
      const res = await response;
      expect(res.statusCode).toBe(400);
      let text = '';
      for await (const chunk of res) text += chunk;
      expect(JSON.parse(text).errors[0].message).toMatch(/Apollo-Require-Preflight/);
      expect(res.headers.connection).toBe('close');
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      req.destroy();
    }
  });

  it('treats an empty preflight header as missing', async () => {
    expect((await post(multipart(1), { 'Apollo-Require-Preflight': '' })).status).toBe(400);
  });

  it('lets a multipart request with the header through to GraphQL, and removes its spooled file', async () => {
    for (const header of ['Apollo-Require-Preflight', 'X-Apollo-Operation-Name']) {
      const res = await post(multipart(1, '{ __typename }'), { [header]: 'true' });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ __typename: 'Query' });
    }
    for (let i = 0; i < 100 && readdirSync(spoolDir).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});

describe('graphql-upload limits, as JSON errors', () => {
  it('refuses 11 files (more than any purpose allows) with 413 and a clear message, before any resolver runs', async () => {
    const res = await post(multipart(11), { 'Apollo-Require-Preflight': 'true' });
    expect(res.status).toBe(413);
    expect(res.type).toMatch(/application\/json/);
    expect(res.body).toEqual({
      errors: [{ message: 'Too many files: attach at most 10 files per request.', extensions: { code: 'BAD_REQUEST' } }],
    });
    // Spooled parts are released when the response closes; the connection lingers to read the rest (security/drain.ts).
    for (let i = 0; i < 100 && readdirSync(spoolDir).length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('answers a malformed multipart request with a JSON 400', async () => {
    const form = new FormData();
    form.append('operations', '{not json');
    const res = await post(form, { 'Apollo-Require-Preflight': 'true' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/Invalid JSON in the ‘operations’ multipart field/);
  });
});
