import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LocalChunkStore } from '../chunks/local-chunk-store.js';
import { SqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import { bucketRecord, objectRecord, partRecord, uploadRecord } from '../metadata/conformance-fixtures.js';
import type { ChunkRef } from '../chunks/chunk-store.js';
import { runGc } from './gc.js';
import type { GcDeps, GcStats } from './gc.js';

const HOUR = 3_600_000;
let dir: string;
let chunks: LocalChunkStore;
let metadata: SqliteMetadataStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anode-gc-'));
  chunks = await LocalChunkStore.open(dir);
  metadata = await SqliteMetadataStore.open(dir);
  await metadata.createBucket(bucketRecord('b'));
});
afterEach(async () => {
  await metadata.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeChunk(bytes = 100): Promise<ChunkRef> {
  async function* body(): AsyncGenerator<Uint8Array> {
    yield randomBytes(bytes);
  }
  return chunks.write(body());
}

function chunkPath(id: string): string {
  return join(dir, 'chunks', id.slice(0, 2), id);
}

async function exists(id: string): Promise<boolean> {
  return stat(chunkPath(id)).then(
    () => true,
    () => false,
  );
}

async function age(id: string, ms: number): Promise<void> {
  const t = new Date(Date.now() - ms);
  await utimes(chunkPath(id), t, t);
}

function gc(overrides: Partial<GcDeps> = {}): Promise<GcStats> {
  return runGc({
    metadata,
    chunks,
    now: () => new Date(),
    orphanGraceMs: HOUR,
    trashDelayMs: 15 * 60_000,
    uploadExpiryMs: 7 * 24 * HOUR,
    ...overrides,
  });
}

test('an old orphan (chunk on disk, no metadata) is removed and counted', async () => {
  const orphan = await writeChunk(321);
  await age(orphan.id, 2 * HOUR);
  const stats = await gc();
  assert.equal(await exists(orphan.id), false);
  assert.equal(stats.chunksScanned, 1);
  assert.equal(stats.chunksRemoved, 1);
  assert.equal(stats.orphansRemoved, 1);
  assert.equal(stats.bytesFreed, 321);
  assert.ok(stats.finishedAt instanceof Date);
  assert.ok(stats.durationMs >= 0);
});

test('chunks referenced by objects and by parts are kept however old', async () => {
  const objChunk = await writeChunk();
  const partChunk = await writeChunk();
  await metadata.putObject(objectRecord('b', 'k', [objChunk]));
  await metadata.createUpload(uploadRecord('b', 'm', 'u', { initiated: new Date() }));
  await metadata.putPart(partRecord('u', 1, partChunk));
  await age(objChunk.id, 30 * 24 * HOUR);
  await age(partChunk.id, 30 * 24 * HOUR);
  const stats = await gc();
  assert.equal(await exists(objChunk.id), true);
  assert.equal(await exists(partChunk.id), true);
  assert.equal(stats.chunksScanned, 2);
  assert.equal(stats.chunksRemoved, 0);
});

test('a young orphan is kept: an upload in flight has written its chunk but not yet committed', async () => {
  const inFlight = await writeChunk();
  const stats = await gc();
  assert.equal(await exists(inFlight.id), true);
  assert.equal(stats.chunksRemoved, 0);
  // Its commit then lands, and later GCs keep it for good.
  await metadata.putObject(objectRecord('b', 'k', [inFlight]));
  await gc({ now: () => new Date(Date.now() + 10 * HOUR) });
  assert.equal(await exists(inFlight.id), true);
});

test('a replaced object chunk stays on disk for the trash delay, then is deleted and leaves the trash', async () => {
  const v1 = await writeChunk(50);
  const v2 = await writeChunk(60);
  await metadata.putObject(objectRecord('b', 'k', [v1]));
  await metadata.putObject(objectRecord('b', 'k', [v2]));
  await age(v1.id, 2 * HOUR); // old file, but recently trashed: a GET may still be reading it
  let stats = await gc();
  assert.equal(await exists(v1.id), true, 'kept during the trash delay');
  assert.equal(stats.trashed, 0);
  assert.equal(await metadata.isChunkKnown(v1.id), true);

  stats = await gc({ now: () => new Date(Date.now() + 20 * 60_000) });
  assert.equal(await exists(v1.id), false);
  assert.equal(await exists(v2.id), true);
  assert.equal(stats.trashed, 1);
  assert.equal(stats.bytesFreed, 50);
  assert.equal(await metadata.isChunkKnown(v1.id), false);
  assert.deepEqual(await metadata.listTrash(new Date(Date.now() + HOUR), 10), []);
});

test('a trash entry whose file is already gone is dropped without error', async () => {
  const c = await writeChunk();
  await metadata.putObject(objectRecord('b', 'k', [c]));
  await metadata.deleteObject('b', 'k');
  await chunks.delete(c.id);
  const stats = await gc({ trashDelayMs: 0, now: () => new Date(Date.now() + 1000) });
  assert.equal(stats.trashed, 1);
  assert.equal(stats.errors, 0);
  assert.equal(await metadata.isChunkKnown(c.id), false);
});

test('a stale multipart upload is aborted; its parts wait in the trash, a fresh upload is untouched', async () => {
  const staleChunk = await writeChunk(70);
  const freshChunk = await writeChunk(80);
  await metadata.createUpload(uploadRecord('b', 'old', 'stale', { initiated: new Date(Date.now() - 8 * 24 * HOUR) }));
  await metadata.putPart(partRecord('stale', 1, staleChunk));
  await metadata.createUpload(uploadRecord('b', 'new', 'fresh', { initiated: new Date() }));
  await metadata.putPart(partRecord('fresh', 1, freshChunk));

  let stats = await gc();
  assert.equal(stats.uploadsExpired, 1);
  assert.equal(await metadata.getUpload('stale'), null);
  assert.notEqual(await metadata.getUpload('fresh'), null);
  assert.equal(await exists(staleChunk.id), true, 'trash delay applies to expired parts too');

  stats = await gc({ now: () => new Date(Date.now() + HOUR) });
  assert.equal(await exists(staleChunk.id), false);
  assert.equal(await exists(freshChunk.id), true);
  assert.equal(stats.bytesFreed, 70);
});

test('stale temporary files are swept; young ones (writes in progress) stay', async () => {
  const tmp = join(dir, 'chunks', '.tmp');
  await writeFile(join(tmp, `${'a'.repeat(32)}.old`), 'x');
  await writeFile(join(tmp, `${'b'.repeat(32)}.young`), 'x');
  const t = new Date(Date.now() - 2 * HOUR);
  await utimes(join(tmp, `${'a'.repeat(32)}.old`), t, t);
  const stats = await gc();
  assert.equal(stats.temporaryRemoved, 1);
  assert.deepEqual(await readdir(tmp), [`${'b'.repeat(32)}.young`]);
});

test('progress is reported while running and the final stats come last', async () => {
  for (let i = 0; i < 5; i++) await age((await writeChunk()).id, 2 * HOUR);
  const seen: GcStats[] = [];
  const stats = await gc({ onProgress: (s) => seen.push(s) });
  assert.ok(seen.length >= 1);
  assert.deepEqual(seen[seen.length - 1], stats);
  assert.equal(stats.chunksRemoved, 5);
});

test('an aborted signal stops the run before any work', async () => {
  const orphan = await writeChunk();
  await age(orphan.id, 2 * HOUR);
  const controller = new AbortController();
  controller.abort();
  const stats = await gc({ signal: controller.signal });
  assert.equal(stats.chunksScanned, 0);
  assert.equal(await exists(orphan.id), true);
});

test('cluster mode: the stray sweep gets the grace, the metadata check and the in-flight registry; its counts join the orphans', async () => {
  const referenced = await writeChunk();
  await metadata.putObject(objectRecord('b', 'k', [referenced]));
  const inFlight = { has: (id: string) => id === 'held' };
  let asked: { olderThanMs: number; everyNode: boolean; known: boolean; held: boolean } | undefined;
  const stats = await gc({
    inFlight,
    strays: {
      async sweepStrays(o) {
        asked = {
          olderThanMs: o.olderThanMs,
          everyNode: o.everyNode,
          known: await o.isKnown(referenced.id),
          held: o.inFlight?.has('held') === true,
        };
        return { scanned: 7, removed: 3, bytesFreed: 3000, inGrace: 2, inUse: 1, errors: 1 };
      },
    },
  });
  assert.deepEqual(asked, { olderThanMs: HOUR, everyNode: false, known: true, held: true });
  assert.equal(stats.orphansRemoved, 3);
  assert.equal(stats.chunksRemoved, 3);
  assert.equal(stats.bytesFreed, 3000);
  assert.equal(stats.chunksScanned, 1 + 7);
  assert.equal(stats.errors, 1);
  assert.equal(stats.pending?.orphansInGrace, 2);
  assert.equal(stats.pending?.orphansInUse, 1);
  // An on-demand run asks for every node's disk.
  let everyNode: boolean | undefined;
  await gc({
    straysEveryNode: true,
    strays: {
      async sweepStrays(o) {
        everyNode = o.everyNode;
        return { scanned: 0, removed: 0, bytesFreed: 0, inGrace: 0, inUse: 0, errors: 0 };
      },
    },
  });
  assert.equal(everyNode, true);
});
