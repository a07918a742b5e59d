import type { Readable } from 'node:stream';
import type { ChunkInfo, ChunkRange, ChunkRef, ChunkUsage } from '../chunks/chunk-store.js';

/**
 * What a node's own chunk files must offer the cluster (LocalChunkStore does; main.ts
 * passes it in): storing a replica under the id the coordinating node chose, besides the
 * usual read, delete and maintenance calls.
 */
export interface LocalReplica {
  writeAs(id: string, source: AsyncIterable<Uint8Array>, options?: { signal?: AbortSignal }): Promise<ChunkRef>;
  size(id: string): Promise<number | null>;
  read(id: string, range?: ChunkRange): Promise<Readable>;
  delete(id: string): Promise<number>;
  list(): AsyncIterable<ChunkInfo>;
  usage(): Promise<ChunkUsage>;
  sweepTemporary(olderThanMs: number): Promise<number>;
}
