/**
 * The client side of SigV4, used by anodectl: header signing and presigned URLs. Canonical
 * forms come from the same functions the server's verifier uses, so both agree by
 * construction.
 */
import { canonicalHeaders, collectHeaders } from './canonical-headers.js';
import { canonicalQuery } from './canonical-query.js';
import { createCanonicalRequest } from './canonical-request.js';
import { canonicalUri } from './canonical-uri.js';
import { formatAmzDate } from './amz-date.js';
import {
  ALGORITHM,
  MAX_PRESIGNED_EXPIRES_SECONDS,
  QUERY_ALGORITHM,
  QUERY_CREDENTIAL,
  QUERY_DATE,
  QUERY_EXPIRES,
  QUERY_SECURITY_TOKEN,
  QUERY_SIGNATURE,
  QUERY_SIGNED_HEADERS,
  UNSIGNED_PAYLOAD,
} from './constants.js';
import { computeSignature, deriveSigningKey } from './signing-key.js';
import { createScope, createStringToSign } from './string-to-sign.js';
import { uriEncode } from './uri-encode.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Headers as a record (arrays for repeats) or as [name, value] pairs in send order. */
export type HeaderInput = Readonly<Record<string, string | readonly string[]>> | readonly (readonly [string, string])[];

interface CommonSigningInput {
  method: string;
  /** Absolute URL. Its path and query are taken verbatim (never normalized). */
  url: string;
  headers?: HeaderInput;
  credentials: Credentials;
  region: string;
  service: string;
  now: Date;
  /** Sign X-Amz-Security-Token (default true); false adds it unsigned, after signing. */
  signSessionToken?: boolean;
  /** Normalize the path like non-S3 services do. Default false; never for S3. */
  normalizePath?: boolean;
}

export interface SignRequestInput extends CommonSigningInput {
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD / a STREAMING-... literal. */
  bodySha256: string;
  /** Send and sign x-amz-content-sha256 (default true; S3 requires it). */
  contentSha256Header?: boolean;
}

export interface SignatureDetails {
  /** Headers to add to the request (lowercase names), including authorization. */
  headers: Record<string, string>;
  signature: string;
  signedHeaders: string[];
  canonicalRequest: string;
  stringToSign: string;
  amzDate: string;
  scope: string;
  /** For signing aws-chunked chunks after the seed signature. Keep it out of logs. */
  signingKey: Buffer;
}

// Hop-by-hop or proxy-rewritten headers; signing them breaks requests that pass a proxy.
const NEVER_SIGNED = new Set([
  'authorization',
  'connection',
  'expect',
  'user-agent',
  'x-amzn-trace-id',
  'transfer-encoding',
  'keep-alive',
  'proxy-authorization',
  'te',
  'upgrade',
]);

interface SplitUrl {
  host: string;
  rawPath: string;
  rawQuery: string;
}

/** Takes path and query from the string itself: `new URL()` would resolve "..". */
export function splitUrl(url: string): SplitUrl {
  const host = new URL(url).host;
  const afterScheme = url.indexOf('//');
  if (afterScheme < 0) throw new TypeError('url must be absolute');
  let rest = url.slice(afterScheme + 2);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const pathStart = rest.search(/[/?]/);
  const target = pathStart < 0 ? '' : rest.slice(pathStart);
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  return { host, rawPath: rawPath === '' ? '/' : rawPath, rawQuery: q < 0 ? '' : target.slice(q + 1) };
}

function headerPairs(headers: HeaderInput | undefined): [string, string][] {
  if (headers === undefined) return [];
  if (Array.isArray(headers)) return headers.map(([n, v]) => [n, v]);
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers as Record<string, string | readonly string[]>)) {
    if (typeof value === 'string') out.push([name, value]);
    else for (const v of value) out.push([name, v]);
  }
  return out;
}

interface Prepared {
  pairs: [string, string][];
  split: SplitUrl;
  amzDate: string;
  scope: string;
  signingKey: Buffer;
}

function prepare(input: CommonSigningInput): Prepared {
  const split = splitUrl(input.url);
  const pairs = headerPairs(input.headers);
  if (!pairs.some(([n]) => n.toLowerCase() === 'host')) pairs.unshift(['host', split.host]);
  const amzDate = formatAmzDate(input.now);
  const date = amzDate.slice(0, 8);
  return {
    pairs,
    split,
    amzDate,
    scope: createScope(date, input.region, input.service),
    signingKey: deriveSigningKey(input.credentials.secretAccessKey, date, input.region, input.service),
  };
}

function signedHeaderNames(pairs: readonly (readonly [string, string])[]): string[] {
  const names = new Set<string>();
  for (const [n] of pairs) {
    const lower = n.toLowerCase();
    if (!NEVER_SIGNED.has(lower)) names.add(lower);
  }
  return [...names].sort();
}

/** Signs with an Authorization header; returns everything, for callers that need more than headers. */
export function signRequestDetailed(input: SignRequestInput): SignatureDetails {
  const p = prepare(input);
  const added: Record<string, string> = { 'x-amz-date': p.amzDate };
  if (input.contentSha256Header ?? true) added['x-amz-content-sha256'] = input.bodySha256;
  const token = input.credentials.sessionToken;
  const signToken = token !== undefined && (input.signSessionToken ?? true);
  if (signToken) added['x-amz-security-token'] = token;
  // Our own values replace any the caller passed under the same names.
  const pairs = p.pairs.filter(([n]) => !(n.toLowerCase() in added));
  for (const [n, v] of Object.entries(added)) pairs.push([n, v]);

  const signedHeaders = signedHeaderNames(pairs);
  const canonicalRequest = createCanonicalRequest({
    method: input.method.toUpperCase(),
    canonicalUri: canonicalUri(p.split.rawPath, { normalize: input.normalizePath ?? false }),
    canonicalQuery: canonicalQuery(p.split.rawQuery),
    canonicalHeaders: canonicalHeaders(collectHeaders(pairs.flat()), signedHeaders),
    signedHeaders,
    payloadHash: input.bodySha256,
  });
  const stringToSign = createStringToSign(p.amzDate, p.scope, canonicalRequest);
  const signature = computeSignature(p.signingKey, stringToSign);
  const headers: Record<string, string> = {
    ...added,
    authorization: `${ALGORITHM} Credential=${input.credentials.accessKeyId}/${p.scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
  if (token !== undefined && !signToken) headers['x-amz-security-token'] = token;
  return {
    headers,
    signature,
    signedHeaders,
    canonicalRequest,
    stringToSign,
    amzDate: p.amzDate,
    scope: p.scope,
    signingKey: p.signingKey,
  };
}

/** Signs with an Authorization header; returns the headers to add to the request. */
export function signRequest(input: SignRequestInput): Record<string, string> {
  return signRequestDetailed(input).headers;
}

export interface PresignUrlInput extends CommonSigningInput {
  /** Seconds the URL stays valid: 1..604800. */
  expiresIn: number;
  /** Payload line; S3 presigned URLs use UNSIGNED-PAYLOAD (the default). */
  payloadHash?: string;
}

export interface PresignDetails {
  url: string;
  signature: string;
  signedHeaders: string[];
  canonicalRequest: string;
  stringToSign: string;
}

/** Builds a presigned URL (query auth). Any headers given are signed and must be sent. */
export function presignUrlDetailed(input: PresignUrlInput): PresignDetails {
  if (!Number.isInteger(input.expiresIn) || input.expiresIn < 1 || input.expiresIn > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw new RangeError(`expiresIn must be an integer from 1 to ${MAX_PRESIGNED_EXPIRES_SECONDS}`);
  }
  const p = prepare(input);
  const signedHeaders = signedHeaderNames(p.pairs);
  const token = input.credentials.sessionToken;
  const signToken = token !== undefined && (input.signSessionToken ?? true);
  const auth: [string, string][] = [
    [QUERY_ALGORITHM, ALGORITHM],
    [QUERY_CREDENTIAL, `${input.credentials.accessKeyId}/${p.scope}`],
    [QUERY_DATE, p.amzDate],
    [QUERY_EXPIRES, String(input.expiresIn)],
    [QUERY_SIGNED_HEADERS, signedHeaders.join(';')],
  ];
  if (signToken) auth.push([QUERY_SECURITY_TOKEN, token]);
  const encodePairs = (list: [string, string][]): string => list.map(([n, v]) => `${uriEncode(n, true)}=${uriEncode(v, true)}`).join('&');
  const query = [p.split.rawQuery, encodePairs(auth)].filter((s) => s !== '').join('&');

  const canonicalRequest = createCanonicalRequest({
    method: input.method.toUpperCase(),
    canonicalUri: canonicalUri(p.split.rawPath, { normalize: input.normalizePath ?? false }),
    canonicalQuery: canonicalQuery(query),
    canonicalHeaders: canonicalHeaders(collectHeaders(p.pairs.flat()), signedHeaders),
    signedHeaders,
    payloadHash: input.payloadHash ?? UNSIGNED_PAYLOAD,
  });
  const stringToSign = createStringToSign(p.amzDate, p.scope, canonicalRequest);
  const signature = computeSignature(p.signingKey, stringToSign);
  const tail: [string, string][] = [];
  if (token !== undefined && !signToken) tail.push([QUERY_SECURITY_TOKEN, token]);
  tail.push([QUERY_SIGNATURE, signature]);

  const base = input.url.replace(/[?#].*$/s, '');
  return { url: `${base}?${query}&${encodePairs(tail)}`, signature, signedHeaders, canonicalRequest, stringToSign };
}

/** Builds a presigned URL (query auth). */
export function presignUrl(input: PresignUrlInput): string {
  return presignUrlDetailed(input).url;
}
