import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ChunkInfo, ManagedChunkStore } from './chunk-store.js';
import { ChunkError, ChunkNotFoundError, ChunkUnreadableError } from './errors.js';

export interface OpenedChunkStore {
  store: ManagedChunkStore;
  /** Removes everything the store created. */
  cleanup(): Promise<void>;
}

const MiB = 1 << 20;
const MISSING = '0'.repeat(32);

/**
 * The contract of ChunkStore (and ChunkMaintenance), as node:test cases. Every
 * implementation runs this same suite against a fresh, empty store per test (`open`), so
 * semantics cannot drift between them. Only the interfaces are used here.
 */
export function runChunkStoreConformance(name: string, open: () => Promise<OpenedChunkStore>): void {
  describe(`ChunkStore conformance: ${name}`, () => {
    let store: ManagedChunkStore;
    let opened: OpenedChunkStore | undefined;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened?.cleanup();
      opened = undefined;
    });

    async function listed(): Promise<ChunkInfo[]> {
      const out: ChunkInfo[] = [];
      for await (const c of store.list()) out.push(c);
      return out;
    }

    async function read(id: string, range?: { start: number; end: number }): Promise<Buffer> {
      return readAll(await store.read(id, range));
    }

    describe('write and read', () => {
      test('write resolves with a 32-hex id and the size; read returns the same bytes', async () => {
        const a = randomBytes(3000);
        const b = randomBytes(5000);
        const ref = await store.write(pieces(a, b));
        assert.match(ref.id, /^[0-9a-f]{32}$/);
        assert.equal(ref.size, 8000);
        assert.deepEqual(await read(ref.id), Buffer.concat([a, b]));
      });

      test("read's buffers are the reader's own: changing them changes nothing stored", async () => {
        const data = randomBytes(700_000); // several read pieces in every backend
        const ref = await store.write(pieces(data));
        for (const range of [undefined, { start: 1000, end: 400_000 }]) {
          for await (const piece of await store.read(ref.id, range)) (piece as Buffer).fill(0);
        }
        assert.deepEqual(await read(ref.id), data);
      });

      test('onId tells the id before any byte is taken from the source (so GC can be kept off it)', async () => {
        let told: string | undefined;
        let toldBeforeFirstByte = false;
        async function* watched(): AsyncGenerator<Uint8Array> {
          toldBeforeFirstByte = told !== undefined;
          yield randomBytes(100);
        }
        const ref = await store.write(watched(), { onId: (id) => (told = id) });
        assert.equal(told, ref.id);
        assert.equal(toldBeforeFirstByte, true);
      });

      test('an empty source makes an empty chunk that is listed, read as empty and deleted', async () => {
        const ref = await store.write(pieces());
        assert.equal(ref.size, 0);
        assert.equal((await read(ref.id)).length, 0);
        assert.deepEqual(
          (await listed()).map((c) => [c.id, c.size]),
          [[ref.id, 0]],
        );
        assert.equal(await store.delete(ref.id), 0);
        assert.deepEqual(await listed(), []);
      });

      test('piece boundaries do not matter: empty, tiny and large pieces come back joined', async () => {
        const parts = [
          randomBytes(1),
          Buffer.alloc(0),
          randomBytes(MiB - 1),
          randomBytes(1),
          Buffer.alloc(0),
          randomBytes(MiB + 7),
          randomBytes(3),
        ];
        const ref = await store.write(pieces(...parts));
        const all = Buffer.concat(parts);
        assert.equal(ref.size, all.length);
        assert.deepEqual(await read(ref.id), all);
      });

      test('ranges at every boundary return exactly those bytes', async () => {
        const size = 2 * MiB + 17; // crosses several read buffers
        const data = randomBytes(size);
        const { id } = await store.write(pieces(data));
        const cases: Array<[number, number]> = [
          [0, 0], // first byte
          [size - 1, size - 1], // last byte
          [0, size - 1], // whole
          [1, size - 2],
          [MiB - 1, MiB - 1], // single bytes either side of a read buffer boundary
          [MiB, MiB],
          [MiB - 1, MiB], // straddling it
          [0, MiB - 1],
          [MiB, size - 1],
          [17, 4000],
        ];
        for (const [start, end] of cases) {
          assert.deepEqual(await read(id, { start, end }), data.subarray(start, end + 1), `range ${start}-${end}`);
        }
      });

      test('a range past the end is ChunkUnreadableError; a malformed range is RangeError', async () => {
        const { id } = await store.write(pieces(randomBytes(100)));
        await assert.rejects(store.read(id, { start: 0, end: 100 }), ChunkUnreadableError);
        await assert.rejects(store.read(id, { start: 100, end: 100 }), ChunkUnreadableError);
        await assert.rejects(store.read(id, { start: 5, end: 4 }), RangeError);
        await assert.rejects(store.read(id, { start: -1, end: 4 }), RangeError);
        await assert.rejects(store.read(id, { start: 0.5, end: 4 }), RangeError);
      });

      test('reading a missing chunk rejects with ChunkNotFoundError before any byte', async () => {
        const err = await store.read(MISSING).then(
          () => assert.fail('read resolved'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof ChunkNotFoundError);
        assert.ok(err instanceof ChunkError);
        assert.equal(err.code, 'ChunkNotFound');
        assert.equal(err.chunkId, MISSING);
        await assert.rejects(store.read(MISSING, { start: 0, end: 0 }), ChunkNotFoundError);
      });

      test('ids that are not 32 lowercase hex are refused', async () => {
        for (const bad of [
          '../../etc/passwd',
          'ABCDEF0123456789ABCDEF0123456789',
          '0'.repeat(31),
          '0'.repeat(33),
          `${'0'.repeat(30)}/x`,
          '',
        ]) {
          await assert.rejects(store.read(bad), { name: 'InvalidChunkIdError' });
          await assert.rejects(store.delete(bad), { name: 'InvalidChunkIdError' });
        }
      });

      test('concurrent writes all land, each listed once with its size; usage adds them up', async () => {
        const refs = await Promise.all(Array.from({ length: 40 }, (_, i) => store.write(pieces(Buffer.alloc(i + 1, i)))));
        assert.equal(new Set(refs.map((r) => r.id)).size, 40);
        const byId = new Map((await listed()).map((c) => [c.id, c]));
        assert.equal(byId.size, 40);
        for (const [i, ref] of refs.entries()) {
          assert.equal(byId.get(ref.id)?.size, i + 1);
          assert.ok(Math.abs(byId.get(ref.id)!.mtimeMs - Date.now()) < 60_000);
          assert.deepEqual(await read(ref.id), Buffer.alloc(i + 1, i));
        }
        assert.deepEqual(await store.usage(), { bytes: (40 * 41) / 2, chunks: 40 });
      });

      test('deferSync chunks are readable at once and durable after sync(); sync([]) is a no-op', async () => {
        const a = await store.write(pieces(Buffer.from('one')), { deferSync: true });
        const b = await store.write(pieces(Buffer.from('two')), { deferSync: true });
        await store.sync([a.id, b.id]);
        await store.sync([]);
        assert.deepEqual(await read(a.id), Buffer.from('one'));
        assert.deepEqual(await read(b.id), Buffer.from('two'));
      });
    });

    describe('failed writes leave nothing behind', () => {
      test('a source error rejects with that error; nothing is listed or counted', async () => {
        const boom = new Error('client went away');
        async function* failing(): AsyncGenerator<Uint8Array> {
          yield randomBytes(2 * MiB);
          throw boom;
        }
        await assert.rejects(store.write(failing()), (err) => err === boom);
        assert.deepEqual(await listed(), []);
        assert.deepEqual(await store.usage(), { bytes: 0, chunks: 0 });
      });

      test('an abort mid-write (source stalled) rejects with the reason; nothing is listed', async () => {
        const controller = new AbortController();
        let release = (): void => {};
        async function* stalled(): AsyncGenerator<Uint8Array> {
          yield randomBytes(1000);
          await new Promise<void>((resolve) => (release = resolve));
        }
        const writing = store.write(stalled(), { signal: controller.signal });
        setTimeout(() => controller.abort(new Error('aborted by test')), 20);
        await assert.rejects(writing, /aborted by test/);
        release();
        assert.deepEqual(await listed(), []);
        assert.deepEqual(await store.usage(), { bytes: 0, chunks: 0 });
      });

      test('an already-aborted signal rejects without creating anything', async () => {
        const controller = new AbortController();
        controller.abort(new Error('early'));
        await assert.rejects(store.write(pieces(randomBytes(10)), { signal: controller.signal }), /early/);
        assert.deepEqual(await listed(), []);
      });

      test('a write in progress is not listed until it completes', async () => {
        let release = (): void => {};
        let started = (): void => {};
        const isStarted = new Promise<void>((resolve) => (started = resolve));
        async function* slow(): AsyncGenerator<Uint8Array> {
          yield randomBytes(1000);
          started();
          await new Promise<void>((resolve) => (release = resolve));
          yield randomBytes(1000);
        }
        const writing = store.write(slow());
        await isStarted;
        assert.deepEqual(await listed(), []);
        release();
        const ref = await writing;
        assert.deepEqual(
          (await listed()).map((c) => c.id),
          [ref.id],
        );
      });
    });

    describe('delete', () => {
      test('delete frees the bytes; a second delete and a delete of a missing chunk resolve 0', async () => {
        const { id } = await store.write(pieces(Buffer.from('xyz')));
        assert.equal(await store.delete(id), 3);
        assert.equal(await store.delete(id), 0);
        assert.equal(await store.delete(MISSING), 0);
        await assert.rejects(store.read(id), ChunkNotFoundError);
        assert.deepEqual(await listed(), []);
      });

      test('a read opened before the delete still returns every byte (GETs in flight finish)', async () => {
        const data = randomBytes(3 * MiB);
        const { id } = await store.write(pieces(data));
        const stream = await store.read(id);
        await store.delete(id);
        assert.deepEqual(await readAll(stream), data);
      });
    });

    describe('maintenance', () => {
      test('an empty store lists nothing, uses nothing and has no temporaries to sweep', async () => {
        assert.deepEqual(await listed(), []);
        assert.deepEqual(await store.usage(), { bytes: 0, chunks: 0 });
        assert.equal(await store.sweepTemporary(0), 0);
      });
    });
  });
}

async function* pieces(...bufs: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const b of bufs) yield b;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const piece of stream) out.push(piece as Buffer);
  return Buffer.concat(out);
}
