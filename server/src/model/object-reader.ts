import { Readable } from 'node:stream';
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

/**
 * Like readObjectRange, but the first chunk is opened before this resolves: a missing or
 * unreadable chunk rejects here (ChunkNotFoundError, ChunkUnreadableError), while the
 * caller can still answer with an error status instead of resetting a 200 mid-body.
 * The returned stream keeps backpressure (it pulls a chunk's next buffer only on demand).
 */
export async function openObjectRange(store: ChunkStore, refs: readonly ChunkRef[], start: number, end: number): Promise<Readable> {
  const spans = spansOf(refs, start, end);
  const [head, ...rest] = spans;
  if (head === undefined) return Readable.from([]);
  const first = await store.read(head.id, head.range);
  async function* body(): AsyncGenerator<Buffer> {
    for await (const buf of first) yield buf as Buffer;
    for (const span of rest) {
      for await (const buf of await store.read(span.id, span.range)) yield buf as Buffer;
    }
  }
  const stream = Readable.from(body(), { objectMode: false });
  // If the body is never consumed (the client left before the first byte), the chunk
  // already open must still be released.
  stream.once('close', () => first.destroy());
  return stream;
}
