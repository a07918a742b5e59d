/**
 * AES-256-GCM over a chunk in fixed segments of SEGMENT_BYTES plaintext bytes. Each
 * segment is sealed on its own: nonce(12, random) | ciphertext | tag(16), so a range read
 * opens and authenticates only the segments it touches. Every segment's AAD is the chunk's
 * context (who the bytes belong to and where they sit, chosen by the caller) followed by the
 * segment index and a final-segment flag: a segment moved to another place, another chunk or
 * another object fails, and so does a chunk cut short (its new last segment lacks the flag).
 * Every segment is full but the last; an empty chunk is one empty final segment.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const SEGMENT_BYTES = 64 * 1024;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const SEGMENT_OVERHEAD = NONCE_BYTES + TAG_BYTES;
export const SEALED_SEGMENT_BYTES = SEGMENT_BYTES + SEGMENT_OVERHEAD;
export const DATA_KEY_BYTES = 32;

/** The decryption of a segment failed: the bytes were altered, moved or cut. */
export class SegmentAuthError extends Error {
  override readonly name = 'SegmentAuthError';
}

/** Segments a chunk of `plainSize` bytes is sealed as (at least one). */
export function segmentCount(plainSize: number): number {
  return Math.max(1, Math.ceil(plainSize / SEGMENT_BYTES));
}

/** Stored size of a chunk of `plainSize` plaintext bytes. */
export function sealedSize(plainSize: number): number {
  return plainSize + SEGMENT_OVERHEAD * segmentCount(plainSize);
}

/** Plaintext size of a sealed chunk of `stored` bytes (the inverse of sealedSize; 0 for 0). */
export function plainSize(stored: number): number {
  if (stored === 0) return 0;
  return Math.max(0, stored - SEGMENT_OVERHEAD * Math.ceil(stored / SEALED_SEGMENT_BYTES));
}

function segmentAad(context: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = final ? 1 : 0;
  return Buffer.concat([context, tail]);
}

export function sealSegment(key: Buffer, context: Buffer, index: number, final: boolean, plain: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(segmentAad(context, index, final));
  const out = Buffer.allocUnsafe(NONCE_BYTES + plain.byteLength + TAG_BYTES);
  nonce.copy(out, 0);
  const ct = cipher.update(plain);
  ct.copy(out, NONCE_BYTES);
  let at = NONCE_BYTES + ct.length;
  const fin = cipher.final();
  fin.copy(out, at);
  at += fin.length;
  cipher.getAuthTag().copy(out, at);
  return out;
}

export function openSegment(key: Buffer, context: Buffer, index: number, final: boolean, sealed: Buffer): Buffer {
  if (sealed.length < SEGMENT_OVERHEAD) throw new SegmentAuthError(`segment ${index} is cut short`);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
  decipher.setAAD(segmentAad(context, index, final));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    const a = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    const b = decipher.final();
    return b.length === 0 ? a : Buffer.concat([a, b]);
  } catch (err) {
    throw new SegmentAuthError(`segment ${index} failed authentication`, { cause: err });
  }
}

/**
 * Seals a plaintext stream into segments; `onPlainBytes` learns the plaintext total as it
 * grows. A full segment is held back until the next byte (or the end) shows whether it is
 * the final one.
 */
export async function* sealStream(
  key: Buffer,
  context: Buffer,
  source: AsyncIterable<Uint8Array>,
  onPlainBytes: (total: number) => void,
): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(SEGMENT_BYTES);
  let fill = 0;
  let index = 0;
  let total = 0;
  for await (const piece of source) {
    let at = 0;
    while (at < piece.byteLength) {
      if (fill === SEGMENT_BYTES) {
        // More bytes follow, so the held segment is not the final one.
        yield sealSegment(key, context, index++, false, buf);
        fill = 0;
      }
      const n = Math.min(SEGMENT_BYTES - fill, piece.byteLength - at);
      buf.set(piece.subarray(at, at + n), fill);
      fill += n;
      at += n;
      total += n;
    }
    onPlainBytes(total);
  }
  yield sealSegment(key, context, index, true, buf.subarray(0, fill));
}

/**
 * Opens the sealed segments [first, last] of a chunk with `segments` segments, read from
 * `source` (which starts at segment `first`), and yields plaintext bytes [skip, skip+length)
 * of what they hold. Throws SegmentAuthError on any altered, moved or missing byte.
 */
export async function* openStream(
  key: Buffer,
  context: Buffer,
  source: AsyncIterable<Uint8Array>,
  opts: { first: number; last: number; segments: number; plainSize: number; skip: number; length: number },
): AsyncGenerator<Buffer> {
  let index = opts.first;
  const trim = rangeTrimmer(opts.skip, opts.length);
  const sealedLen = (i: number) => (i < opts.segments - 1 ? SEALED_SEGMENT_BYTES : opts.plainSize - i * SEGMENT_BYTES + SEGMENT_OVERHEAD);
  let pending: Buffer[] = [];
  let have = 0;
  const emit = function* (sealed: Buffer): Generator<Buffer> {
    const plain = openSegment(key, context, index, index === opts.segments - 1, sealed);
    index++;
    yield* trim(plain);
  };
  for await (const raw of source) {
    let piece = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    while (piece.length > 0 && index <= opts.last) {
      const need = sealedLen(index) - have;
      if (piece.length < need) {
        pending.push(piece);
        have += piece.length;
        piece = piece.subarray(piece.length);
        break;
      }
      const part = piece.subarray(0, need);
      piece = piece.subarray(need);
      const sealed = pending.length === 0 ? part : Buffer.concat([...pending, part]);
      pending = [];
      have = 0;
      yield* emit(sealed);
    }
    if (index > opts.last) break;
  }
  if (index <= opts.last) throw new SegmentAuthError(`segment ${index} is missing or cut short`);
}

/**
 * Cuts opened segments, in order, down to the plaintext bytes [skip, skip+length) a range
 * asked for (the first segment may start before it, the last end after it).
 */
export function rangeTrimmer(skip: number, length: number): (plain: Buffer) => Generator<Buffer> {
  let toSkip = skip;
  let left = length;
  return function* (plain: Buffer): Generator<Buffer> {
    let out = plain;
    if (toSkip > 0) {
      out = out.subarray(Math.min(toSkip, out.length));
      toSkip = Math.max(0, toSkip - plain.length);
    }
    if (out.length > left) out = out.subarray(0, left);
    left -= out.length;
    if (out.length > 0) yield out;
  };
}
