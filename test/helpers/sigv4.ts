/**
 * SigV4 for hand-built requests (raw sockets, fetch, presigned URLs) in tests, on top of
 * the project's shared signer. Paths and queries go in raw, exactly as they will be on
 * the request line, so hostile paths (%2e%2e, invalid UTF-8) are signed byte for byte.
 */
import { createHash } from 'node:crypto';
import { formatAmzDate, presignUrl, signRequest } from '../../shared/src/sigv4/index.js';

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
  /** Lowercased header names sent but left out of SignedHeaders (HeadersNotSigned tests). */
  unsigned?: readonly string[];
  /** Do not send or sign x-amz-content-sha256 (for the missing-header test). */
  omitContentSha256?: boolean;
}

export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export function amzDate(d: Date): string {
  return formatAmzDate(d);
}

function hostOf(headers: SignInput['headers']): string {
  const host = headers.find(([k]) => k.toLowerCase() === 'host')?.[1];
  if (host === undefined) throw new Error('sign: a host header is required');
  return host;
}

function urlOf(input: Pick<SignInput, 'path' | 'query' | 'headers'>): string {
  const q = input.query ?? '';
  return `http://${hostOf(input.headers)}${input.path}${q === '' ? '' : `?${q}`}`;
}

function signedPart(input: Pick<SignInput, 'headers' | 'unsigned'>): Array<[string, string]> {
  const skip = new Set(input.unsigned ?? []);
  return input.headers.filter(([k]) => !skip.has(k.toLowerCase())).map(([k, v]) => [k, v]);
}

/**
 * Header auth: returns the headers to send (the caller's, then x-amz-date,
 * x-amz-content-sha256 and authorization from the signer), in order.
 */
export function signHeaders(input: SignInput): Array<[string, string]> {
  const added = signRequest({
    method: input.method,
    url: urlOf(input),
    headers: signedPart(input),
    bodySha256: input.payloadHash,
    contentSha256Header: input.omitContentSha256 !== true,
    credentials: { accessKeyId: input.creds.accessKey, secretAccessKey: input.creds.secretKey },
    region: input.region ?? 'us-east-1',
    service: 's3',
    now: input.now ?? new Date(),
  });
  const own = new Set(Object.keys(added));
  return [...input.headers.filter(([k]) => !own.has(k.toLowerCase())).map(([k, v]): [string, string] => [k, v]), ...Object.entries(added)];
}

export interface PresignInput extends Omit<SignInput, 'payloadHash'> {
  expiresIn: number;
}

/** Query auth: returns "path?query" with the X-Amz-* parameters and signature appended. */
export function presign(input: PresignInput): string {
  const url = presignUrl({
    method: input.method,
    url: urlOf(input),
    headers: signedPart(input),
    credentials: { accessKeyId: input.creds.accessKey, secretAccessKey: input.creds.secretKey },
    region: input.region ?? 'us-east-1',
    service: 's3',
    now: input.now ?? new Date(),
    expiresIn: input.expiresIn,
  });
  return url.slice(`http://${hostOf(input.headers)}`.length);
}

/** Signs and sends a request with fetch (for tests that need exact control but not raw bytes). */
export async function signedFetch(
  baseUrl: string,
  init: {
    method: string;
    path: string;
    query?: string;
    headers?: Array<[string, string]>;
    body?: Buffer | string;
    creds: Creds;
    region?: string;
    now?: Date;
  },
): Promise<Response> {
  const host = new URL(baseUrl).host;
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  const payloadHash = createHash('sha256')
    .update(body ?? '')
    .digest('hex');
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
