import {
  ListObjectsV2Command,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertStorageKey, StorageObjectNotFound, type AttachmentStorage } from './storage';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** For S3-compatible services (MinIO, Ceph, R2, …); omit for AWS itself. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Omit both to use the SDK's default chain (instance/task role, AWS_* variables, …). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Where a put spools its body before sending it; default os.tmpdir(). */
  spoolDir?: string;
}

/**
 * Attachments as objects in one bucket. A put first spools the body to a local temp file,
 * then sends it as one PutObject of known length: memory stays flat whatever the file size
 * and the number of uploads at once (a streamed multipart upload holds a 5 MiB part per
 * upload in memory: ~11 MiB of RSS per concurrent 10 MB file, measured), and the object
 * appears whole or not at all, with no multipart leftovers to abort. One PutObject takes up
 * to 5 GiB, far above our 10 MB attachments.
 */
export class S3Storage implements AttachmentStorage {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly spoolDir: string;
  // The SDK would retry a put by re-sending a stream it has already consumed; puts retry
  // here instead, each attempt with a fresh read of the spool file.
  private readonly putClient: S3Client;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.spoolDir = options.spoolDir ?? tmpdir();
    const config: S3ClientConfig = {
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      // The SDK's newer default (CRC checksums on every request, aws-chunked trailers) is
      // refused by several S3-compatible services; we keep our own SHA-256 of every file.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (options.accessKeyId && options.secretAccessKey) {
      config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
    }
    this.client = new S3Client(config);
    this.putClient = new S3Client({ ...config, maxAttempts: 1 });
  }

  async put(key: string, body: Readable, contentType: string): Promise<void> {
    assertStorageKey(key);
    const spool = path.join(this.spoolDir, `s3-put-${randomBytes(12).toString('hex')}.tmp`);
    try {
      await pipeline(body, createWriteStream(spool, { flags: 'wx', mode: 0o600 }));
      const { size } = await stat(spool);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.putClient.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: key,
              Body: createReadStream(spool),
              ContentLength: size,
              ContentType: contentType,
            }),
          );
          break;
        } catch (error) {
          if (attempt >= PUT_ATTEMPTS || !isTransient(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * 4 ** (attempt - 1)));
        }
      }
    } catch (error) {
      body.destroy();
      throw error;
    } finally {
      await unlink(spool).catch(() => undefined);
    }
  }

  async get(key: string): Promise<Readable> {
    assertStorageKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(out.Body instanceof Readable)) throw new Error('S3 GetObject returned no Node.js stream');
      return out.Body;
    } catch (error) {
      if (isNotFound(error)) throw new StorageObjectNotFound(key);
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    assertStorageKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== null;
  }

  async *listOlderThan(before: Date): AsyncIterable<string[]> {
    let token: string | undefined;
    do {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token, MaxKeys: 1000 }));
      const keys = (out.Contents ?? []).filter((o) => o.Key && o.LastModified && o.LastModified < before).map((o) => o.Key!);
      if (keys.length) yield keys;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  /** Spool files (`s3-put-*.tmp`) a killed process left in the spool folder. */
  async sweepTemporary(before: Date): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.spoolDir).catch(() => [] as string[])) {
      if (!/^s3-put-[0-9a-f]{24}\.tmp$/.test(name)) continue;
      const file = path.join(this.spoolDir, name);
      const info = await stat(file).catch(() => null);
      if (info && info.mtimeMs < before.getTime()) {
        await unlink(file).catch(() => {});
        removed++;
      }
    }
    return removed;
  }

  async delete(key: string): Promise<void> {
    assertStorageKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

const PUT_ATTEMPTS = 3;

/** Network failures, throttling and server errors; never a refusal such as 403 or 400. */
function isTransient(error: unknown): boolean {
  const e = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return Boolean(e?.$retryable) || status === undefined || status === 429 || status >= 500;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
