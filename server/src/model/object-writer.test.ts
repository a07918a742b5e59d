import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { MemoryChunkStore } from '../chunks/memory-chunk-store.js';
import type { ChunkInfo, ChunkRange, ChunkRef, ChunkWriteOptions } from '../chunks/chunk-store.js';
import { crc32 } from '../util/checksums.js';
import type { BodyDigests } from '../util/checksums.js';
import { writeBody, type Payload } from './object-writer.js';
import { readObjectRange, openObjectRange } from './object-reader.js';
import { ChunkNotFoundError } from '../chunks/errors.js';
import type { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

/** `data` as a stream of pieces of `piece` bytes (boundaries deliberately not aligned to CHUNK). */
async function* stream(data: Buffer, piece = 10_007): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < data.length; o += piece) yield data.subarray(o, Math.min(o + piece, data.length));
}

function payload(data: Buffer, verify: (d: BodyDigests) => void = () => undefined, piece?: number): Payload {
  return { stream: stream(data, piece), declaredLength: data.length, verify };
}

async function listed(store: MemoryChunkStore): Promise<ChunkInfo[]> {
  const out: ChunkInfo[] = [];
  for await (const c of store.list()) out.push(c);
  return out;
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return Buffer.concat(out);
}

for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5]) {
  test(`writeBody: a ${size}-byte body gives consecutive chunks of chunkSize bytes and the right digests`, async () => {
    const store = new MemoryChunkStore();
    const data = randomBytes(size);
    const { chunks, digests } = await writeBody(store, payload(data), { sha256: true, checksum: 'CRC32', chunkSize: CHUNK });
    const want = Math.ceil(size / CHUNK);
    assert.equal(chunks.length, want);
    chunks.forEach((c, i) => assert.equal(c.size, i < want - 1 ? CHUNK : size - CHUNK * (want - 1)));
    assert.equal(digests.size, size);
    assert.deepEqual(digests.md5, createHash('md5').update(data).digest());
    assert.deepEqual(digests.sha256, createHash('sha256').update(data).digest());
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data));
    assert.deepEqual(digests.checksum, crc);
    // Exactly these chunks are stored (an empty body leaves none), and they read back as the body.
    assert.deepEqual(new Set((await listed(store)).map((c) => c.id)), new Set(chunks.map((c) => c.id)));
    assert.deepEqual(await collect(readObjectRange(store, chunks, 0, size - 1)), data);
  });
}

test('writeBody: a boundary inside an incoming buffer is split without losing or reordering bytes', async () => {
  const store = new MemoryChunkStore();
  const data = randomBytes(5 * CHUNK + 123);
  // One buffer of 2.5 chunks, then small ones.
  const { chunks } = await writeBody(store, payload(data, undefined, Math.floor(2.5 * CHUNK)), {
    sha256: false,
    checksum: null,
    chunkSize: CHUNK,
  });
  assert.deepEqual(
    chunks.map((c) => c.size),
    [CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, 123],
  );
  assert.deepEqual(await collect(readObjectRange(store, chunks, 0, data.length - 1)), data);
});

test('writeBody: a failing verify removes every chunk written for the body', async () => {
  const store = new MemoryChunkStore();
  const bad = new Error('signature mismatch');
  await assert.rejects(
    writeBody(
      store,
      payload(randomBytes(3 * CHUNK + 5), () => {
        throw bad;
      }),
      { sha256: true, checksum: null, chunkSize: CHUNK },
    ),
    (err) => err === bad,
  );
  assert.deepEqual(await listed(store), []);
  assert.deepEqual(await store.usage(), { bytes: 0, chunks: 0 });
});

test('writeBody: a source error mid-body removes the chunks already written', async () => {
  const store = new MemoryChunkStore();
  const boom = new Error('client went away');
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield randomBytes(2 * CHUNK + 10);
    yield randomBytes(CHUNK);
    throw boom;
  }
  await assert.rejects(
    writeBody(
      store,
      { stream: failing(), declaredLength: 10 * CHUNK, verify: () => undefined },
      { sha256: false, checksum: null, chunkSize: CHUNK },
    ),
    (err) => err === boom,
  );
  assert.deepEqual(await listed(store), []);
});

test('writeBody: an abort mid-body removes the chunks already written', async () => {
  const store = new MemoryChunkStore();
  const controller = new AbortController();
  async function* stalls(): AsyncGenerator<Uint8Array> {
    yield randomBytes(3 * CHUNK);
    await new Promise(() => {}); // never answers
  }
  const writing = writeBody(
    store,
    { stream: stalls(), declaredLength: 10 * CHUNK, verify: () => undefined },
    { sha256: false, checksum: null, chunkSize: CHUNK, signal: controller.signal },
  );
  setTimeout(() => controller.abort(new Error('request aborted')), 20);
  await assert.rejects(writing, /request aborted/);
  assert.deepEqual(await listed(store), []);
});

test('writeBody: a store failing on a later chunk leaves none of the earlier ones', async () => {
  const inner = new MemoryChunkStore();
  let writes = 0;
  const store = {
    write: (source: AsyncIterable<Uint8Array>, options?: ChunkWriteOptions): Promise<ChunkRef> =>
      ++writes === 3 ? Promise.reject(new Error('disk full')) : inner.write(source, options),
    sync: (ids: readonly string[]) => inner.sync(ids),
    read: (id: string, range?: ChunkRange): Promise<Readable> => inner.read(id, range),
    delete: (id: string) => inner.delete(id),
  };
  await assert.rejects(writeBody(store, payload(randomBytes(5 * CHUNK)), { sha256: false, checksum: null, chunkSize: CHUNK }), /disk full/);
  assert.deepEqual(await listed(inner), []);
});

test('writeBody: chunks are made durable once, at the end, with every id', async () => {
  const inner = new MemoryChunkStore();
  const deferred: boolean[] = [];
  const synced: string[][] = [];
  const store = {
    write: (source: AsyncIterable<Uint8Array>, options?: ChunkWriteOptions): Promise<ChunkRef> => {
      deferred.push(options?.deferSync === true);
      return inner.write(source, options);
    },
    sync: async (ids: readonly string[]) => {
      synced.push([...ids]);
    },
    read: (id: string, range?: ChunkRange): Promise<Readable> => inner.read(id, range),
    delete: (id: string) => inner.delete(id),
  };
  const { chunks } = await writeBody(store, payload(randomBytes(4 * CHUNK)), { sha256: false, checksum: null, chunkSize: CHUNK });
  assert.deepEqual(deferred, [true, true, true, true]);
  assert.deepEqual(synced, [chunks.map((c) => c.id)]);
});

test('openObjectRange: opens only the chunks a range touches, and the first before it resolves', async () => {
  const store = new MemoryChunkStore();
  const data = randomBytes(4 * CHUNK);
  const { chunks } = await writeBody(store, payload(data), { sha256: false, checksum: null, chunkSize: CHUNK });
  // Chunk 0 and 3 gone: a range inside chunks 1-2 never notices.
  await store.delete(chunks[0]!.id);
  await store.delete(chunks[3]!.id);
  const mid = await openObjectRange(store, chunks, CHUNK - 0 + 5, 3 * CHUNK - 1);
  assert.deepEqual(await collect(mid), data.subarray(CHUNK + 5, 3 * CHUNK));
  // A range starting in a missing chunk rejects before any byte is promised.
  await assert.rejects(openObjectRange(store, chunks, 10, 2 * CHUNK), ChunkNotFoundError);
  // Single bytes at chunk boundaries.
  assert.deepEqual(
    await collect(await openObjectRange(store, chunks, 2 * CHUNK - 1, 2 * CHUNK)),
    data.subarray(2 * CHUNK - 1, 2 * CHUNK + 1),
  );
});
