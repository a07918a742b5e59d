/**
 * AES-256-GCM over a chunk in fixed segments of SEGMENT_BYTES plaintext bytes. Each
 * segment is sealed on its own: nonce(12, random) | ciphertext | tag(16), so a range read
 * opens and authenticates only the segments it touches. Every segment's AAD is the chunk's
 * context (who the bytes belong to and where they sit, chosen by the caller) followed by the
 * segment index and a final-segment flag: a segment moved to another place, another chunk or
 * another object fails, and so does a chunk cut short (its new last segment lacks the flag).
 * Every segment is full but the last; an empty chunk is one empty final segment.
 */
import { KEY_BYTES, NONCE_BYTES, SEAL_OVERHEAD, gcmOpenInPlace, gcmSeal, gcmSealInPlace } from '../util/aes-gcm.js';

export const SEGMENT_BYTES = 64 * 1024;
export { NONCE_BYTES };
export const SEGMENT_OVERHEAD = SEAL_OVERHEAD;
export const SEALED_SEGMENT_BYTES = SEGMENT_BYTES + SEGMENT_OVERHEAD;
export const DATA_KEY_BYTES = KEY_BYTES;

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

/**
 * Seals and opens the segments of one chunk: one data key, one AAD context. The AAD buffer
 * is built once and only its index and flag bytes change per segment (the cipher reads the
 * AAD during the call, so rewriting it afterwards is safe).
 */
export class ChunkCipher {
  readonly #key: Buffer;
  readonly #aad: Buffer;
  readonly #at: number;

  constructor(key: Buffer, context: Buffer) {
    this.#key = key;
    this.#at = context.length;
    this.#aad = Buffer.allocUnsafe(context.length + 5);
    context.copy(this.#aad, 0);
  }

  #aadFor(index: number, final: boolean): Buffer {
    this.#aad.writeUInt32BE(index, this.#at);
    this.#aad[this.#at + 4] = final ? 1 : 0;
    return this.#aad;
  }

  /**
   * Seals one segment where it lies: `segment` is laid out as stored, nonce | plaintext |
   * tag, SEGMENT_OVERHEAD bytes longer than its plaintext; the nonce and tag are written here.
   */
  sealInPlace(index: number, final: boolean, segment: Buffer): Buffer {
    return gcmSealInPlace(this.#key, this.#aadFor(index, final), segment);
  }

  /** One sealed segment of `plain` in a new buffer. */
  seal(index: number, final: boolean, plain: Uint8Array): Buffer {
    return gcmSeal(this.#key, this.#aadFor(index, final), plain);
  }

  /**
   * Opens one sealed segment where it lies and returns its plaintext, a view of `sealed`,
   * whose bytes it overwrites (zeroes, if they fail): the caller must own them.
   * SegmentAuthError on any altered, moved or cut byte.
   */
  openInPlace(index: number, final: boolean, sealed: Buffer): Buffer {
    if (sealed.length < SEGMENT_OVERHEAD) throw new SegmentAuthError(`segment ${index} is cut short`);
    const plain = gcmOpenInPlace(this.#key, this.#aadFor(index, final), sealed);
    if (plain === null) throw new SegmentAuthError(`segment ${index} failed authentication`);
    return plain;
  }

  /** Opens one sealed segment, leaving `sealed` as it was. */
  open(index: number, final: boolean, sealed: Buffer): Buffer {
    return this.openInPlace(index, final, Buffer.from(sealed));
  }
}

/**
 * Seals a plaintext stream into segments; `onPlainBytes` learns the plaintext total as it
 * grows. A full segment is held back until the next byte (or the end) shows whether it is
 * the final one. Each segment comes out as one buffer, exactly as stored.
 */
export async function* sealStream(
  key: Buffer,
  context: Buffer,
  source: AsyncIterable<Uint8Array>,
  onPlainBytes: (total: number) => void,
): AsyncGenerator<Buffer> {
  const cipher = new ChunkCipher(key, context);
  // The held segment is filled in place of its stored form (nonce | plaintext | tag) and
  // sealed there: copied once from the source (which may reuse its buffers), never again.
  let held = Buffer.allocUnsafe(SEALED_SEGMENT_BYTES);
  let fill = 0;
  let index = 0;
  let total = 0;
  for await (const piece of source) {
    let at = 0;
    while (at < piece.byteLength) {
      if (fill === SEGMENT_BYTES) {
        // More bytes follow, so the held segment is not the final one.
        yield cipher.sealInPlace(index++, false, held);
        held = Buffer.allocUnsafe(SEALED_SEGMENT_BYTES);
        fill = 0;
      }
      const n = Math.min(SEGMENT_BYTES - fill, piece.byteLength - at);
      held.set(piece.subarray(at, at + n), NONCE_BYTES + fill);
      fill += n;
      at += n;
      total += n;
    }
    onPlainBytes(total);
  }
  yield cipher.sealInPlace(index, true, held.subarray(0, fill + SEGMENT_OVERHEAD));
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
  const cipher = new ChunkCipher(key, context);
  let index = opts.first;
  const trim = rangeTrimmer(opts.skip, opts.length);
  const sealedLen = (i: number) => (i < opts.segments - 1 ? SEALED_SEGMENT_BYTES : opts.plainSize - i * SEGMENT_BYTES + SEGMENT_OVERHEAD);
  const finalAt = (i: number) => i === opts.segments - 1;
  let pending: Buffer[] = [];
  let have = 0;
  for await (const raw of source) {
    let piece = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (have > 0) {
      // A segment that straddles two reads: its halves are joined into a copy.
      const need = sealedLen(index) - have;
      if (piece.length < need) {
        pending.push(piece);
        have += piece.length;
        continue;
      }
      const plain = trim(cipher.openInPlace(index, finalAt(index), Buffer.concat([...pending, piece.subarray(0, need)])));
      index++;
      pending = [];
      have = 0;
      piece = piece.subarray(need);
      if (plain !== null) yield plain;
    }
    // The whole segments in this read are opened where they lie (the inner store's buffers are
    // the reader's own, ChunkStore.read) and their plaintexts moved up against each other, so
    // the read goes on as one buffer, as a plain chunk's does: four segments, 256 KiB.
    let to = 0;
    let at = 0;
    while (index <= opts.last && piece.length - at >= sealedLen(index)) {
      const len = sealedLen(index);
      const plain = cipher.openInPlace(index, finalAt(index), piece.subarray(at, at + len));
      piece.copyWithin(to, at + NONCE_BYTES, at + NONCE_BYTES + plain.length);
      to += plain.length;
      at += len;
      index++;
    }
    if (to > 0) {
      const plain = trim(piece.subarray(0, to));
      if (plain !== null) yield plain;
    }
    if (index > opts.last) break;
    if (at < piece.length) {
      pending = [piece.subarray(at)];
      have = piece.length - at;
    }
  }
  if (index <= opts.last) throw new SegmentAuthError(`segment ${index} is missing or cut short`);
}

/**
 * Cuts opened segments, in order, down to the plaintext bytes [skip, skip+length) a range
 * asked for (the first segment may start before it, the last end after it).
 */
export function rangeTrimmer(skip: number, length: number): (plain: Buffer) => Buffer | null {
  let toSkip = skip;
  let left = length;
  return (plain: Buffer): Buffer | null => {
    let out = plain;
    if (toSkip > 0) {
      out = out.subarray(Math.min(toSkip, out.length));
      toSkip = Math.max(0, toSkip - plain.length);
    }
    if (out.length > left) out = out.subarray(0, left);
    left -= out.length;
    return out.length > 0 ? out : null;
  };
}
