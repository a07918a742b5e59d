/**
 * A ChunkStore view that seals every chunk it writes with one data key (segment-cipher.ts)
 * and opens what it reads. model/ builds one per object version (or upload): it knows the
 * data key, and for each chunk its AAD context and plaintext size. Sizes crossing this view
 * are plaintext sizes (write(), delete(), list(), usage()); the inner store holds and counts
 * the sealed bytes. A range read opens only the segments it touches, and those of its first
 * inner read (up to four) are authenticated before read() resolves, so a tampered chunk
 * fails before any response header; a later failure errors the stream (the plane then cuts
 * the connection).
 */
import { Readable } from 'node:stream';
import type { ChunkInfo, ChunkRange, ChunkRef, ChunkStore, ChunkUsage, ChunkWriteOptions, ManagedChunkStore } from './chunk-store.js';
import { assertChunkRange } from './chunk-range.js';
import { ChunkUnreadableError } from './errors.js';
import {
  DATA_KEY_BYTES,
  SEALED_SEGMENT_BYTES,
  SEGMENT_BYTES,
  SegmentAuthError,
  openStream,
  plainSize,
  sealStream,
  sealedSize,
  segmentCount,
} from './segment-cipher.js';
import { openStreamPooled, sealStreamPooled } from './pooled-segments.js';
import { cryptoPool } from '../workers/crypto-pool.js';

/** A chunk failed authentication: altered, swapped, cut or sealed under another key. */
export class ChunkTamperedError extends ChunkUnreadableError {
  override name = 'ChunkTamperedError';
}

/** What the view needs to know about one chunk to open it. */
export interface SealedChunk {
  /** Plaintext bytes. */
  size: number;
  /** AAD context the chunk was sealed with. */
  context: Buffer;
}

export interface ChunkSealing {
  /** The object version's 256-bit data key. */
  key: Buffer;
  /** AAD context for the `ordinal`-th chunk written through this view (0-based). */
  contextForWrite: (ordinal: number) => Buffer;
  /** Chunks written before this view existed (from metadata), by id. */
  known?: ReadonlyMap<string, SealedChunk>;
  /** Told of every authentication failure (metric, log). */
  onTampered?: (err: ChunkTamperedError) => void;
}

export class EncryptingChunkStore implements ChunkStore {
  protected readonly inner: ChunkStore;
  readonly #key: Buffer;
  readonly #contextForWrite: (ordinal: number) => Buffer;
  readonly #known: ReadonlyMap<string, SealedChunk>;
  readonly #written = new Map<string, SealedChunk>();
  readonly #onTampered: (err: ChunkTamperedError) => void;
  #ordinal = 0;

  constructor(inner: ChunkStore, sealing: ChunkSealing) {
    if (sealing.key.length !== DATA_KEY_BYTES) throw new RangeError('a data key is 32 bytes');
    this.inner = inner;
    this.#key = sealing.key;
    this.#contextForWrite = sealing.contextForWrite;
    this.#known = sealing.known ?? new Map();
    this.#onTampered = sealing.onTampered ?? (() => {});
  }

  async write(source: AsyncIterable<Uint8Array>, options?: ChunkWriteOptions): Promise<ChunkRef> {
    // The ordinal is taken when the write starts: writes of one body start in body order.
    const context = this.#contextForWrite(this.#ordinal++);
    let plain = 0;
    // Sealed in the crypto pool when there is one (large chunks use every core), else inline.
    const pool = cryptoPool();
    const onPlain = (n: number): void => {
      plain = n;
    };
    const sealed =
      pool === null ? sealStream(this.#key, context, source, onPlain) : sealStreamPooled(pool, this.#key, context, source, onPlain);
    const ref = await this.inner.write(sealed, options);
    if (ref.size !== sealedSize(plain)) throw new ChunkUnreadableError(ref.id, 'sealed size does not match the bytes written');
    this.#written.set(ref.id, { size: plain, context });
    return { id: ref.id, size: plain };
  }

  sync(ids: readonly string[]): Promise<void> {
    return this.inner.sync(ids);
  }

  async read(id: string, range?: ChunkRange): Promise<Readable> {
    if (range) assertChunkRange(range);
    const chunk = this.#written.get(id) ?? this.#known.get(id);
    if (chunk === undefined) {
      // Let the inner store report a bad id or a missing chunk as it would.
      const probe = await this.inner.read(id, { start: 0, end: 0 });
      probe.destroy();
      throw new ChunkUnreadableError(id, 'no sealing context known for this chunk');
    }
    const { start, end } = range ?? { start: 0, end: chunk.size - 1 };
    if (range && end >= chunk.size) throw new ChunkUnreadableError(id, `range ${start}-${end} past the end (${chunk.size} bytes)`);
    const segments = segmentCount(chunk.size);
    const length = chunk.size === 0 ? 0 : end - start + 1;
    const first = chunk.size === 0 ? 0 : Math.floor(start / SEGMENT_BYTES);
    const last = chunk.size === 0 ? 0 : Math.floor(end / SEGMENT_BYTES);
    const sealedStart = first * SEALED_SEGMENT_BYTES;
    const sealedEnd = Math.min(sealedSize(chunk.size), (last + 1) * SEALED_SEGMENT_BYTES) - 1;
    const raw = await this.inner.read(id, { start: sealedStart, end: sealedEnd });
    const openOpts = { first, last, segments, plainSize: chunk.size, skip: start - first * SEGMENT_BYTES, length };
    const pool = cryptoPool();
    const plain =
      pool === null ? openStream(this.#key, chunk.context, raw, openOpts) : openStreamPooled(pool, this.#key, chunk.context, raw, openOpts);
    const tampered = (err: unknown): unknown => {
      if (!(err instanceof SegmentAuthError)) return err;
      const t = new ChunkTamperedError(id, err.message, { cause: err });
      this.#onTampered(t);
      return t;
    };
    // The first read's segments are opened now: a tampered chunk fails before any response header.
    let head: IteratorResult<Buffer>;
    try {
      head = await plain.next();
    } catch (err) {
      raw.destroy();
      throw tampered(err);
    }
    async function* rest(): AsyncGenerator<Buffer> {
      try {
        if (head.done !== true) yield head.value;
        for (;;) {
          const next = await plain.next();
          if (next.done === true) return;
          yield next.value;
        }
      } catch (err) {
        throw tampered(err);
      } finally {
        raw.destroy();
      }
    }
    return Readable.from(rest(), { objectMode: false, highWaterMark: SEGMENT_BYTES });
  }

  async delete(id: string): Promise<number> {
    return plainSize(await this.inner.delete(id));
  }
}

/**
 * The same view over a managed store, reporting plaintext sizes in list() and usage():
 * what the ChunkStore conformance suite runs against (one data key for the whole store).
 */
export class EncryptingManagedChunkStore extends EncryptingChunkStore implements ManagedChunkStore {
  readonly #managed: ManagedChunkStore;

  constructor(inner: ManagedChunkStore, sealing: ChunkSealing) {
    super(inner, sealing);
    this.#managed = inner;
  }

  async *list(): AsyncIterable<ChunkInfo> {
    for await (const c of this.#managed.list()) yield { ...c, size: plainSize(c.size) };
  }

  sweepTemporary(olderThanMs: number): Promise<number> {
    return this.#managed.sweepTemporary(olderThanMs);
  }

  async usage(): Promise<ChunkUsage> {
    let bytes = 0;
    let chunks = 0;
    for await (const c of this.list()) {
      bytes += c.size;
      chunks++;
    }
    return { bytes, chunks };
  }
}
