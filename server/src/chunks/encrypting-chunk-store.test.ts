import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { runChunkStoreConformance } from './conformance.js';
import { LocalChunkStore } from './local-chunk-store.js';
import { MemoryChunkStore } from './memory-chunk-store.js';
import { ChunkTamperedError, EncryptingChunkStore, EncryptingManagedChunkStore } from './encrypting-chunk-store.js';
import { ChunkUnreadableError } from './errors.js';
import { SEGMENT_BYTES, sealedSize } from './segment-cipher.js';

const ctx = (n: number) => Buffer.from(`test-context|${n}`);

runChunkStoreConformance('encrypting over memory', async () => ({
  store: new EncryptingManagedChunkStore(new MemoryChunkStore(), { key: randomBytes(32), contextForWrite: ctx }),
  cleanup: async () => {},
}));

runChunkStoreConformance('encrypting over local', async () => {
  const base = await mkdtemp(join(tmpdir(), 'anode-enc-conf-'));
  return {
    store: new EncryptingManagedChunkStore(await LocalChunkStore.open(base), { key: randomBytes(32), contextForWrite: ctx }),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
});

async function* pieces(...bufs: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const b of bufs) yield b;
}
async function readAll(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const piece of stream) out.push(piece as Buffer);
  return Buffer.concat(out);
}
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

test('encrypting store: the inner store holds no plaintext; every range at segment edges reads back', async () => {
  const base = await mkdtemp(join(tmpdir(), 'anode-enc-'));
  try {
    const inner = await LocalChunkStore.open(base);
    const key = randomBytes(32);
    const store = new EncryptingChunkStore(inner, { key, contextForWrite: ctx });
    const marker = Buffer.from('MARKER-plaintext-never-on-disk-');
    const data = Buffer.concat(Array.from({ length: 8000 }, () => marker)).subarray(0, 3 * SEGMENT_BYTES + 5);
    const ref = await store.write(pieces(data));
    assert.equal(ref.size, data.length);
    for (const f of await files(base)) assert.equal((await readFile(f)).includes(marker.subarray(0, 16)), false, f);
    const S = SEGMENT_BYTES;
    const size = data.length;
    for (const [s, e] of [
      [0, 0],
      [S - 1, S - 1],
      [S - 1, S],
      [S, S],
      [S, 2 * S - 1],
      [2 * S - 1, 3 * S],
      [3 * S, size - 1],
      [size - 1, size - 1],
      [1, size - 2],
      [0, size - 1],
    ] as const) {
      assert.deepEqual(await readAll(await store.read(ref.id, { start: s, end: e })), data.subarray(s, e + 1), `${s}-${e}`);
    }
    // Another view with the same key opens it given the context and size (as model/ does).
    const other = new EncryptingChunkStore(inner, { key, contextForWrite: ctx, known: new Map([[ref.id, { size, context: ctx(0) }]]) });
    assert.deepEqual(await readAll(await other.read(ref.id)), data);
    // The wrong context (a chunk moved to another place) or key fails before any byte.
    const moved = new EncryptingChunkStore(inner, { key, contextForWrite: ctx, known: new Map([[ref.id, { size, context: ctx(1) }]]) });
    await assert.rejects(moved.read(ref.id), ChunkTamperedError);
    const wrongKey = new EncryptingChunkStore(inner, {
      key: randomBytes(32),
      contextForWrite: ctx,
      known: new Map([[ref.id, { size, context: ctx(0) }]]),
    });
    await assert.rejects(wrongKey.read(ref.id, { start: S, end: S }), ChunkTamperedError);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('encrypting store: a flipped byte, a truncated chunk or a dropped final segment fails; the metric hook is told', async () => {
  const base = await mkdtemp(join(tmpdir(), 'anode-enc-'));
  try {
    const inner = await LocalChunkStore.open(base);
    let told = 0;
    const key = randomBytes(32);
    const store = new EncryptingChunkStore(inner, { key, contextForWrite: ctx, onTampered: () => told++ });
    // Seven segments: two reads of the inner store (four sealed segments each).
    const data = randomBytes(6 * SEGMENT_BYTES + 10);
    const ref = await store.write(pieces(data));
    const [file] = await files(base);
    assert.equal((await stat(file!)).size, sealedSize(data.length));
    const original = await readFile(file!);

    const flipped = Buffer.from(original);
    flipped[100] = flipped[100]! ^ 1;
    await writeFile(file!, flipped);
    await assert.rejects(store.read(ref.id), ChunkTamperedError);
    // A flip in a later read's segment fails mid-stream, never yielding altered bytes.
    const late = Buffer.from(original);
    late[late.length - 20] = late[late.length - 20]! ^ 1;
    await writeFile(file!, late);
    const stream = await store.read(ref.id);
    await assert.rejects(readAll(stream), ChunkTamperedError);
    // Cut at a segment boundary: the last remaining segment lacks the final flag.
    await writeFile(file!, original.subarray(0, 2 * (SEGMENT_BYTES + 28)));
    await assert.rejects(store.read(ref.id), ChunkUnreadableError);
    await assert.rejects(store.read(ref.id, { start: 2 * SEGMENT_BYTES, end: 2 * SEGMENT_BYTES }), ChunkUnreadableError);
    // The cut chunk presented as if it were whole (its size recorded as two segments): the
    // last segment lacks the final flag.
    const asShorter = new EncryptingChunkStore(inner, {
      key,
      contextForWrite: ctx,
      known: new Map([[ref.id, { size: 2 * SEGMENT_BYTES, context: ctx(0) }]]),
    });
    await assert.rejects(async () => readAll(await asShorter.read(ref.id)), ChunkTamperedError);
    assert.ok(told >= 2, `told ${told}`);
    await writeFile(file!, original);
    assert.deepEqual(await readAll(await store.read(ref.id)), data);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
