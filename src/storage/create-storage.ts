import type { Config } from '../app/config';
import { FilesystemStorage } from './filesystem-storage';
import { S3Storage } from './s3-storage';
import type { AttachmentStorage } from './storage';

/** The storage driver the configuration names; `loadConfig` has already checked S3's settings. */
export function createStorage(config: Config): AttachmentStorage {
  if (config.STORAGE_DRIVER === 's3') {
    return new S3Storage({
      bucket: config.S3_BUCKET!,
      region: config.S3_REGION!,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    });
  }
  return new FilesystemStorage(config.STORAGE_DIR);
}
