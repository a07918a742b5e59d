// The AES work in the crypto pool: byte-identical framing to the inline cipher (either reads
// what the other wrote), every range at group and segment edges, tampering caught, the
// ChunkStore conformance suite, and body digests equal to the inline digester's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { runChunkStoreConformance } from './conformance.js';
import { MemoryChunkStore } from './memory-chunk-store.js';
import { ChunkTamperedError, EncryptingChunkStore, EncryptingManagedChunkStore } from './encrypting-chunk-store.js';
import { SEGMENT_BYTES, SEALED_SEGMENT_BYTES, openStream, sealStream, segmentCount } from './segment-cipher.js';
import { GROUP_SEGMENTS, openStreamPooled, sealStreamPooled } from './pooled-segments.js';
import { CryptoPool, startCryptoPool, stopCryptoPool } from '../workers/crypto-pool.js';
import { openBodyDigest } from '../workers/body-digest.js';
import { BodyDigester } from '../util/checksums.js';

let pool: CryptoPool;
before(() => {
  pool = startCryptoPool(2)!;
});
after(() => stopCryptoPool());

const ctx = (n: number) => Buffer.from(`pool-context|${n}`);

runChunkStoreConformance('encrypting over memory, crypto pool', async () => ({
  store: new EncryptingManagedChunkStore(new MemoryChunkStore(), { key: randomBytes(32), contextForWrite: ctx }),
  cleanup: async () => {},
}));

async function* pieces(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}
async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const p of it) out.push(Buffer.from(p));
  return Buffer.concat(out);
}

const S = SEGMENT_BYTES;
const G = GROUP_SEGMENTS * S;
const SIZES = [0, 1, S - 1, S, S + 1, G - 1, G, G + 1, 3 * G + 7, 5 * G];

test('pooled sealing and opening match the inline cipher, both ways, for sizes at segment and group edges', async () => {
  const key = randomBytes(32);
  const context = Buffer.from('ctx');
  for (const size of SIZES) {
    const data = randomBytes(size);
    let plainPooled = -1;
    const pooled = await collect(sealStreamPooled(pool, key, context, pieces(data, 65_000), (n) => (plainPooled = n)));
    let plainInline = -1;
    const inline = await collect(sealStream(key, context, pieces(data, 40_000), (n) => (plainInline = n)));
    assert.equal(pooled.length, inline.length, `sealed size of ${size}`);
    assert.equal(plainPooled, size === 0 ? -1 : size);
    assert.equal(plainInline, size === 0 ? -1 : size);
    const segments = segmentCount(size);
    const opts = { first: 0, last: segments - 1, segments, plainSize: size, skip: 0, length: size };
    // Nonces are random, so compare by opening each with the other.
    assert.ok((await collect(openStream(key, context, pieces(pooled, 70_001), opts))).equals(data), `inline opens pooled ${size}`);
    assert.ok(
      (await collect(openStreamPooled(pool, key, context, pieces(inline, 33_333), opts))).equals(data),
      `pooled opens inline ${size}`,
    );
  }
});

test('pooled reads of every range at segment and group edges', async () => {
  const inner = new MemoryChunkStore();
  const store = new EncryptingChunkStore(inner, { key: randomBytes(32), contextForWrite: ctx });
  const data = randomBytes(3 * G + 5);
  const ref = await store.write(pieces(data, 64 * 1024));
  const points = [0, 1, S - 1, S, S + 1, G - 1, G, G + 1, 2 * G, 3 * G - 1, 3 * G, data.length - 1];
  for (const s of points) {
    for (const e of points) {
      if (e < s) continue;
      const got = await collect((await store.read(ref.id, { start: s, end: e })) as Readable);
      assert.ok(got.equals(data.subarray(s, e + 1)), `range ${s}-${e}`);
    }
  }
  assert.ok((await collect((await store.read(ref.id)) as Readable)).equals(data));
});

test('pooled open: a flipped byte far into the chunk fails the read, a flipped first byte fails before read() resolves', async () => {
  const inner = new MemoryChunkStore();
  const tampered: ChunkTamperedError[] = [];
  const key = randomBytes(32);
  const store = new EncryptingChunkStore(inner, { key, contextForWrite: ctx, onTampered: (e) => tampered.push(e) });
  const data = randomBytes(6 * G);
  const ref = await store.write(pieces(data, 64 * 1024));
  const sealed = await collect((await inner.read(ref.id)) as Readable);
  for (const [at, early] of [
    [5 * G + 100, false],
    [20, true],
  ] as const) {
    const bad = Buffer.from(sealed);
    const pos = at + Math.floor(at / S) * (SEALED_SEGMENT_BYTES - S);
    bad[pos] = bad[pos]! ^ 1;
    const copy = new MemoryChunkStore();
    const badRef = await copy.write(pieces(bad, 1 << 20));
    const view = new EncryptingChunkStore(copy, {
      key,
      contextForWrite: ctx,
      known: new Map([[badRef.id, { size: data.length, context: ctx(0) }]]),
      onTampered: (e) => tampered.push(e),
    });
    if (early) {
      await assert.rejects(view.read(badRef.id), ChunkTamperedError);
    } else {
      const stream = await view.read(badRef.id);
      await assert.rejects(collect(stream as Readable), ChunkTamperedError);
    }
  }
  assert.equal(tampered.length, 2);
});

test('pooled body digests equal the inline digester for MD5, SHA-256 and a CRC', async () => {
  const data = randomBytes(3 * 1024 * 1024 + 12345);
  for (const checksum of ['CRC32C', 'SHA256', null] as const) {
    const d = openBodyDigest({ sha256: true, checksum }, data.length);
    for await (const p of pieces(data, 60_000)) await d.update(p);
    const got = await d.finish();
    const want = new BodyDigester({ sha256: true, ...(checksum ? { checksum } : {}) });
    want.update(data);
    const w = want.finish();
    assert.equal(got.size, w.size);
    assert.ok(got.md5.equals(createHash('md5').update(data).digest()));
    assert.ok(got.md5.equals(w.md5));
    assert.ok(got.sha256?.equals(w.sha256!));
    assert.equal(got.checksum?.toString('hex'), w.checksum?.toString('hex'));
  }
});
