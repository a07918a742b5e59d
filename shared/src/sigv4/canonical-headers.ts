/** Headers by lowercased name, each with its values in arrival order (repeats kept apart). */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

/** Groups node-style raw headers ([name, value, name, value, ...]) by lowercased name. */
export function collectHeaders(rawHeaders: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    const list = map.get(name);
    if (list === undefined) map.set(name, [value]);
    else list.push(value);
  }
  return map;
}

/** Trim, collapse inner whitespace runs to one space, join repeats with a bare ",". */
export function canonicalHeaderValue(values: readonly string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/**
 * The canonical headers block: one "name:value\n" line per signed header, in the order of
 * `signedHeaders` (which callers keep sorted). A signed header that is absent gives
 * "name:" so that the signature simply fails to match.
 */
export function canonicalHeaders(headers: HeaderMap, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) out += `${name}:${canonicalHeaderValue(headers.get(name) ?? [])}\n`;
  return out;
}
