import { createHmac } from 'node:crypto';
import { KEY_TYPE_IDENTIFIER } from './constants.js';

export function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

// Keys change once a day per credential; a small cache saves four HMACs per request.
const CACHE_LIMIT = 512;
const cache = new Map<string, Buffer>();

/** HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request". */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${date}\n${region}\n${service}\n${secretAccessKey}`;
  const hit = cache.get(cacheKey);
  if (hit !== undefined) return hit;
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const key = hmac(kService, KEY_TYPE_IDENTIFIER);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cacheKey, key);
  return key;
}

/**
 * Drops every cached signing key. A server calls it when credentials change (a revoked or
 * rotated key's derived keys then leave memory at once; they could not authenticate
 * anyway, since every request looks its secret up in the store first).
 */
export function clearSigningKeyCache(): void {
  cache.clear();
}

/** hex(HMAC-SHA256(signingKey, stringToSign)) */
export function computeSignature(signingKey: Uint8Array, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
