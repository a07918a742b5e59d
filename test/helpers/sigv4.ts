/**
 * SigV4 for hand-built requests (raw sockets, fetch, presigned URLs) in tests.
 * Works on the raw, already-encoded path and query exactly as they go on the request
 * line, so hostile paths (%2e%2e, invalid UTF-8) are signed byte for byte.
 * TODO(switch): delegate to shared/src/sigv4 once it lands (see docs/testing.md).
 */
import { createHash, createHmac } from 'node:crypto';

export interface Creds {
  accessKey: string;
  secretKey: string;
}

export interface SignInput {
  method: string;
  /** Raw path as on the request line (percent-encoded, not normalised). */
  path: string;
  /** Raw query without '?', or ''. */
  query?: string;
  /** Headers to send; all are signed unless listed in `unsigned`. Must include host. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD / STREAMING-… */
  payloadHash: string;
  creds: Creds;
  region?: string;
  now?: Date;
  /** Lowercased header names to leave out of SignedHeaders (for HeadersNotSigned tests). */
  unsigned?: readonly string[];
}

export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Percent-decodes to raw bytes; malformed escapes stay literal (the server judges them). */
function decodeToBytes(s: string): Buffer {
  const out: number[] = [];
  const src = Buffer.from(s, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const c = src[i] ?? 0;
    if (c === 0x25 && i + 2 < src.length + 0 && /^[0-9a-fA-F]{2}$/.test(src.subarray(i + 1, i + 3).toString('latin1'))) {
      out.push(parseInt(src.subarray(i + 1, i + 3).toString('latin1'), 16));
      i += 2;
    } else out.push(c);
  }
  return Buffer.from(out);
}

/** S3's SigV4 encoder: every byte but A-Z a-z 0-9 - _ . ~ (and '/' in paths) as %XX. */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let s = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch) || (keepSlash && ch === '/')) s += ch;
    else s += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return s;
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      const name = i < 0 ? p : p.slice(0, i);
      const value = i < 0 ? '' : p.slice(i + 1);
      return [uriEncodeBytes(decodeToBytes(name), false), uriEncodeBytes(decodeToBytes(value), false)] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function signingKey(secret: string, date: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac('AWS4' + secret, date), region), 's3'), 'aws4_request');
}

interface Signed {
  signature: string;
  signedHeaders: string;
  credential: string;
}

function sign(input: SignInput, extraQuery: string | undefined, time: string): Signed {
  const region = input.region ?? 'us-east-1';
  const date = time.slice(0, 8);
  const skip = new Set(input.unsigned ?? []);
  const byName = new Map<string, string[]>();
  for (const [k, v] of input.headers) {
    const name = k.toLowerCase();
    if (skip.has(name)) continue;
    const list = byName.get(name) ?? [];
    list.push(v.trim().replace(/\s+/g, ' '));
    byName.set(name, list);
  }
  const names = [...byName.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${(byName.get(n) ?? []).join(',')}\n`).join('');
  const signedHeaders = names.join(';');
  const query = [input.query ?? '', extraQuery ?? ''].filter((q) => q !== '').join('&');
  const canonicalRequest = [
    input.method,
    uriEncodeBytes(decodeToBytes(input.path), true),
    canonicalQuery(query),
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', time, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const signature = createHmac('sha256', signingKey(input.creds.secretKey, date, region)).update(stringToSign).digest('hex');
  return { signature, signedHeaders, credential: `${input.creds.accessKey}/${scope}` };
}

/**
 * Header auth: returns the headers to send (the caller's plus x-amz-date,
 * x-amz-content-sha256 and Authorization), in order.
 */
export function signHeaders(input: SignInput): Array<[string, string]> {
  const time = amzDate(input.now ?? new Date());
  const headers: Array<[string, string]> = [
    ...input.headers.map(([k, v]) => [k, v] as [string, string]),
    ['x-amz-date', time],
    ['x-amz-content-sha256', input.payloadHash],
  ];
  const s = sign({ ...input, headers }, undefined, time);
  headers.push(['Authorization', `AWS4-HMAC-SHA256 Credential=${s.credential}, SignedHeaders=${s.signedHeaders}, Signature=${s.signature}`]);
  return headers;
}

export interface PresignInput extends Omit<SignInput, 'payloadHash'> {
  expiresIn: number;
}

/** Query auth: returns "path?query" with the X-Amz-* parameters and signature appended. */
export function presign(input: PresignInput): string {
  const time = amzDate(input.now ?? new Date());
  const region = input.region ?? 'us-east-1';
  const signedNames = [
    ...new Set(input.headers.map(([k]) => k.toLowerCase()).filter((n) => !(input.unsigned ?? []).includes(n))),
  ].sort();
  const credential = `${input.creds.accessKey}/${time.slice(0, 8)}/${region}/s3/aws4_request`;
  const auth = [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=${encodeURIComponent(credential)}`,
    `X-Amz-Date=${time}`,
    `X-Amz-Expires=${input.expiresIn}`,
    `X-Amz-SignedHeaders=${encodeURIComponent(signedNames.join(';'))}`,
  ].join('&');
  const s = sign({ ...input, payloadHash: 'UNSIGNED-PAYLOAD' }, auth, time);
  const query = [input.query ?? '', auth, `X-Amz-Signature=${s.signature}`].filter((q) => q !== '').join('&');
  return `${input.path}?${query}`;
}

/** Signs and sends a request with fetch (for tests that need exact control but not raw bytes). */
export async function signedFetch(
  baseUrl: string,
  init: { method: string; path: string; query?: string; headers?: Array<[string, string]>; body?: Buffer | string; creds: Creds; region?: string; now?: Date },
): Promise<Response> {
  const host = new URL(baseUrl).host;
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  const payloadHash = createHash('sha256').update(body ?? '').digest('hex');
  const headers = signHeaders({
    method: init.method,
    path: init.path,
    query: init.query ?? '',
    headers: [['host', host], ...(init.headers ?? [])],
    payloadHash,
    creds: init.creds,
    ...(init.region !== undefined ? { region: init.region } : {}),
    ...(init.now !== undefined ? { now: init.now } : {}),
  }).filter(([k]) => k.toLowerCase() !== 'host');
  const url = `${baseUrl}${init.path}${init.query ? `?${init.query}` : ''}`;
  return fetch(url, { method: init.method, headers, ...(body !== undefined ? { body } : {}) });
}
