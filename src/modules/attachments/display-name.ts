const MAX_DISPLAY_NAME = 120;

/**
 * The client's file name as safe display text: last path segment only, NFC (macOS sends
 * Japanese as NFD: か + ゛), no control or bidi/invisible format characters, runs of spaces
 * collapsed, at most 120 characters with the extension kept. Never used as a storage key.
 */
export function sanitizeDisplayName(filename: string | null | undefined, fallback = 'attachment'): string {
  let name = String(filename ?? '').normalize('NFC');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name
    // U+200D (zero-width joiner) stays: emoji sequences need it and it cannot reorder text.
    .replace(/(?!\u200d)[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/gu, (run) => run[0]) // keeps a full-width space 　 as it was typed
    .trim();
  if (/^\.*$/.test(name)) return fallback;
  return truncateKeepingExtension(name, MAX_DISPLAY_NAME);
}

function truncateKeepingExtension(name: string, max: number): string {
  const chars = Array.from(name); // code points: never cut a surrogate pair in half
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (ext.length > 1 && ext.length <= 10) {
    return chars.slice(0, max - ext.length).join('').trimEnd() + ext.join('');
  }
  return chars.slice(0, max).join('').trimEnd();
}
