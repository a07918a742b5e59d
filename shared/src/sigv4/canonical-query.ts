import { percentDecode, uriEncode } from './uri-encode.js';

/** One query parameter, decoded and in its canonical (re-encoded) form. */
export interface QueryParam {
  /** Decoded name (UTF-8; invalid sequences replaced). */
  name: string;
  /** Decoded value; "" when the parameter has no "=". */
  value: string;
  /** Name and value re-encoded with the SigV4 encoder. */
  encodedName: string;
  encodedValue: string;
}

/** Splits a raw query string (without "?") into parameters, in order. Empty pieces are skipped. */
export function parseQuery(rawQuery: string): QueryParam[] {
  const out: QueryParam[] = [];
  if (rawQuery === '') return out;
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? '' : piece.slice(eq + 1);
    const nameBytes = percentDecode(rawName);
    const valueBytes = percentDecode(rawValue);
    out.push({
      name: nameBytes.toString('utf8'),
      value: valueBytes.toString('utf8'),
      encodedName: uriEncode(nameBytes, true),
      encodedValue: uriEncode(valueBytes, true),
    });
  }
  return out;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface CanonicalQueryOptions {
  /** Parameter names (exact, decoded) left out, e.g. X-Amz-Signature for presigned URLs. */
  omit?: readonly string[];
}

/**
 * The canonical query string: each name and value decoded then re-encoded, sorted by
 * encoded name then encoded value, "name=" for a valueless parameter, joined by "&".
 * Repeated parameters are all kept.
 */
export function canonicalQuery(rawQuery: string | readonly QueryParam[], options: CanonicalQueryOptions = {}): string {
  const params = typeof rawQuery === 'string' ? parseQuery(rawQuery) : rawQuery;
  const omit = options.omit ?? [];
  return params
    .filter((p) => !omit.includes(p.name))
    .map((p) => [p.encodedName, p.encodedValue] as const)
    .sort((a, b) => compareCodeUnits(a[0], b[0]) || compareCodeUnits(a[1], b[1]))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}
