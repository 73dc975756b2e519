import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { ConfigError, loadConfig } from '../src/app/config';
import { createStorage } from '../src/storage/create-storage';
import { FilesystemStorage } from '../src/storage/filesystem-storage';
import { S3Storage } from '../src/storage/s3-storage';
import { StorageObjectNotFound, type AttachmentStorage } from '../src/storage/storage';

// s3rver ships no types; it speaks the S3 REST protocol and checks SigV4 signatures.
const S3rver = require('s3rver');

const MiB = 1024 * 1024;
const BUCKET = 'attachments-test';

let fsRoot: string;
let s3Dir: string;
let s3rver: { run(): Promise<{ port: number }>; close(): Promise<void> };
let s3Endpoint: string;

beforeAll(async () => {
  fsRoot = mkdtempSync(path.join(tmpdir(), 'storage-fs-'));
  s3Dir = mkdtempSync(path.join(tmpdir(), 'storage-s3-'));
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3rver.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await s3rver?.close();
  rmSync(fsRoot, { recursive: true, force: true });
  rmSync(s3Dir, { recursive: true, force: true });
});

const s3Options = () => ({
  bucket: BUCKET,
  region: 'us-east-1',
  endpoint: s3Endpoint,
  forcePathStyle: true,
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
});
const s3Storage = () => new S3Storage(s3Options());

const drivers: [string, () => AttachmentStorage][] = [
  ['FilesystemStorage', () => new FilesystemStorage(fsRoot)],
  ['S3Storage (against s3rver)', s3Storage],
];

/** `total` bytes of a repeating pattern, generated chunk by chunk (never held whole). */
function generated(total: number, { failAfter }: { failAfter?: number } = {}): Readable {
  const block = Buffer.alloc(64 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
  let sent = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && sent >= failAfter) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (sent >= total) return this.push(null);
      const n = Math.min(block.length, total - sent);
      sent += n;
      this.push(block.subarray(0, n));
    },
  });
}

async function digest(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

const key = () => `${randomBytes(1).toString('hex')}/${randomBytes(16).toString('hex')}`;

describe.each(drivers)('%s: the storage contract', (_name, make) => {
  let storage: AttachmentStorage;
  beforeAll(() => {
    storage = make();
  });

  it('stores bytes and gives them back identical, with size and existence', async () => {
    // given
    const k = key();
    const bytes = randomBytes(70_000);
    // when
    await storage.put(k, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), 'image/png');
    // then
    expect(await storage.exists(k)).toBe(true);
    expect(await storage.size(k)).toBe(bytes.length);
    expect((await readAll(await storage.get(k))).equals(bytes)).toBe(true);
  });

  it('streams a 12 MiB body in and out, byte-identical', async () => {
    const k = key();
    const expected = await digest(generated(12 * MiB));
    await storage.put(k, generated(12 * MiB), 'application/pdf');
    expect(await storage.size(k)).toBe(12 * MiB);
    expect(await digest(await storage.get(k))).toEqual(expected);
  });

  it('shows nothing under the key while a put is still streaming', async () => {
    // given a body that has sent half and then waits
    const k = key();
    const body = new PassThrough();
    body.write(randomBytes(6 * MiB));
    const putting = storage.put(k, body, 'image/jpeg');
    await new Promise((r) => setTimeout(r, 200));
    // then the key is not there yet
    expect(await storage.exists(k)).toBe(false);
    await expect(storage.get(k)).rejects.toBeInstanceOf(StorageObjectNotFound);
    // when the body ends, it is
    body.end(randomBytes(1000));
    await putting;
    expect(await storage.size(k)).toBe(6 * MiB + 1000);
  });

  it('leaves nothing when the body fails mid-way, early or after megabytes', async () => {
    for (const failAfter of [100_000, 7 * MiB]) {
      const k = key();
      await expect(storage.put(k, generated(10 * MiB, { failAfter }), 'image/png')).rejects.toThrow('client went away');
      expect(await storage.exists(k)).toBe(false);
    }
  });

  it('replaces an object put again under the same key', async () => {
    const k = key();
    await storage.put(k, Readable.from([Buffer.from('first version')]), 'application/pdf');
    await storage.put(k, Readable.from([Buffer.from('second')]), 'application/pdf');
    expect((await readAll(await storage.get(k))).toString()).toBe('second');
  });

  it('lists keys written before a time (for the orphan cleanup), and none written after it', async () => {
    const k = key();
    await storage.put(k, Readable.from([randomBytes(10)]), 'image/png');
    const listed = async (before: Date) => {
      const all: string[] = [];
      for await (const page of storage.listOlderThan(before)) all.push(...page);
      return all;
    };
    expect(await listed(new Date(Date.now() + 60_000))).toContain(k);
    expect(await listed(new Date(Date.now() - 60_000))).not.toContain(k);
  });

  it('deletes, and treats a missing key as absent rather than an error', async () => {
    const k = key();
    await storage.put(k, Readable.from([Buffer.from('x')]), 'image/gif');
    await storage.delete(k);
    expect(await storage.exists(k)).toBe(false);
    expect(await storage.size(k)).toBeNull();
    await expect(storage.get(k)).rejects.toBeInstanceOf(StorageObjectNotFound);
    await expect(storage.delete(k)).resolves.toBeUndefined();
  });

  it.each(['../escape', '/absolute', 'a/../../b', '.hidden', 'a//b', '', 'a/b\\c'])('refuses the key %j', async (bad) => {
    await expect(storage.put(bad, Readable.from([Buffer.from('x')]), 'image/png')).rejects.toThrow('Invalid storage key');
    await expect(storage.get(bad)).rejects.toThrow('Invalid storage key');
    await expect(storage.delete(bad)).rejects.toThrow('Invalid storage key');
  });
});

describe('FilesystemStorage specifics', () => {
  it('leaves no temporary file behind after a failed put', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'storage-fs-'));
    try {
      const storage = new FilesystemStorage(root);
      await expect(storage.put('ab/cdef', generated(MiB, { failAfter: 200_000 }), 'image/png')).rejects.toThrow();
      expect(readdirSync(path.join(root, 'ab'))).toEqual([]);
      await storage.put('ab/cdef', generated(1000), 'image/png');
      expect(readdirSync(path.join(root, 'ab'))).toEqual(['cdef']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('S3Storage specifics', () => {
  it('removes its spool file after a put, whether it succeeded or failed', async () => {
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'storage-spool-'));
    try {
      const storage = new S3Storage({ ...s3Options(), spoolDir });
      await storage.put(key(), generated(3 * MiB), 'image/png');
      await expect(storage.put(key(), generated(3 * MiB, { failAfter: MiB }), 'image/png')).rejects.toThrow();
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });

  it('records the detected content type on the object', async () => {
    const storage = s3Storage();
    const k = key();
    await storage.put(k, Readable.from([Buffer.from('%PDF-1.4')]), 'application/pdf');
    const head = await storage.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: k }));
    expect(head.ContentType).toBe('application/pdf');
  });
});

describe('choosing the driver from the environment', () => {
  it('defaults to the filesystem under .data/attachments', () => {
    const config = loadConfig({});
    expect(config.STORAGE_DRIVER).toBe('filesystem');
    expect(config.STORAGE_DIR).toMatch(/[/\\]\.data[/\\]attachments$/);
    expect(createStorage(config)).toBeInstanceOf(FilesystemStorage);
  });

  it('names each missing S3 setting', () => {
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(ConfigError);
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET: required when STORAGE_DRIVER=s3[\s\S]*S3_REGION: required/);
    expect(() => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: BUCKET, S3_REGION: 'x', S3_ACCESS_KEY_ID: 'k' })).toThrow(
      /S3_SECRET_ACCESS_KEY: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together/,
    );
    expect(() => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: BUCKET, S3_REGION: 'x', S3_ENDPOINT: 'ftp://x' })).toThrow(/S3_ENDPOINT/);
  });

  it('builds a working S3 storage from S3_* settings', async () => {
    const storage = createStorage(
      loadConfig({
        STORAGE_DRIVER: 's3',
        S3_ENDPOINT: s3Endpoint,
        S3_BUCKET: BUCKET,
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_FORCE_PATH_STYLE: 'true',
      }),
    );
    expect(storage).toBeInstanceOf(S3Storage);
    const k = key();
    await storage.put(k, Readable.from([Buffer.from('hello')]), 'image/png');
    expect((await readAll(await storage.get(k))).toString()).toBe('hello');
  });
});
