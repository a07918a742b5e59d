/**
 * The smallest string greater than every string starting with `prefix`, in code point
 * order (= binary UTF-8 order, S3's key order), or null when there is none (empty prefix,
 * or a prefix made only of U+10FFFF). Lets a backend turn "starts with prefix" into an
 * index range `key >= prefix AND key < bound`.
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last < 0x10ffff) {
      // Surrogate code points cannot appear in UTF-8 text: step over them.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return String.fromCodePoint(...points, next);
    }
  }
  return null;
}
