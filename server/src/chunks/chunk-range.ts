import type { ChunkRange } from './chunk-store.js';

/** Throws RangeError unless `range` is a well-formed inclusive range (a caller's bug, not the chunk's). */
export function assertChunkRange(range: ChunkRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid chunk range ${start}-${end}`);
  }
}
