/**
 * sealStream and openStream (segment-cipher.ts) with the AES work done in the crypto pool:
 * the same bytes on disk, sealed or opened a group of segments per task, several groups
 * in flight at once (so a large body uses every worker) and at most pool.groupsPerStream
 * per stream (so memory stays bounded: about 3 MiB of plaintext per stream). Chunks that
 * fit in one group stay inline: one round trip to a worker costs more than sealing them.
 * Group size and tasks per stream are the pool's (CryptoPoolOptions), so the stress test
 * can run other tunings through the same code.
 */
import { GROUP_SEGMENTS, PooledAuthError, type CryptoPool } from '../workers/crypto-pool.js';
import {
  ChunkCipher,
  SEALED_SEGMENT_BYTES,
  SEGMENT_BYTES,
  SEGMENT_OVERHEAD,
  SegmentAuthError,
  openStream,
  rangeTrimmer,
  segmentCount,
} from './segment-cipher.js';

/** Segments per pool task by default (a pool may be tuned otherwise). */
export { GROUP_SEGMENTS };

/** Tasks in order; the settled ones at the front can be taken without waiting. */
class Ordered {
  readonly #q: Array<{ p: Promise<Buffer>; value: Buffer | null }> = [];

  push(p: Promise<Buffer>): void {
    const entry: { p: Promise<Buffer>; value: Buffer | null } = { p, value: null };
    p.then(
      (v) => (entry.value = v),
      () => {}, // observed when taken
    );
    this.#q.push(entry);
  }

  get length(): number {
    return this.#q.length;
  }

  /** Whether the oldest task has finished. */
  readyHead(): boolean {
    return this.#q.length > 0 && this.#q[0]!.value !== null;
  }

  async take(): Promise<Buffer> {
    const e = this.#q.shift()!;
    try {
      return await e.p;
    } catch (err) {
      throw err instanceof PooledAuthError ? new SegmentAuthError(err.message, { cause: err }) : err;
    }
  }
}

export async function* sealStreamPooled(
  pool: CryptoPool,
  key: Buffer,
  context: Buffer,
  source: AsyncIterable<Uint8Array>,
  onPlainBytes: (total: number) => void,
): AsyncGenerator<Buffer> {
  const perGroup = pool.groupSegments;
  const groupPlain = perGroup * SEGMENT_BYTES;
  let group = pool.take(groupPlain, true);
  let fill = 0;
  let index = 0;
  let total = 0;
  const q = new Ordered();
  const send = (final: boolean): void => {
    const plain = fill === groupPlain ? group : group.slice(0, fill);
    q.push(pool.seal(key, context, index, final, plain));
    index += perGroup;
    if (!final) group = pool.take(groupPlain, true);
    fill = 0;
  };
  for await (const piece of source) {
    let at = 0;
    while (at < piece.byteLength) {
      if (fill === groupPlain) {
        // More bytes follow, so the held group does not end the chunk.
        await pool.acquire();
        send(false);
        while (q.length >= pool.groupsPerStream) yield await q.take();
      }
      const n = Math.min(groupPlain - fill, piece.byteLength - at);
      group.set(piece.subarray(at, at + n), fill);
      fill += n;
      at += n;
      total += n;
    }
    onPlainBytes(total);
    while (q.readyHead()) yield await q.take();
  }
  if (index === 0 && fill < groupPlain) {
    // A chunk smaller than one group: inline, as sealStream would. Decided by what was
    // sent (index), never by what is still queued: the groups already sent may all have
    // been taken by now, and sealing this tail from segment 0 would write a chunk whose
    // final segment carries the wrong index and fails authentication on read.
    const segments = segmentCount(fill);
    const cipher = new ChunkCipher(key, context);
    for (let s = 0; s < segments; s++) {
      const part = Buffer.from(group.buffer, s * SEGMENT_BYTES, Math.min(SEGMENT_BYTES, fill - s * SEGMENT_BYTES));
      yield cipher.seal(s, s === segments - 1, part);
    }
    return;
  }
  await pool.acquire();
  send(true);
  while (q.length > 0) yield await q.take();
}

export interface OpenOptions {
  first: number;
  last: number;
  segments: number;
  plainSize: number;
  skip: number;
  length: number;
}

export async function* openStreamPooled(
  pool: CryptoPool,
  key: Buffer,
  context: Buffer,
  source: AsyncIterable<Uint8Array>,
  opts: OpenOptions,
): AsyncGenerator<Buffer> {
  const perGroup = pool.groupSegments;
  if (opts.last - opts.first + 1 <= perGroup) {
    yield* openStream(key, context, source, opts);
    return;
  }
  const sealedLen = (i: number): number =>
    i < opts.segments - 1 ? SEALED_SEGMENT_BYTES : opts.plainSize - i * SEGMENT_BYTES + SEGMENT_OVERHEAD;
  const trim = rangeTrimmer(opts.skip, opts.length);
  const trimmed = function* (plain: Buffer): Generator<Buffer> {
    const out = trim(plain);
    if (out !== null) yield out;
  };
  let start = opts.first; // first segment of the group being filled
  const groupBytes = (s: number): number => {
    let n = 0;
    for (let i = s; i <= Math.min(opts.last, s + perGroup - 1); i++) n += sealedLen(i);
    return n;
  };
  const fullGroup = perGroup * SEALED_SEGMENT_BYTES;
  const takeGroup = (s: number): Uint8Array => {
    const n = groupBytes(s);
    return pool.take(n, n === fullGroup);
  };
  let group = takeGroup(start);
  let fill = 0;
  const q = new Ordered();
  for await (const raw of source) {
    let at = 0;
    while (at < raw.byteLength && start <= opts.last) {
      const n = Math.min(group.length - fill, raw.byteLength - at);
      group.set(raw.subarray(at, at + n), fill);
      fill += n;
      at += n;
      if (fill === group.length) {
        await pool.acquire();
        q.push(pool.open(key, context, start, opts.segments, group));
        start += perGroup;
        if (start <= opts.last) group = takeGroup(start);
        fill = 0;
        while (q.length >= pool.groupsPerStream) yield* trimmed(await q.take());
      }
    }
    while (q.readyHead()) yield* trimmed(await q.take());
    if (start > opts.last) break;
  }
  while (q.length > 0) yield* trimmed(await q.take());
  if (start <= opts.last) throw new SegmentAuthError(`segment ${start} is missing or cut short`);
}
