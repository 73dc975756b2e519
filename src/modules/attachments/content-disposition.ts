import { EXTENSIONS } from './attachment-limits';

const INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * `Content-Disposition` for serving a stored attachment: raster images inline (shown in the
 * chat), PDFs and anything else as a download. The name gets the extension of the detected
 * type when it lacks one, so a PDF uploaded as "x.html" is never saved as an .html file.
 * `filename*` (RFC 5987/6266) carries the real name, Japanese included; `filename` is an
 * ASCII fallback for old clients.
 */
export function contentDisposition(displayName: string, contentType: string): string {
  const type = INLINE_TYPES.has(contentType) ? 'inline' : 'attachment';
  const name = withMatchingExtension(displayName, contentType);
  return `${type}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** Headers for a response that serves attachment bytes; none of them lets a browser run it. */
export function attachmentResponseHeaders(a: { contentType: string; byteSize: number; displayName: string }) {
  return {
    'Content-Type': a.contentType,
    'Content-Length': String(a.byteSize),
    'Content-Disposition': contentDisposition(a.displayName, a.contentType),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  };
}

function withMatchingExtension(name: string, contentType: string): string {
  const extensions = EXTENSIONS[contentType];
  if (!extensions) return name;
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext && extensions.includes(ext) ? name : `${name}.${extensions[0]}`;
}

function asciiFallback(name: string): string {
  const plain = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return plain.trim() || 'attachment';
}

/** RFC 5987 ext-value: percent-encode everything outside attr-char. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
