/**
 * AES-256-GCM in place, through server/native (a small addon on Node's own OpenSSL; built by
 * `npm run build`). Node's cipher API allocates a context and an output buffer per call,
 * which made the cipher half again as costly as the AES itself; here one context per thread
 * is reused and bytes are sealed or opened where they lie (docs/decisions.md, "AES-GCM in
 * place").
 */
import { createRequire } from 'node:module';

interface AesGcmAddon {
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): void;
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean;
}

// server/src/chunks and server/dist/chunks both sit two levels under server/.
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

/** Encrypts `data` in place under a 32-byte key and 12-byte nonce; writes the 16-byte tag into `tag`. */
export function gcmSealInPlace(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): void {
  addon.seal(key, nonce, aad, data, tag);
}

/**
 * Decrypts `data` in place; false if `tag` does not authenticate it with this key, nonce and
 * AAD, and then `data` has been zeroed (no unauthenticated plaintext is ever readable).
 */
export function gcmOpenInPlace(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean {
  return addon.open(key, nonce, aad, data, tag);
}
