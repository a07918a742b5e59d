import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { LocalChunkStore } from './local-chunk-store.js';
import { runChunkStoreConformance } from './conformance.js';
import { ChunkNotFoundError, ChunkUnreadableError } from './errors.js';

runChunkStoreConformance('local', async () => {
  const base = await mkdtemp(join(tmpdir(), 'anode-chunks-conf-'));
  return { store: await LocalChunkStore.open(base), cleanup: () => rm(base, { recursive: true, force: true }) };
});

let dir: string;
let store: LocalChunkStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anode-chunks-'));
  store = await LocalChunkStore.open(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* pieces(...bufs: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const b of bufs) yield b;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const piece of stream) out.push(piece as Buffer);
  return Buffer.concat(out);
}

async function tmpFiles(): Promise<string[]> {
  return readdir(join(dir, 'chunks', '.tmp'));
}

test('write then read returns the same bytes, stored at chunks/<2 hex>/<id> with mode 0640', async () => {
  const a = randomBytes(3000);
  const b = randomBytes(5000);
  const ref = await store.write(pieces(a, b));
  assert.match(ref.id, /^[0-9a-f]{32}$/);
  assert.equal(ref.size, 8000);
  const path = join(dir, 'chunks', ref.id.slice(0, 2), ref.id);
  const s = await stat(path);
  assert.equal(s.size, 8000);
  assert.equal(s.mode & 0o777, 0o640 & ~process.umask());
  const shard = await stat(join(dir, 'chunks', ref.id.slice(0, 2)));
  assert.equal(shard.mode & 0o777, 0o750 & ~process.umask());
  assert.deepEqual(await readAll(await store.read(ref.id)), Buffer.concat([a, b]));
  assert.deepEqual(await tmpFiles(), []);
});

test('read with an inclusive range returns exactly those bytes', async () => {
  const data = randomBytes(10_000);
  const { id } = await store.write(pieces(data));
  assert.deepEqual(await readAll(await store.read(id, { start: 0, end: 0 })), data.subarray(0, 1));
  assert.deepEqual(await readAll(await store.read(id, { start: 4096, end: 9999 })), data.subarray(4096));
  assert.deepEqual(await readAll(await store.read(id, { start: 17, end: 4000 })), data.subarray(17, 4001));
  await assert.rejects(store.read(id, { start: 5, end: 4 }), RangeError);
  await assert.rejects(store.read(id, { start: -1, end: 4 }), RangeError);
});

test('an empty source makes an empty chunk', async () => {
  const ref = await store.write(pieces());
  assert.equal(ref.size, 0);
  assert.equal((await readAll(await store.read(ref.id))).length, 0);
});

test('ids that are not 32 lowercase hex are refused before any path is built', async () => {
  for (const bad of ['../../etc/passwd', 'ABCDEF0123456789ABCDEF0123456789', '0'.repeat(31), '0'.repeat(33), `${'0'.repeat(30)}/x`, '']) {
    await assert.rejects(store.read(bad), { name: 'InvalidChunkIdError' });
    await assert.rejects(store.delete(bad), { name: 'InvalidChunkIdError' });
  }
});

test('reading a missing chunk rejects with ChunkNotFoundError, the ENOENT kept as its cause', async () => {
  await assert.rejects(
    store.read('0'.repeat(32)),
    (err) => err instanceof ChunkNotFoundError && (err.cause as NodeJS.ErrnoException).code === 'ENOENT',
  );
});

test('a truncated chunk file is ChunkUnreadableError when the range asks for bytes it lost', async () => {
  const { id } = await store.write(pieces(randomBytes(1000)));
  await writeFile(join(dir, 'chunks', id.slice(0, 2), id), randomBytes(10));
  await assert.rejects(store.read(id, { start: 0, end: 999 }), ChunkUnreadableError);
  assert.equal((await readAll(await store.read(id, { start: 0, end: 9 }))).length, 10);
});

test('an unreadable chunk file (not a regular file) is ChunkUnreadableError, not a crash', async () => {
  const id = 'ab'.repeat(16);
  await mkdir(join(dir, 'chunks', id.slice(0, 2), id), { recursive: true });
  await assert.rejects(store.read(id, { start: 0, end: 0 }), ChunkUnreadableError);
});

test('deferSync writes land in their shard; sync() of them and of unknown ids resolves', async () => {
  const refs = await Promise.all(Array.from({ length: 8 }, () => store.write(pieces(randomBytes(100)), { deferSync: true })));
  for (const ref of refs) assert.equal((await stat(join(dir, 'chunks', ref.id.slice(0, 2), ref.id))).size, 100);
  await store.sync([...refs.map((r) => r.id), 'cd'.repeat(16)]);
  await assert.rejects(store.sync(['../x']), { name: 'InvalidChunkIdError' });
});

test('a source error removes the temporary file and rethrows that error', async () => {
  const boom = new Error('client went away');
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield randomBytes(2 << 20);
    throw boom;
  }
  await assert.rejects(store.write(failing()), (err) => err === boom);
  assert.deepEqual(await tmpFiles(), []);
  const listed = [];
  for await (const c of store.list()) listed.push(c);
  assert.deepEqual(listed, []);
});

test('an abort while the source is stalled rejects with the reason and cleans up', async () => {
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
  assert.deepEqual(await tmpFiles(), []);
});

test('an already-aborted signal rejects without creating anything', async () => {
  const controller = new AbortController();
  controller.abort(new Error('early'));
  await assert.rejects(store.write(pieces(randomBytes(10)), { signal: controller.signal }), /early/);
  assert.deepEqual(await tmpFiles(), []);
});

test('a large write is pulled with backpressure: the source never runs far ahead of the disk', async () => {
  const piece = 256 * 1024;
  const total = 48 << 20;
  const hash = createHash('md5');
  let produced = 0;
  let maxAhead = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    const buf = randomBytes(piece);
    while (produced < total) {
      const [name] = await tmpFiles();
      if (name !== undefined && produced > 0) {
        const onDisk = (await stat(join(dir, 'chunks', '.tmp', name))).size;
        maxAhead = Math.max(maxAhead, produced - onDisk);
      }
      const out = Buffer.from(buf); // fresh buffer per piece, as a stream gives
      out.writeUInt32BE(produced >>> 0, 0);
      hash.update(out);
      produced += piece;
      yield out;
    }
  }
  const ref = await store.write(source());
  assert.equal(ref.size, total);
  assert.ok(maxAhead <= 2 << 20, `source ran ${maxAhead} bytes ahead of the file`);
  const readHash = createHash('md5');
  for await (const p of await store.read(ref.id)) readHash.update(p as Buffer);
  assert.equal(readHash.digest('hex'), hash.digest('hex'));
});

test('concurrent writes all land (shared directory syncs) and list() reports each once', async () => {
  const refs = await Promise.all(Array.from({ length: 40 }, (_, i) => store.write(pieces(Buffer.alloc(i + 1, i)))));
  const listed = new Map<string, number>();
  for await (const c of store.list()) {
    assert.ok(c.mtimeMs > 0);
    listed.set(c.id, c.size);
  }
  assert.equal(listed.size, 40);
  for (const [i, ref] of refs.entries()) assert.equal(listed.get(ref.id), i + 1);
});

test('delete removes the file; deleting a missing chunk is not an error', async () => {
  const { id } = await store.write(pieces(Buffer.from('xyz')));
  assert.equal(await store.delete(id), 3);
  assert.equal(await store.delete(id), 0);
  await assert.rejects(stat(join(dir, 'chunks', id.slice(0, 2), id)), { code: 'ENOENT' });
});

test('list() ignores files that are not chunks and temporary files', async () => {
  const { id } = await store.write(pieces(Buffer.from('keep')));
  await writeFile(join(dir, 'chunks', id.slice(0, 2), 'README'), 'x');
  await writeFile(join(dir, 'chunks', '.tmp', `${'a'.repeat(32)}.abc`), 'x');
  const ids = [];
  for await (const c of store.list()) ids.push(c.id);
  assert.deepEqual(ids, [id]);
});

test('sweepTemporary removes only temporary files older than the limit', async () => {
  const tmp = join(dir, 'chunks', '.tmp');
  await writeFile(join(tmp, 'old.1'), 'x');
  await writeFile(join(tmp, 'young.2'), 'x');
  const hourAgo = new Date(Date.now() - 3600_000);
  await utimes(join(tmp, 'old.1'), hourAgo, hourAgo);
  assert.equal(await store.sweepTemporary(60_000), 1);
  assert.deepEqual(await tmpFiles(), ['young.2']);
});
