import { Readable } from 'node:stream';
import type { ChunkInfo, ChunkMaintenance, ChunkRange, ChunkRef, ChunkStore, ChunkUsage, ChunkWriteOptions } from './chunk-store.js';
import { assertChunkId, newChunkId } from './chunk-id.js';
import { assertChunkRange } from './chunk-range.js';
import { abortable } from './abortable.js';
import { ChunkNotFoundError, ChunkStoreFullError, ChunkUnreadableError } from './errors.js';

/** Pieces handed out by read(), like the local store's 256 KiB read buffers. */
const READ_PIECE_BYTES = 256 << 10;

interface Stored {
  data: Buffer;
  mtimeMs: number;
}

/**
 * Chunks in memory, for unit tests of model/ code: the same contract as the local store
 * (checked by the same conformance suite), typed errors included, with a byte budget so
 * a test that writes too much fails loudly instead of exhausting the heap. Writes in
 * progress count against the budget but are not listed until complete.
 */
export class MemoryChunkStore implements ChunkStore, ChunkMaintenance {
  readonly #chunks = new Map<string, Stored>();
  readonly #maxBytes: number;
  /** Committed bytes plus the bytes of writes in progress. */
  #usedBytes = 0;

  constructor(options: { maxBytes?: number } = {}) {
    this.#maxBytes = options.maxBytes ?? 256 << 20;
  }

  async write(source: AsyncIterable<Uint8Array>, options?: ChunkWriteOptions): Promise<ChunkRef> {
    options?.signal?.throwIfAborted();
    const id = newChunkId();
    options?.onId?.(id);
    const pieces: Buffer[] = [];
    let size = 0;
    try {
      for await (const piece of abortable(source, options?.signal)) {
        if (piece.byteLength === 0) continue;
        if (this.#usedBytes + piece.byteLength > this.#maxBytes) {
          throw new ChunkStoreFullError(`memory chunk store holds at most ${this.#maxBytes} bytes`);
        }
        this.#usedBytes += piece.byteLength;
        size += piece.byteLength;
        // Copied: the caller may reuse its buffer once the next piece is asked for.
        pieces.push(Buffer.from(piece));
      }
      options?.signal?.throwIfAborted();
    } catch (err) {
      this.#usedBytes -= size;
      throw err;
    }
    this.#chunks.set(id, { data: Buffer.concat(pieces, size), mtimeMs: Date.now() });
    return { id, size };
  }

  async sync(ids: readonly string[]): Promise<void> {
    // Nothing to make durable; ids are still checked so callers' bugs show up here too.
    for (const id of ids) assertChunkId(id);
  }

  async read(id: string, range?: ChunkRange): Promise<Readable> {
    assertChunkId(id);
    if (range !== undefined) assertChunkRange(range);
    const stored = this.#chunks.get(id);
    if (stored === undefined) throw new ChunkNotFoundError(id);
    const { data } = stored;
    if (range !== undefined && range.end >= data.byteLength) {
      throw new ChunkUnreadableError(id, `range ends at byte ${range.end} of a ${data.byteLength}-byte chunk`);
    }
    const view = range === undefined ? data : data.subarray(range.start, range.end + 1);
    return Readable.from(pieces(view), { objectMode: false });
  }

  async delete(id: string): Promise<number> {
    assertChunkId(id);
    const stored = this.#chunks.get(id);
    if (stored === undefined) return 0;
    this.#chunks.delete(id);
    this.#usedBytes -= stored.data.byteLength;
    return stored.data.byteLength;
  }

  async *list(): AsyncIterable<ChunkInfo> {
    // A snapshot: deletes while the caller walks (GC does) must not disturb the iteration.
    for (const [id, { data, mtimeMs }] of [...this.#chunks]) yield { id, size: data.byteLength, mtimeMs };
  }

  async sweepTemporary(): Promise<number> {
    // A failed write leaves nothing behind in memory, and nothing survives a crash.
    return 0;
  }

  async usage(): Promise<ChunkUsage> {
    let bytes = 0;
    for (const { data } of this.#chunks.values()) bytes += data.byteLength;
    return { bytes, chunks: this.#chunks.size };
  }

  /** Test hook: sets a chunk's modification time, as utimes() does for a file. */
  setMtime(id: string, mtimeMs: number): void {
    const stored = this.#chunks.get(id);
    if (stored === undefined) throw new ChunkNotFoundError(id);
    stored.mtimeMs = mtimeMs;
  }
}

/** Copies, as the contract asks: a reader may change what it is handed. */
function* pieces(data: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < data.byteLength; offset += READ_PIECE_BYTES) {
    yield Buffer.from(data.subarray(offset, Math.min(offset + READ_PIECE_BYTES, data.byteLength)));
  }
}
