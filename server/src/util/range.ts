/**
 * Parses a single HTTP byte range (RFC 9110) against an object size.
 * Returns null when the header should be ignored (absent, malformed, multi-range: S3 then
 * serves the whole object), 'unsatisfiable' for 416, or the inclusive [start, end].
 */
export type RangeResult = null | 'unsatisfiable' | { start: number; end: number };

// More digits than this cannot be a real offset and would lose precision as a JS number.
const MAX_DIGITS = 15;

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return null;
  if (a.length > MAX_DIGITS || b.length > MAX_DIGITS) {
    // A start that large is past any object; an end that large just means "to the end".
    if (a.length > MAX_DIGITS) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Number(a), end: size - 1 };
  }
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Number(b);
  if (end < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}
