/**
 * Typed failures of a ChunkStore. Callers branch on the class (or the stable `code`) to
 * fall back to another copy or to answer 500 before any response header is sent; the
 * underlying error (ENOENT, EIO, a peer's answer) is kept as `cause` for the log.
 * Kept free of the S3 and admin layers: they map these to their own wire errors.
 */
export abstract class ChunkError extends Error {
  abstract readonly code: string;
  /** The chunk concerned: ids are random hex, never user data, so safe to log. */
  readonly chunkId: string;

  constructor(message: string, chunkId: string, options?: { cause?: unknown }) {
    super(message, options);
    this.chunkId = chunkId;
  }
}

/** No chunk by that id: never written, already deleted, or lost. */
export class ChunkNotFoundError extends ChunkError {
  override name = 'ChunkNotFoundError';
  readonly code = 'ChunkNotFound';

  constructor(chunkId: string, options?: { cause?: unknown }) {
    super('chunk not found', chunkId, options);
  }
}

/** The chunk exists but cannot be read as asked: permissions, I/O error, or shorter than the range. */
export class ChunkUnreadableError extends ChunkError {
  override name = 'ChunkUnreadableError';
  readonly code = 'ChunkUnreadable';

  constructor(chunkId: string, reason: string, options?: { cause?: unknown }) {
    super(`chunk unreadable: ${reason}`, chunkId, options);
  }
}

/** A bounded store (the in-memory one) has no room for the chunk being written. */
export class ChunkStoreFullError extends Error {
  override name = 'ChunkStoreFullError';
  readonly code = 'ChunkStoreFull';
}
