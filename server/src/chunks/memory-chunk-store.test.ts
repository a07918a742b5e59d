import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChunkStoreConformance } from './conformance.js';
import { MemoryChunkStore } from './memory-chunk-store.js';
import { ChunkStoreFullError } from './errors.js';

runChunkStoreConformance('memory', async () => ({ store: new MemoryChunkStore(), cleanup: async () => {} }));

test('memory store: a write past the byte budget fails with ChunkStoreFullError and frees what it took', async () => {
  const store = new MemoryChunkStore({ maxBytes: 1000 });
  async function* body(n: number): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < n; i++) yield Buffer.alloc(100);
  }
  await store.write(body(6));
  await assert.rejects(store.write(body(6)), ChunkStoreFullError);
  assert.deepEqual(await store.usage(), { bytes: 600, chunks: 1 });
  await store.write(body(4)); // the failed write's 500 bytes were given back
});
