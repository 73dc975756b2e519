import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { WriteStream } from 'fs-capacitor';
import { DomainError, UserErrorCode, type UserError } from '../src/common/errors';
import { ATTACHMENT_MAX_BYTES } from '../src/modules/attachments/attachment-limits';
import { AttachmentPurpose } from '../src/modules/attachments/attachment.entity';
import { attachmentResponseHeaders, contentDisposition } from '../src/modules/attachments/content-disposition';
import { sanitizeDisplayName } from '../src/modules/attachments/display-name';
import { uploadMiddleware } from '../src/modules/attachments/upload-http';
import { discardStoredAttachments, storeUploads, type StoredAttachment } from '../src/modules/attachments/upload-intake';
import type { FileUpload } from '../src/modules/attachments/upload.scalar';
import { FilesystemStorage } from '../src/storage/filesystem-storage';

// graphql-upload spools every file to os.tmpdir() (fs-capacitor); a folder of our own for this
// file lets the tests prove those temporary files are gone after each request. (TMPDIR cannot
// be set instead: Jest's process.env is a copy that os.tmpdir() does not read.)
const scratch = mkdtempSync(path.join(tmpdir(), 'intake-'));
const spoolDir = path.join(scratch, 'spool');
mkdirSync(spoolDir);
jest.spyOn(os, 'tmpdir').mockReturnValue(spoolDir);

import { gif, jpeg, pdf, pdfOfSize, png, sha256, webp } from './support/files';

// ---- a real HTTP endpoint: the gateway's upload middleware, then the intake --------------

interface Outcome {
  stored?: StoredAttachment[];
  userErrors?: UserError[];
  error?: string;
}

let storageRoot: string;
let storage: FilesystemStorage;
let server: Server;
let url: string;
let lastOutcome: Promise<Outcome> | undefined;

beforeAll(async () => {
  const app = express();
  const intake: RequestHandler = async (req, res) => {
    const uploads = (req.body?.variables?.input?.files ?? []) as { promise: Promise<FileUpload> }[];
    lastOutcome = storeUploads(
      storage,
      uploads.map((u) => u.promise),
      { field: ['input', 'files'] },
    ).then(
      (stored) => ({ stored }),
      (error) => (error instanceof DomainError ? { userErrors: error.errors } : { error: String(error) }),
    );
    res.json(await lastOutcome);
  };
  app.post('/upload', ...uploadMiddleware(), intake);
  const jsonErrors: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(error.status ?? 500).json({ errors: [{ message: error.message }] });
  };
  app.use(jsonErrors);
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
});

beforeEach(() => {
  storageRoot = mkdtempSync(path.join(scratch, 'storage-'));
  storage = new FilesystemStorage(storageRoot);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

interface OutgoingFile {
  bytes: Buffer;
  name: string;
  type: string;
}

/** POSTs files as a browser's FormData does, per the GraphQL multipart request spec. */
async function upload(files: OutgoingFile[]): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: 'mutation($input: MessageSendInput!) { messageSend(input: $input) { userErrors { code } } }',
      variables: { input: { files: files.map(() => null) } },
    }),
  );
  form.append('map', JSON.stringify(Object.fromEntries(files.map((_, i) => [String(i), [`variables.input.files.${i}`]]))));
  files.forEach((f, i) => form.append(String(i), new Blob([f.bytes], { type: f.type }), f.name));
  const res = await fetch(url, { method: 'POST', body: form, headers: { 'Apollo-Require-Preflight': 'true' } });
  return { status: res.status, body: await res.json() };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** fs-capacitor deletes its file when the response has closed; give that a moment. */
async function expectSpoolEmpty() {
  for (let i = 0; i < 100 && readdirSync(spoolDir).length; i++) await new Promise((r) => setTimeout(r, 20));
  expect(readdirSync(spoolDir)).toEqual([]);
}

async function readBack(key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of await storage.get(key)) parts.push(chunk);
  return Buffer.concat(parts);
}

// ---- the intake --------------------------------------------------------------------------

describe('storing accepted files', () => {
  it('stores three files by their content and reads them back byte-identical', async () => {
    // given a PNG, a JPEG and a PDF, one with a Japanese name
    const files = [
      { bytes: png(), name: 'inspection-photo.png', type: 'image/png' },
      { bytes: jpeg(), name: '検品写真.jpg', type: 'image/jpeg' },
      { bytes: pdf(), name: '見積書 (1).pdf', type: 'application/pdf' },
    ];
    // when
    const res = await upload(files);
    // then
    expect(res.status).toBe(200);
    const stored: StoredAttachment[] = res.body.stored;
    expect(stored.map((s) => [s.contentType, s.displayName, s.byteSize])).toEqual([
      ['image/png', 'inspection-photo.png', files[0].bytes.length],
      ['image/jpeg', '検品写真.jpg', files[1].bytes.length],
      ['application/pdf', '見積書 (1).pdf', files[2].bytes.length],
    ]);
    for (const [i, s] of stored.entries()) {
      expect(s.sha256).toBe(sha256(files[i].bytes));
      expect((await readBack(s.storageKey)).equals(files[i].bytes)).toBe(true);
      expect(s.storageKey).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{32}$/); // generated, nothing of the name
    }
    expect(filesUnder(storageRoot)).toHaveLength(3);
    await expectSpoolEmpty();
  });

  it('accepts GIF and WEBP too', async () => {
    const res = await upload([
      { bytes: gif(), name: 'a.gif', type: 'image/gif' },
      { bytes: webp(), name: 'b.webp', type: 'image/webp' },
    ]);
    expect(res.body.stored.map((s: StoredAttachment) => s.contentType)).toEqual(['image/gif', 'image/webp']);
  });

  it('stores what the bytes are, not what the client declared: a JPEG sent as text/plain is image/jpeg', async () => {
    const res = await upload([{ bytes: jpeg(), name: 'notes.txt', type: 'text/plain' }]);
    expect(res.body.stored[0]).toMatchObject({ contentType: 'image/jpeg', displayName: 'notes.txt' });
  });

  it('accepts a file of exactly 10 MB (10,485,760 bytes)', async () => {
    const bytes = pdfOfSize(ATTACHMENT_MAX_BYTES);
    const res = await upload([{ bytes, name: 'big.pdf', type: 'application/pdf' }]);
    expect(res.body.stored[0]).toMatchObject({ byteSize: 10_485_760, sha256: sha256(bytes), contentType: 'application/pdf' });
    expect(statSync(path.join(storageRoot, ...res.body.stored[0].storageKey.split('/'))).size).toBe(10_485_760);
    await expectSpoolEmpty();
  });
});

describe('refusing files, leaving nothing behind', () => {
  it.each<[string, OutgoingFile, UserErrorCode]>([
    ['one byte over 10 MB', { bytes: pdfOfSize(ATTACHMENT_MAX_BYTES + 1), name: 'big.pdf', type: 'application/pdf' }, UserErrorCode.FILE_TOO_LARGE],
    ['HTML named .png and declared image/png', { bytes: Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'), name: 'photo.png', type: 'image/png' }, UserErrorCode.FILE_TYPE_NOT_ALLOWED],
    ['an SVG (script-capable) named .png', { bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), name: 'logo.png', type: 'image/png' }, UserErrorCode.FILE_TYPE_NOT_ALLOWED],
    ['an SVG as itself', { bytes: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'), name: 'logo.svg', type: 'image/svg+xml' }, UserErrorCode.FILE_TYPE_NOT_ALLOWED],
    ['a ZIP named .pdf', { bytes: Buffer.from('504b030414000000000000000000000000000000000000000000', 'hex'), name: 'a.pdf', type: 'application/pdf' }, UserErrorCode.FILE_TYPE_NOT_ALLOWED],
    ['an empty file', { bytes: Buffer.alloc(0), name: 'empty.png', type: 'image/png' }, UserErrorCode.FILE_EMPTY],
  ])('refuses %s with its code and field path', async (_what, file, code) => {
    const res = await upload([{ bytes: png(), name: 'ok.png', type: 'image/png' }, file]);
    expect(res.body.userErrors).toEqual([expect.objectContaining({ code, field: ['input', 'files', '1'] })]);
    expect(res.body.userErrors[0].message).toContain(`“${file.name}”`);
    expect(filesUnder(storageRoot)).toEqual([]); // the first, valid file was removed again
    await expectSpoolEmpty();
  });

  it('removes the first two stored files when the third fails', async () => {
    const res = await upload([
      { bytes: png(), name: 'one.png', type: 'image/png' },
      { bytes: pdfOfSize(5 * 1024 * 1024), name: 'two.pdf', type: 'application/pdf' },
      { bytes: Buffer.from('MZ\x90\x00 not an image'), name: 'three.jpg', type: 'image/jpeg' },
    ]);
    expect(res.body.userErrors).toEqual([expect.objectContaining({ code: 'FILE_TYPE_NOT_ALLOWED', field: ['input', 'files', '2'] })]);
    expect(filesUnder(storageRoot)).toEqual([]);
    await expectSpoolEmpty();
  });

  it('refuses a 4th message file with TOO_MANY_FILES before reading or storing any', async () => {
    const file = { bytes: png(), name: 'p.png', type: 'image/png' };
    const res = await upload([file, file, file, file]);
    expect(res.status).toBe(200);
    expect(res.body.userErrors).toEqual([expect.objectContaining({ code: 'TOO_MANY_FILES', field: ['input', 'files'] })]);
    expect(filesUnder(storageRoot)).toEqual([]);
    await expectSpoolEmpty();
  });

  it('refuses an 11th file (more than any purpose allows: 10 inspection photos) at the HTTP layer with 413 before anything is stored', async () => {
    const file = { bytes: png(), name: 'p.png', type: 'image/png' };
    lastOutcome = undefined;
    const res = await upload(Array.from({ length: 11 }, () => file));
    expect(res.status).toBe(413);
    expect(res.body.errors[0].message).toBe('Too many files: attach at most 10 files per request.');
    expect(lastOutcome).toBeUndefined();
    expect(filesUnder(storageRoot)).toEqual([]);
    await expectSpoolEmpty();
  });

  it('cleans up when the client disconnects in the middle of a file', async () => {
    // given a request whose second file stops after 2 MB and then the connection drops
    lastOutcome = undefined;
    const boundary = '----browserboundary7MA4YWxkTrZu0gW';
    const part = (name: string, headers: string, body: string | Buffer) =>
      Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${headers}\r\n\r\n`), Buffer.from(body), Buffer.from('\r\n')]);
    const head = Buffer.concat([
      part('operations', '', JSON.stringify({ query: 'mutation { x }', variables: { input: { files: [null, null] } } })),
      part('map', '', JSON.stringify({ 0: ['variables.input.files.0'], 1: ['variables.input.files.1'] })),
      part('0', '; filename="a.png"\r\nContent-Type: image/png', png()),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="1"; filename="b.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      pdfOfSize(2 * 1024 * 1024),
    ]);
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 8 * 1024 * 1024), 'apollo-require-preflight': 'true' },
    });
    req.on('error', () => undefined);
    req.write(head);
    // when the server has started on the files, the client goes away
    for (let i = 0; i < 200 && !lastOutcome; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    const spooledWhileUploading = readdirSync(spoolDir).length;
    req.destroy();
    expect(spooledWhileUploading).toBeGreaterThan(0);
    // then the batch fails as an incomplete upload, and nothing stays anywhere
    expect(lastOutcome).toBeDefined();
    const outcome = await lastOutcome!;
    expect(outcome.userErrors).toEqual([expect.objectContaining({ code: 'UPLOAD_FAILED', field: ['input', 'files', '1'] })]);
    expect(filesUnder(storageRoot)).toEqual([]);
    await expectSpoolEmpty();
  });
});

// ---- the intake on its own, fed by real fs-capacitor spools ------------------------------

const capacitors: WriteStream[] = [];
afterEach(async () => {
  // what graphql-upload does when the response closes
  for (const c of capacitors.splice(0)) c.release();
  await expectSpoolEmpty();
});

function spooled(name: string, type: string, parts: Buffer[], opts: { failWith?: Error } = {}): FileUpload {
  const capacitor = new WriteStream();
  capacitors.push(capacitor);
  capacitor.on('error', () => undefined); // as graphql-upload does; the reader sees the error
  for (const p of parts) capacitor.write(p);
  if (opts.failWith) setTimeout(() => capacitor.destroy(opts.failWith), 50);
  else capacitor.end();
  return { filename: name, mimetype: type, encoding: '7bit', createReadStream: () => capacitor.createReadStream() };
}

describe('storeUploads on its own', () => {
  it('refuses more files than allowed with TOO_MANY_FILES on the list, reading none', async () => {
    const files = Array.from({ length: 4 }, () => spooled('p.png', 'image/png', [png()]));
    const error = await storeUploads(storage, files, { field: ['input', 'photos'] }).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.errors).toEqual([expect.objectContaining({ code: 'TOO_MANY_FILES', field: ['input', 'photos'] })]);
    expect(filesUnder(storageRoot)).toEqual([]);
  });

  it('holds each purpose to its own count: 3 for a message, 10 inspection photos', async () => {
    const four = () => Array.from({ length: 4 }, () => spooled('p.png', 'image/png', [png()]));
    const message = await storeUploads(storage, four(), { field: ['input', 'files'], purpose: AttachmentPurpose.MESSAGE }).catch((e) => e);
    expect(message.errors).toEqual([expect.objectContaining({ code: 'TOO_MANY_FILES', message: 'Attach at most 3 files at a time.' })]);
    expect(await storeUploads(storage, four(), { field: ['input', 'photos'], purpose: AttachmentPurpose.INSPECTION })).toHaveLength(4);
    const eleven = Array.from({ length: 11 }, () => spooled('p.png', 'image/png', [png()]));
    const inspection = await storeUploads(storage, eleven, { field: ['input', 'photos'], purpose: AttachmentPurpose.INSPECTION }).catch((e) => e);
    expect(inspection.errors).toEqual([expect.objectContaining({ code: 'TOO_MANY_FILES', message: 'Attach at most 10 files at a time.' })]);
    expect(filesUnder(storageRoot)).toHaveLength(4); // only the accepted batch
  });

  it('counts bytes itself: one byte past its own limit is refused', async () => {
    const ok = await storeUploads(storage, [spooled('a.pdf', 'application/pdf', [pdfOfSize(5000)])], { field: ['f'], maxBytes: 5000 });
    expect(ok[0].byteSize).toBe(5000);
    const error = await storeUploads(storage, [spooled('b.pdf', 'application/pdf', [pdfOfSize(5001)])], { field: ['f'], maxBytes: 5000 }).catch((e) => e);
    expect(error.errors).toEqual([expect.objectContaining({ code: 'FILE_TOO_LARGE', field: ['f', '0'] })]);
    expect(filesUnder(storageRoot)).toHaveLength(1); // only the accepted one
  });

  it('turns a stream that breaks mid-file into UPLOAD_FAILED and removes the batch', async () => {
    const files = [
      spooled('a.png', 'image/png', [png()]),
      spooled('b.pdf', 'application/pdf', [pdfOfSize(300_000)], { failWith: new Error('socket hang up') }),
    ];
    const error = await storeUploads(storage, files, { field: ['input', 'files'] }).catch((e) => e);
    expect(error.errors).toEqual([expect.objectContaining({ code: 'UPLOAD_FAILED', field: ['input', 'files', '1'] })]);
    expect(filesUnder(storageRoot)).toEqual([]);
  });

  it('stores nothing for no files', async () => {
    expect(await storeUploads(storage, null, { field: ['input', 'files'] })).toEqual([]);
  });

  it('deletes stored files again on request (after a database rollback)', async () => {
    const stored = await storeUploads(storage, [spooled('a.png', 'image/png', [png()]), spooled('b.gif', 'image/gif', [gif()])], { field: ['f'] });
    expect(filesUnder(storageRoot)).toHaveLength(2);
    expect(await discardStoredAttachments(storage, stored.map((s) => s.storageKey))).toEqual([]);
    expect(filesUnder(storageRoot)).toEqual([]);
  });
});

describe('display names', () => {
  it.each([
    ['C:\\fakepath\\見積書.pdf', '見積書.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['写真\u202Egnp.exe', '写真gnp.exe'], // right-to-left override removed
    ['line\r\nbreak\u0000.png', 'linebreak.png'],
    ['が'.normalize('NFD') + 'ぞう.png', 'がぞう.png'], // macOS NFD → NFC
    ['  spaced    out  .jpg ', 'spaced out .jpg'],
    ['全角　スペース.png', '全角　スペース.png'],
    ['..', 'attachment'],
    ['', 'attachment'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeDisplayName(input)).toBe(expected);
  });

  it('limits length to 120 characters, keeping the extension and whole characters', () => {
    const name = sanitizeDisplayName(`${'😀'.repeat(200)}.jpeg`);
    expect(Array.from(name)).toHaveLength(120);
    expect(name.endsWith('😀.jpeg')).toBe(true);
  });
});

describe('serving headers', () => {
  it('shows raster images inline and downloads PDFs, with an RFC 5987 name', () => {
    expect(contentDisposition('検品写真.jpg', 'image/jpeg')).toBe(
      `inline; filename="____.jpg"; filename*=UTF-8''%E6%A4%9C%E5%93%81%E5%86%99%E7%9C%9F.jpg`,
    );
    expect(contentDisposition('見積書 (1).pdf', 'application/pdf')).toBe(
      `attachment; filename="___ (1).pdf"; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8%20%281%29.pdf`,
    );
  });

  it('gives the name the extension of the detected type, and quotes nothing unsafe', () => {
    expect(contentDisposition('evil.html', 'application/pdf')).toMatch(/^attachment; filename="evil\.html\.pdf"; filename\*=UTF-8''evil\.html\.pdf$/);
    expect(contentDisposition('a"b\\c%41.png', 'image/png')).toBe(`inline; filename="a_b_c_41.png"; filename*=UTF-8''a%22b%5Cc%2541.png`);
    expect(attachmentResponseHeaders({ contentType: 'image/png', byteSize: 10, displayName: 'x.png' })).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': '10',
    });
  });
});
