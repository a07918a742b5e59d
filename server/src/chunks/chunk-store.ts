import type { Readable } from 'node:stream';

/** A stored chunk: one immutable file of object data, named by a random id. */
export interface ChunkRef {
  id: string;
  size: number;
}

export interface ChunkInfo extends ChunkRef {
  /** Last modification time of the chunk file, for GC's grace period. */
  mtimeMs: number;
}

/**
 * Where object bytes live. A chunk is written once (temp name, fsync, rename, directory
 * fsync) and is durable when write() resolves, before any metadata references it.
 */
export interface ChunkStore {
  /**
   * Streams `source` into a new chunk and makes it durable. If the source errors or the
   * signal aborts, the temporary file is removed and the promise rejects with that error.
   */
  write(source: AsyncIterable<Uint8Array>, options?: { signal?: AbortSignal }): Promise<ChunkRef>;
  /** Reads a chunk, or the inclusive byte range [start, end] of it. */
  read(id: string, range?: { start: number; end: number }): Readable;
  /** Removes a chunk; a missing chunk is not an error. Resolves with the bytes freed (0 if missing), for GC stats. */
  delete(id: string): Promise<number>;
  /** Every chunk on disk (temporary files excluded), for GC. */
  list(): AsyncIterable<ChunkInfo>;
  /** Removes temporary files older than `olderThanMs` left by a crash; returns how many. */
  sweepTemporary(olderThanMs: number): Promise<number>;
}
