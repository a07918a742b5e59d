/**
 * A whole body sealed in memory exactly as segment-cipher.ts seals a chunk stream (same
 * segments, same AAD: the caller's context, segment index and final flag), for bodies kept
 * in a metadata row instead of a chunk file. Same bytes as a chunk would hold, so the two
 * forms are interchangeable and share one authentication scheme.
 */
import {
  ChunkCipher,
  NONCE_BYTES,
  SEALED_SEGMENT_BYTES,
  SEGMENT_BYTES,
  SEGMENT_OVERHEAD,
  SegmentAuthError,
  sealedSize,
  segmentCount,
} from './segment-cipher.js';

export function sealBuffer(key: Buffer, context: Buffer, plain: Buffer): Buffer {
  const segments = segmentCount(plain.length);
  const cipher = new ChunkCipher(key, context);
  const out = Buffer.allocUnsafe(sealedSize(plain.length)); // every byte is written
  for (let i = 0; i < segments; i++) {
    const piece = plain.subarray(i * SEGMENT_BYTES, Math.min(plain.length, (i + 1) * SEGMENT_BYTES));
    const at = i * SEALED_SEGMENT_BYTES;
    out.set(piece, at + NONCE_BYTES);
    cipher.sealInPlace(i, i === segments - 1, out.subarray(at, at + piece.length + SEGMENT_OVERHEAD));
  }
  return out;
}

/** Opens what sealBuffer made of `plainSize` bytes; SegmentAuthError on any altered, moved or cut byte. */
export function openBuffer(key: Buffer, context: Buffer, sealed: Buffer, plainSize: number): Buffer {
  if (sealed.length !== sealedSize(plainSize)) throw new SegmentAuthError('sealed body has the wrong length');
  const segments = segmentCount(plainSize);
  const cipher = new ChunkCipher(key, context);
  const own = Buffer.from(sealed); // opened in place, and the caller's bytes stay as they were
  const out: Buffer[] = [];
  for (let i = 0; i < segments; i++) {
    const piece = own.subarray(i * SEALED_SEGMENT_BYTES, Math.min(own.length, (i + 1) * SEALED_SEGMENT_BYTES));
    out.push(cipher.openInPlace(i, i === segments - 1, piece));
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}
