import type { AttachmentPurpose } from './attachment.entity';

/**
 * How many files one request may attach, per purpose: a message (and what is sent as one:
 * exchange requests, delivery problems) carries at most 3 (seed 003); a warehouse inspection
 * up to 10 photos of the item.
 */
export const MAX_FILES: Readonly<Record<AttachmentPurpose, number>> = {
  MESSAGE: 3,
  INSPECTION: 10,
};

/** Messages: the limit a request is held to when it names no purpose. */
export const ATTACHMENT_MAX_FILES = MAX_FILES.MESSAGE;

/** The most any request may carry: graphql-upload's cut-off at the HTTP layer; each purpose is checked by the intake. */
export const REQUEST_MAX_FILES = Math.max(...Object.values(MAX_FILES));
/** 10 MB, counted in binary: a file of exactly this many bytes is accepted, one byte more is not. */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

/**
 * The types we accept, as file-type detects them from the bytes, mapped to the type we store
 * and serve. APNG is a PNG that browsers animate; it is served as PNG like everywhere else.
 */
export const ALLOWED_CONTENT_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'image/jpeg',
  'image/png': 'image/png',
  'image/apng': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
  'application/pdf': 'application/pdf',
};

/** File extensions that match each stored type; the first is the one added when missing. */
export const EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/png': ['png', 'apng'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
};

/** Human text for error messages, e.g. "JPG, PNG, GIF, WEBP or PDF". */
export const ALLOWED_TYPES_TEXT = 'JPG, PNG, GIF, WEBP or PDF';
