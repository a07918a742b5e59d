/**
 * References of stored wrapped keys as listWrappedKeys returns them, shared by both
 * backends. Keys that belong to no row (the credential master key) live in object_keys
 * under their own ref; an object's or upload's data key lives in its own envelope (the
 * `encryption` JSON column: `wrappedKey: { provider, keyId, version, wrapped (base64) }`)
 * and is referred to as "object:[bucketId,key]" or "upload:<uploadId>".
 */
export const OBJECT_REF_PREFIX = 'object:';
export const UPLOAD_REF_PREFIX = 'upload:';
/** The SSE-C envelope's provider: wrapped by the customer's key, never by the registry. */
export const SSE_C_PROVIDER = 'sse-c';

export type ParsedRef =
  { kind: 'stored'; ref: string } | { kind: 'object'; bucketId: string; key: string } | { kind: 'upload'; uploadId: string };

export function objectRef(bucketId: string, key: string): string {
  return `${OBJECT_REF_PREFIX}${JSON.stringify([bucketId, key])}`;
}

export function uploadRef(uploadId: string): string {
  return `${UPLOAD_REF_PREFIX}${uploadId}`;
}

export function isReservedRef(ref: string): boolean {
  return ref.startsWith(OBJECT_REF_PREFIX) || ref.startsWith(UPLOAD_REF_PREFIX);
}

export function parseRef(ref: string): ParsedRef {
  if (ref.startsWith(OBJECT_REF_PREFIX)) {
    try {
      const v = JSON.parse(ref.slice(OBJECT_REF_PREFIX.length)) as unknown;
      if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
        return { kind: 'object', bucketId: v[0], key: v[1] };
      }
    } catch {
      /* not one of ours: treated as a stored ref that matches nothing */
    }
    return { kind: 'stored', ref };
  }
  if (ref.startsWith(UPLOAD_REF_PREFIX)) return { kind: 'upload', uploadId: ref.slice(UPLOAD_REF_PREFIX.length) };
  return { kind: 'stored', ref };
}

/** An envelope's wrapped key as stored in the `encryption` column (JSON). */
export interface EnvelopeWrappedKey {
  provider: string;
  keyId: string;
  version: number;
  /** base64 */
  wrapped: string;
}

export function envelopeKeyOf(encryption: unknown): EnvelopeWrappedKey | null {
  const doc = typeof encryption === 'string' ? (JSON.parse(encryption) as unknown) : encryption;
  if (typeof doc !== 'object' || doc === null) return null;
  const w = (doc as { wrappedKey?: unknown }).wrappedKey;
  if (typeof w !== 'object' || w === null) return null;
  const { provider, keyId, version, wrapped } = w as Record<string, unknown>;
  if (typeof provider !== 'string' || typeof keyId !== 'string' || typeof version !== 'number' || typeof wrapped !== 'string') return null;
  return { provider, keyId, version, wrapped };
}
