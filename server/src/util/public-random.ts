/**
 * Random bytes that need not stay secret (GCM nonces, salts, sealing ids), drawn from the
 * CSPRNG 4 KiB at a time: one randomBytes() call costs about 6 µs here, and an encrypted
 * small PUT made three of them (4.6 % of the request thread at c=32). Each byte is handed
 * out once, and a block is never refilled in place, so bytes already handed out (a nonce
 * still waiting to be written) never change. Secrets, such as data keys, do not come from
 * here: the pool holds bytes in memory before anyone uses them.
 */
import { randomBytes } from 'node:crypto';

const BLOCK_BYTES = 4096;
let block = Buffer.alloc(0);
let at = 0;

/** `n` fresh random bytes, a view into the current block (do not write to it). */
export function publicRandom(n: number): Buffer {
  if (n > BLOCK_BYTES / 4) return randomBytes(n);
  if (at + n > block.length) {
    block = randomBytes(BLOCK_BYTES);
    at = 0;
  }
  const out = block.subarray(at, at + n);
  at += n;
  return out;
}
