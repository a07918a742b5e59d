import type { ChunkRange, ChunkRef, ChunkStore } from '../chunks/chunk-store.js';

interface Span {
  id: string;
  range: ChunkRange;
}

/** The chunks the object bytes [start, end] (inclusive) touch, each with its range inside the chunk. */
function spansOf(refs: readonly ChunkRef[], start: number, end: number): Span[] {
  const spans: Span[] = [];
  let offset = 0;
  for (const ref of refs) {
    const chunkStart = offset;
    const chunkEnd = offset + ref.size - 1;
    offset += ref.size;
    if (ref.size === 0 || chunkEnd < start) continue;
    if (chunkStart > end) break;
    spans.push({ id: ref.id, range: { start: Math.max(start, chunkStart) - chunkStart, end: Math.min(end, chunkEnd) - chunkStart } });
  }
  return spans;
}

/**
 * The bytes [start, end] (inclusive) of an object made of `refs`, chunk after chunk.
 * Each chunk is opened only when the read reaches it, so memory stays at one read buffer
 * whatever the object size, and a range opens only the chunks it touches.
 */
export async function* readObjectRange(store: ChunkStore, refs: readonly ChunkRef[], start: number, end: number): AsyncGenerator<Buffer> {
  for (const span of spansOf(refs, start, end)) {
    for await (const buf of await store.read(span.id, span.range)) yield buf as Buffer;
  }
}

/** An object range whose first chunk is already open. */
export type OpenedRange = AsyncGenerator<Buffer> & {
  /** Releases the open chunk when the body will not be read after all; harmless once read. */
  destroy(): void;
};

/**
 * Like readObjectRange, but the first chunk is opened before this resolves: a missing or
 * unreadable chunk rejects here (ChunkNotFoundError, ChunkUnreadableError), while the
 * caller can still answer with an error status instead of resetting a 200 mid-body.
 * A plain generator, as readObjectRange: pipeline() pulls it with backpressure and no
 * extra stream layer in between.
 */
export async function openObjectRange(store: ChunkStore, refs: readonly ChunkRef[], start: number, end: number): Promise<OpenedRange> {
  const [head, ...rest] = spansOf(refs, start, end);
  const first = head === undefined ? null : await store.read(head.id, head.range);
  async function* body(): AsyncGenerator<Buffer> {
    if (first === null) return;
    // Leaving early (the client went away) returns this loop, which destroys the stream.
    for await (const buf of first) yield buf as Buffer;
    for (const span of rest) {
      for await (const buf of await store.read(span.id, span.range)) yield buf as Buffer;
    }
  }
  return Object.assign(body(), { destroy: () => first?.destroy() });
}
