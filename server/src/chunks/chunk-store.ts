import type { Readable } from 'node:stream';

/** A stored chunk: one immutable piece of object data, named by a random id. */
export interface ChunkRef {
  id: string;
  size: number;
}

export interface ChunkInfo extends ChunkRef {
  /** Last modification time of the chunk, for GC's grace period. */
  mtimeMs: number;
}

/** Inclusive byte range [start, end] inside one chunk. */
export interface ChunkRange {
  start: number;
  end: number;
}

export interface ChunkWriteOptions {
  signal?: AbortSignal;
  /**
   * The chunk's bytes are durable when write() resolves, but its name may only be once
   * sync() has resolved for it. Lets a body of many chunks pay for the name-level
   * durability (a directory fsync, a replica's ack) once at the end instead of per chunk.
   */
  deferSync?: boolean;
  /**
   * Called with the new chunk's id before any of it reaches storage (before it can be
   * listed), so the caller can keep GC off it until its metadata commits.
   */
  onId?: (id: string) => void;
}

/**
 * The data path: where object bytes live. Implementations (local disk today; encrypting
 * and replicating stores later) share one contract, checked by ./conformance.ts:
 * - write() streams a source into a new chunk. It is durable when write() resolves (or,
 *   with deferSync, once sync() resolves), before any metadata references it. If the
 *   source errors or the signal aborts, nothing is left behind and the promise rejects
 *   with that error.
 * - read() resolves once the chunk is open (so a caller can fall back to another source
 *   before any response header is sent) and rejects with ChunkNotFoundError or
 *   ChunkUnreadableError (./errors.ts); a range must lie inside the chunk. The buffers it
 *   yields are the reader's own: the store keeps no reference to them, so a reader may
 *   change them (the encrypting view opens segments where they lie).
 * - delete() of a missing chunk is not an error.
 */
export interface ChunkStore {
  write(source: AsyncIterable<Uint8Array>, options?: ChunkWriteOptions): Promise<ChunkRef>;
  /** Makes chunks written with deferSync durable; a no-op for chunks already durable. */
  sync(ids: readonly string[]): Promise<void>;
  /** Opens a chunk, or the inclusive byte range of it, for reading. */
  read(id: string, range?: ChunkRange): Promise<Readable>;
  /** Removes a chunk; resolves with the bytes freed (0 if missing), for GC stats. */
  delete(id: string): Promise<number>;
}

export interface ChunkUsage {
  /** Bytes held by committed chunks (temporaries excluded). */
  bytes: number;
  chunks: number;
}

/** The maintenance side, for GC and status: never on a request's path. */
export interface ChunkMaintenance {
  /** Every committed chunk (writes in progress and aborted ones excluded). */
  list(): AsyncIterable<ChunkInfo>;
  /** Removes temporaries older than `olderThanMs` left by a crash; returns how many. */
  sweepTemporary(olderThanMs: number): Promise<number>;
  /** What the committed chunks take up; a full walk, so for occasional status calls only. */
  usage(): Promise<ChunkUsage>;
}

/** Both sides: what GC needs, and what the local and in-memory stores provide. */
export type ManagedChunkStore = ChunkStore & ChunkMaintenance;
