/**
 * AES-256-GCM through server/native, a small addon on Node's own OpenSSL (built by `npm run
 * build`). Node's cipher API builds a context and returns a new buffer per call, which cost
 * more than the AES itself on a 64 KiB segment; the addon reuses one context per thread and
 * works on the bytes where they lie (docs/decisions.md, "AES-GCM in place").
 *
 * gcmEncryptInPlace/gcmDecryptInPlace are the cipher itself. The gcmSeal* and gcmOpen*
 * functions work on the sealed form nonce (12, random) | ciphertext | tag (16), the layout
 * chunk segments, wrapped data keys and sealed metadata all use.
 */
import { createRequire } from 'node:module';
import { publicRandom } from './public-random.js';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

interface AesGcmAddon {
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): void;
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean;
  fillSecret(data: Uint8Array): void;
}

// server/src/util and server/dist/util both sit two levels under server/.
const ADDON = '../../native/build/Release/anode_aes_gcm.node';

function load(): AesGcmAddon {
  try {
    return createRequire(import.meta.url)(ADDON) as AesGcmAddon;
  } catch (err) {
    throw new Error('the AES-GCM addon (server/native) is not built: run `npm run build` (it needs python3, make and a C compiler)', {
      cause: err,
    });
  }
}

const addon = load();

/**
 * A new 256-bit key from OpenSSL's private generator (RAND_priv_bytes), drawn for this key
 * alone: never from a pool (util/public-random.ts is for public bytes). crypto.randomBytes()
 * draws from the same OpenSSL, but builds a job object per call (about 3 µs, 2.6 % of an
 * encrypted small PUT at c=32).
 */
export function freshKey(): Buffer {
  const key = Buffer.allocUnsafeSlow(KEY_BYTES); // its own memory: never a slice of Node's shared pool
  addon.fillSecret(key);
  return key;
}

/** Encrypts `data` in place under a 32-byte key and 12-byte nonce; writes the 16-byte tag into `tag`. */
export function gcmEncryptInPlace(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): void {
  addon.seal(key, nonce, aad, data, tag);
}

/**
 * Decrypts `data` in place; false if `tag` does not authenticate it with this key, nonce and
 * AAD, and then `data` has been zeroed (no unauthenticated plaintext is ever readable).
 */
export function gcmDecryptInPlace(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean {
  return addon.open(key, nonce, aad, data, tag);
}

/**
 * Seals `sealed` where it lies: it is laid out as stored, nonce | plaintext | tag, and its
 * nonce (fresh) and tag are written here. Returns it.
 */
export function gcmSealInPlace(key: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < SEAL_OVERHEAD) throw new RangeError('a sealed buffer holds at least its nonce and tag');
  const tagAt = sealed.length - TAG_BYTES;
  publicRandom(NONCE_BYTES).copy(sealed, 0);
  addon.seal(key, sealed.subarray(0, NONCE_BYTES), aad, sealed.subarray(NONCE_BYTES, tagAt), sealed.subarray(tagAt));
  return sealed;
}

/**
 * Opens `sealed` where it lies and returns its plaintext, a view of it; null if it does not
 * authenticate (its bytes are then zeroed). The caller must own `sealed`.
 */
export function gcmOpenInPlace(key: Buffer, aad: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < SEAL_OVERHEAD) return null;
  const tagAt = sealed.length - TAG_BYTES;
  const body = sealed.subarray(NONCE_BYTES, tagAt);
  return addon.open(key, sealed.subarray(0, NONCE_BYTES), aad, body, sealed.subarray(tagAt)) ? body : null;
}

/** `plain` sealed into a new buffer. */
export function gcmSeal(key: Buffer, aad: Buffer, plain: Uint8Array): Buffer {
  const sealed = Buffer.allocUnsafe(plain.byteLength + SEAL_OVERHEAD);
  sealed.set(plain, NONCE_BYTES);
  return gcmSealInPlace(key, aad, sealed);
}

/** The plaintext of `sealed` in a new buffer, or null if it does not authenticate; `sealed` is left as it was. */
export function gcmOpen(key: Buffer, aad: Buffer, sealed: Buffer): Buffer | null {
  return sealed.length < SEAL_OVERHEAD ? null : gcmOpenInPlace(key, aad, Buffer.from(sealed));
}
