import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertStorageKey, StorageObjectNotFound, type AttachmentStorage } from './storage';

/**
 * Attachments as files under one folder (the default driver). A put writes a hidden temp file
 * in the target folder, fsyncs it and renames it into place: rename within one file system is
 * atomic, so a reader sees either nothing or the whole file, even after a crash mid-upload.
 */
export class FilesystemStorage implements AttachmentStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async put(key: string, body: Readable, _contentType: string): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    await mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      // flush: fsync before close, so the rename never publishes bytes still in the page cache.
      await pipeline(body, createWriteStream(temp, { flags: 'wx', mode: 0o640, flush: true }));
      await rename(temp, target);
    } catch (error) {
      body.destroy();
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncDirectory(dir);
  }

  async get(key: string): Promise<Readable> {
    try {
      const handle = await open(this.pathOf(key), 'r');
      return handle.createReadStream();
    } catch (error) {
      if (isNotFound(error)) throw new StorageObjectNotFound(key);
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== null;
  }

  async *listOlderThan(before: Date): AsyncIterable<string[]> {
    let page: string[] = [];
    for await (const { key, mtime } of walk(this.root, '')) {
      if (key.startsWith('.') || key.includes('/.') || mtime >= before.getTime()) continue;
      page.push(key);
      if (page.length === 500) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  }

  async sweepTemporary(before: Date): Promise<number> {
    let removed = 0;
    for await (const { key, mtime } of walk(this.root, '')) {
      if (!/(^|\/)\.[^/]*\.tmp$/.test(key) || mtime >= before.getTime()) continue;
      await rm(path.join(this.root, key), { force: true });
      removed++;
    }
    return removed;
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private pathOf(key: string): string {
    assertStorageKey(key);
    return path.join(this.root, ...key.split('/'));
  }
}

/** Makes the rename itself durable; some platforms cannot fsync a directory, which is fine. */
async function* walk(root: string, prefix: string): AsyncGenerator<{ key: string; mtime: number }> {
  let entries;
  try {
    entries = await readdir(path.join(root, prefix), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* walk(root, key);
    else if (entry.isFile()) yield { key, mtime: (await stat(path.join(root, key))).mtimeMs };
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL on platforms without directory fsync
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
