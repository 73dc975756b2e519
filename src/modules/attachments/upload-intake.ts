import { createHash, randomBytes } from 'node:crypto';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, UserErrorCode } from '../../common/errors';
import { mutation, type Payload } from '../../common/transaction';
import type { AttachmentStorage } from '../../storage/storage';
import type { AttachmentPurpose } from './attachment.entity';
import { ALLOWED_CONTENT_TYPES, ALLOWED_TYPES_TEXT, ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_FILES, MAX_FILES } from './attachment-limits';
import { sanitizeDisplayName } from './display-name';
import type { FileUpload } from './upload.scalar';

/** What the database records about one stored file. */
export interface StoredAttachment {
  /** Generated; never derived from the client's file name. */
  storageKey: string;
  /** Detected from the bytes, not the client's claim; the type we serve. */
  contentType: string;
  byteSize: number;
  /** Hex SHA-256 of the stored bytes. */
  sha256: string;
  /** The client's file name, sanitised, for display only. */
  displayName: string;
}

export interface IntakeOptions {
  /** Path of the files argument, e.g. ['input', 'files']; errors name ['input', 'files', '2']. */
  field: string[];
  /** What the files are for; sets how many are allowed (`MAX_FILES`; messages' 3 when left out). */
  purpose?: AttachmentPurpose;
  /** Overrides the purpose's count. */
  maxFiles?: number;
  maxBytes?: number;
  log?: Logger;
}

/**
 * Streams the files of one request into storage, checking each by its content: at most
 * `maxFiles` files, each 1..`maxBytes` bytes, of an allowed type detected from its bytes.
 * All or nothing: on any refusal or failure every file of the batch already stored is deleted
 * again and a `DomainError` names the file at fault. A storage failure (ours, not the
 * client's) is rethrown as it is, after the same clean-up.
 */
export async function storeUploads(
  storage: AttachmentStorage,
  files: ReadonlyArray<FileUpload | Promise<FileUpload>> | null | undefined,
  options: IntakeOptions,
): Promise<StoredAttachment[]> {
  const { field, maxBytes = ATTACHMENT_MAX_BYTES } = options;
  const maxFiles = options.maxFiles ?? (options.purpose ? MAX_FILES[options.purpose] : ATTACHMENT_MAX_FILES);
  const list = files ?? [];
  if (list.length > maxFiles) {
    throw new DomainError(UserErrorCode.TOO_MANY_FILES, `Attach at most ${maxFiles} files at a time.`, field);
  }
  const keys: string[] = [];
  const stored: StoredAttachment[] = [];
  try {
    for (const [index, file] of list.entries()) {
      const key = newStorageKey();
      keys.push(key); // before the put: a failed put is cleaned up too
      stored.push(await storeOne(storage, file, key, { field: [...field, String(index)], index, maxBytes }));
    }
    return stored;
  } catch (error) {
    await discardStoredAttachments(storage, keys, options.log);
    throw error;
  }
}

/**
 * A mutation that stores files with its rows, all or nothing (inspection photos; messages do
 * the same in MessageService.send): `check` runs first in a transaction of its own, so a
 * refused request stores nothing; the files are then streamed to storage outside any
 * transaction (none is held open during an upload); `write` runs in one transaction that
 * checks again under its locks. If that answers with userErrors or fails, the stored files
 * are deleted again.
 */
export async function mutationWithUploads<T extends object>(
  deps: { ds: DataSource; storage: AttachmentStorage; log?: Logger },
  files: ReadonlyArray<FileUpload | Promise<FileUpload>> | null | undefined,
  intake: Omit<IntakeOptions, 'log'>,
  check: (tx: EntityManager) => Promise<unknown>,
  write: (tx: EntityManager, stored: StoredAttachment[]) => Promise<T>,
): Promise<Payload<T>> {
  const precheck = await mutation(deps.ds, async (tx) => {
    await check(tx);
    return {};
  });
  if (precheck.userErrors.length) return precheck as Payload<T>;
  let stored: StoredAttachment[];
  try {
    stored = await storeUploads(deps.storage, files, { ...intake, log: deps.log });
  } catch (error) {
    if (error instanceof DomainError) return { userErrors: error.errors } as Payload<T>;
    throw error;
  }
  const discard = () => discardStoredAttachments(deps.storage, stored.map((s) => s.storageKey), deps.log);
  try {
    const result = await mutation(deps.ds, (tx) => write(tx, stored));
    if (result.userErrors.length) await discard();
    return result;
  } catch (error) {
    await discard();
    throw error;
  }
}

/**
 * Compensation: deletes stored files whose database rows were never committed (the
 * transaction rolled back or the mutation answered with userErrors). Never throws; returns
 * the keys it could not delete (also logged), which are orphans to sweep later.
 */
export async function discardStoredAttachments(
  storage: AttachmentStorage,
  keys: readonly string[],
  log?: Logger,
): Promise<string[]> {
  const results = await Promise.allSettled(keys.map((key) => storage.delete(key)));
  const failed = keys.filter((_, i) => results[i].status === 'rejected');
  if (failed.length) {
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    log?.error({ keys: failed, err: reasons[0] }, 'could not delete discarded attachments');
  }
  return failed;
}

/** Random and path-safe; the first two hex digits fan files out over 256 folders. */
export function newStorageKey(): string {
  const id = randomBytes(16).toString('hex');
  return `${id.slice(0, 2)}/${id}`;
}

interface FileContext {
  field: string[];
  index: number;
  maxBytes: number;
}

async function storeOne(
  storage: AttachmentStorage,
  file: FileUpload | Promise<FileUpload>,
  key: string,
  ctx: FileContext,
): Promise<StoredAttachment> {
  let upload: FileUpload;
  let source: Readable;
  try {
    upload = await file;
  } catch (error) {
    throw receiveError(error, `File ${ctx.index + 1}`, ctx);
  }
  const displayName = sanitizeDisplayName(upload.filename);
  const label = `“${displayName}”`;
  try {
    // Throws when graphql-upload already refused the part (e.g. over its size cut-off) while
    // earlier files were being stored: the name is known by then, so the message says it.
    source = upload.createReadStream();
  } catch (error) {
    throw receiveError(error, label, ctx);
  }
  let sourceError: unknown;
  const chunks = source[Symbol.asyncIterator]();
  const next = async () => {
    try {
      return await chunks.next();
    } catch (error) {
      sourceError ??= error;
      throw error;
    }
  };
  const meter = new ByteMeter(ctx.maxBytes);
  try {
    const { head, ended } = await readHead(next);
    if (head.length === 0) throw new DomainError(UserErrorCode.FILE_EMPTY, `${label} is empty.`, ctx.field);
    const detected = await fileTypeFromBuffer(head);
    const contentType = detected ? ALLOWED_CONTENT_TYPES[detected.mime] : undefined;
    if (!contentType) {
      throw new DomainError(UserErrorCode.FILE_TYPE_NOT_ALLOWED, `${label} is not a ${ALLOWED_TYPES_TEXT} file.`, ctx.field);
    }
    const body = pipeline(Readable.from(replay(head, ended, next), { objectMode: false }), meter, () => undefined);
    await storage.put(key, body, contentType);
    if (meter.exceeded || sourceError) throw sourceError ?? new Error('size limit passed');
    return { storageKey: key, contentType, byteSize: meter.bytes, sha256: meter.sha256(), displayName };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (meter.exceeded) throw tooLarge(label, ctx);
    if (sourceError !== undefined) throw receiveError(sourceError, label, ctx);
    throw error; // storage failed: a server fault, not the client's
  } finally {
    meter.destroy();
    source.destroy(); // lets graphql-upload delete its temp file once the response is sent
  }
}

type Next = () => Promise<IteratorResult<Buffer>>;

/** file-type's `reasonableDetectionSizeInBytes`: enough for every signature it knows. */
const DETECTION_SAMPLE_BYTES = 4100;

/** Reads until file-type has the sample it needs (or the file ends), without losing bytes. */
async function readHead(next: Next): Promise<{ head: Buffer; ended: boolean }> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < DETECTION_SAMPLE_BYTES) {
    const result = await next();
    if (result.done) return { head: Buffer.concat(parts), ended: true };
    parts.push(result.value);
    length += result.value.length;
  }
  return { head: Buffer.concat(parts), ended: false };
}

async function* replay(head: Buffer, ended: boolean, next: Next): AsyncGenerator<Buffer> {
  yield head;
  if (ended) return;
  for (let result = await next(); !result.done; result = await next()) yield result.value;
}

/** Counts and hashes the bytes passing through; fails as soon as the limit is passed. */
class ByteMeter extends Transform {
  bytes = 0;
  exceeded = false;
  private readonly hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      this.exceeded = true;
      callback(new Error(`file passed the ${this.maxBytes} byte limit`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}

function tooLarge(label: string, ctx: FileContext): DomainError {
  const mb = ctx.maxBytes / (1024 * 1024);
  return new DomainError(
    UserErrorCode.FILE_TOO_LARGE,
    `${label} is larger than ${mb} MB (${ctx.maxBytes.toLocaleString('en-US')} bytes).`,
    ctx.field,
  );
}

/** The client's side failed: graphql-upload's own size cut-off (413), a disconnect, a bad part. */
function receiveError(error: unknown, label: string, ctx: FileContext): DomainError {
  if ((error as { status?: unknown })?.status === 413) return tooLarge(label, ctx);
  return new DomainError(UserErrorCode.UPLOAD_FAILED, `${label} was not received completely; send it again.`, ctx.field);
}
