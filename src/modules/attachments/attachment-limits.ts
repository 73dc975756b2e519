/** Business limits on attachments (messages and inspection photos alike). */
export const ATTACHMENT_MAX_FILES = 3;
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
