import { bucketNameProblem, MAX_KEY_BYTES } from '@anode/shared';
import { TargetError } from './target-errors.js';

/** The request target split the way S3 reads it. */
export interface Target {
  /** Path as sent, still percent-encoded (what SigV4 signs). */
  rawPath: string;
  /** Query as sent, without '?'. */
  rawQuery: string;
  /** Decoded query parameters; every copy of a repeated name is kept. */
  query: Map<string, string[]>;
  bucket: string | null;
  key: string | null;
  /** The bucket came from the Host header (bucket.domain), not the path. */
  virtualHost: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits req.url ourselves: WHATWG URL would resolve "..", and S3 keys are opaque bytes.
 * `domain` enables virtual-hosted-style addressing (bucket.domain).
 */
export function parseTarget(url: string, host: string | undefined, domain: string): Target {
  // Absolute-form targets (GET http://evil/x) are refused: bucket and key come only from the origin-form path.
  if (!url.startsWith('/')) throw new TargetError('InvalidURI');
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const query = parseQuery(rawQuery);

  let bucket: string | null = null;
  let keyPart: string;
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (domain !== '' && hostname.endsWith(`.${domain}`)) {
    bucket = hostname.slice(0, -(domain.length + 1));
    keyPart = rawPath.slice(1);
  } else {
    const slash = rawPath.indexOf('/', 1);
    const first = slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash);
    keyPart = slash === -1 ? '' : rawPath.slice(slash + 1);
    if (first !== '') bucket = decode(first);
  }
  if (bucket !== null) {
    const problem = bucketNameProblem(bucket);
    // Legacy buckets aside, AWS refuses such names on every operation; refuse before any lookup.
    if (problem !== null)
      throw new TargetError('InvalidBucketName', {
        message: `The specified bucket is not valid: ${problem}.`,
        extra: { BucketName: bucket },
      });
  }
  let key: string | null = null;
  if (keyPart !== '') {
    key = decode(keyPart);
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > MAX_KEY_BYTES) {
      throw new TargetError('KeyTooLongError', { extra: { Size: bytes, MaxSizeAllowed: MAX_KEY_BYTES } });
    }
  }
  return { rawPath, rawQuery, query, bucket, key, virtualHost: domain !== '' && hostname.endsWith(`.${domain}`) };
}

/** Percent-decodes to bytes and then to UTF-8, refusing invalid UTF-8 with InvalidURI. */
export function decode(s: string, plusIsSpace = false): string {
  if (plusIsSpace) s = s.replace(/\+/g, ' ');
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new TargetError('InvalidURI');
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new TargetError('InvalidURI');
  }
}

function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (raw === '') return out;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq), true);
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1), true);
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

/** First value of a query parameter, or undefined. */
export function queryParam(target: Target, name: string): string | undefined {
  return target.query.get(name)?.[0];
}
