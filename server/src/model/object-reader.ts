import type { ChunkRef, ChunkStore } from '../chunks/chunk-store.js';

/**
 * The bytes [start, end] (inclusive) of an object made of `refs`, chunk after chunk.
 * Each chunk file is opened only when the read reaches it, so memory stays at one
 * read buffer whatever the object size.
 */
export async function* readObjectRange(store: ChunkStore, refs: readonly ChunkRef[], start: number, end: number): AsyncGenerator<Buffer> {
  let offset = 0;
  for (const ref of refs) {
    const chunkStart = offset;
    const chunkEnd = offset + ref.size - 1;
    offset += ref.size;
    if (ref.size === 0 || chunkEnd < start) continue;
    if (chunkStart > end) break;
    const from = Math.max(start, chunkStart) - chunkStart;
    const to = Math.min(end, chunkEnd) - chunkStart;
    for await (const buf of store.read(ref.id, { start: from, end: to })) yield buf as Buffer;
  }
}
