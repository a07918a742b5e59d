import { createHash } from 'node:crypto';
import { ALGORITHM, CHUNK_ALGORITHM, EMPTY_SHA256, KEY_TYPE_IDENTIFIER, TRAILER_ALGORITHM } from './constants.js';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** "<yyyymmdd>/<region>/<service>/aws4_request" */
export function createScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${KEY_TYPE_IDENTIFIER}`;
}

/**
 * AWS4-HMAC-SHA256 \n amzDate \n scope \n hex(SHA-256(canonical request)). A signer hashes
 * the canonical request as UTF-8; a verifier passes the bytes as they arrived (see
 * canonicalRequestBytes), since Node hands header values over one char per byte.
 */
export function createStringToSign(amzDate: string, scope: string, canonicalRequest: string | Uint8Array): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}

/**
 * The canonical request as the client hashed it, from strings Node decoded as latin1 (one
 * char per received byte): the same bytes, so UTF-8 metadata a client signed verifies. A
 * string with a char above U+00FF did not come off the wire and is hashed as UTF-8.
 */
export function canonicalRequestBytes(canonicalRequest: string): string | Buffer {
  return /[^\u0000-\u00ff]/.test(canonicalRequest) ? canonicalRequest : Buffer.from(canonicalRequest, 'latin1');
}

/** String to sign of one aws-chunked chunk, chained from the previous signature. */
export function createChunkStringToSign(amzDate: string, scope: string, previousSignature: string, chunkSha256Hex: string): string {
  return `${CHUNK_ALGORITHM}\n${amzDate}\n${scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

/** Trailer lines as signed: "name:value\n" each, CR and spaces removed, names lowercased. */
export function canonicalTrailers(trailers: readonly (readonly [string, string])[]): string {
  return trailers.map(([n, v]) => `${n.toLowerCase()}:${v}\n`.replace(/[\r ]/g, '')).join('');
}

/** String to sign of the trailer block, chained from the final zero-length chunk's signature. */
export function createTrailerStringToSign(
  amzDate: string,
  scope: string,
  previousSignature: string,
  canonicalTrailerBlock: string,
): string {
  return `${TRAILER_ALGORITHM}\n${amzDate}\n${scope}\n${previousSignature}\n${sha256Hex(canonicalTrailerBlock)}`;
}
