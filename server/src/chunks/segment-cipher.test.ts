import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  ChunkCipher,
  SEALED_SEGMENT_BYTES,
  SEGMENT_BYTES,
  SegmentAuthError,
  openStream,
  plainSize,
  sealStream,
  sealedSize,
  segmentCount,
} from './segment-cipher.js';

const S = SEGMENT_BYTES;

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return Buffer.concat(out);
}
/** Copies, as a chunk store hands out: openStream opens segments where they lie. */
async function* from(...bufs: Buffer[]): AsyncGenerator<Buffer> {
  for (const b of bufs) yield Buffer.from(b);
}

test('segment cipher: sizes are invertible at every edge', () => {
  for (const n of [0, 1, S - 1, S, S + 1, 2 * S, 2 * S + 1, 8 << 20, (8 << 20) + 3]) {
    assert.equal(plainSize(sealedSize(n)), n, String(n));
    assert.equal(sealedSize(n), n + 28 * segmentCount(n));
  }
  assert.equal(segmentCount(0), 1);
  assert.equal(plainSize(0), 0);
});

test('segment cipher: seal then open round-trips; AAD, index, final flag and key are all bound', () => {
  const key = randomBytes(32);
  const ctx = Buffer.from('ctx');
  const plain = randomBytes(1000);
  const sealed = new ChunkCipher(key, ctx).seal(3, true, plain);
  assert.equal(sealed.length, 1028);
  assert.deepEqual(new ChunkCipher(key, ctx).open(3, true, sealed), plain);
  assert.throws(() => new ChunkCipher(key, Buffer.from('ctx2')).open(3, true, sealed), SegmentAuthError);
  assert.throws(() => new ChunkCipher(key, ctx).open(4, true, sealed), SegmentAuthError);
  assert.throws(() => new ChunkCipher(key, ctx).open(3, false, sealed), SegmentAuthError);
  assert.throws(() => new ChunkCipher(randomBytes(32), ctx).open(3, true, sealed), SegmentAuthError);
  const flipped = Buffer.from(sealed);
  flipped[500] = flipped[500]! ^ 0x80;
  assert.throws(() => new ChunkCipher(key, ctx).open(3, true, flipped), SegmentAuthError);
  // Two seals of the same bytes differ (random nonces).
  assert.notDeepEqual(new ChunkCipher(key, ctx).seal(3, true, plain), sealed);
});

test('segment cipher: streams of every boundary size, in odd pieces, round-trip; ranges open only their segments', async () => {
  const key = randomBytes(32);
  const ctx = Buffer.from('stream');
  for (const n of [0, 1, S - 1, S, S + 1, 3 * S, 3 * S + 7]) {
    const data = randomBytes(n);
    let told = 0;
    const cut = [data.subarray(0, 7), data.subarray(7, S + 3), data.subarray(S + 3)];
    const sealed = await collect(sealStream(key, ctx, from(...cut), (t) => (told = t)));
    assert.equal(told, n);
    assert.equal(sealed.length, sealedSize(n));
    const segments = segmentCount(n);
    const whole = await collect(
      openStream(key, ctx, from(sealed.subarray(0, 5), sealed.subarray(5)), {
        first: 0,
        last: segments - 1,
        segments,
        plainSize: n,
        skip: 0,
        length: n,
      }),
    );
    assert.deepEqual(whole, data, `size ${n}`);
    if (n > S) {
      // Bytes S-1..S+1 from segments 0 and 1 only.
      const part = await collect(
        openStream(key, ctx, from(sealed.subarray(0, 2 * SEALED_SEGMENT_BYTES)), {
          first: 0,
          last: 1,
          segments,
          plainSize: n,
          skip: S - 1,
          length: 3,
        }),
      );
      assert.deepEqual(part, data.subarray(S - 1, S + 2));
    }
  }
});

test('segment cipher: a stream cut short, or with segments swapped, fails', async () => {
  const key = randomBytes(32);
  const ctx = Buffer.from('x');
  const data = randomBytes(2 * S);
  const sealed = await collect(sealStream(key, ctx, from(data), () => {}));
  const opts = { first: 0, last: 1, segments: 2, plainSize: 2 * S, skip: 0, length: 2 * S };
  await assert.rejects(collect(openStream(key, ctx, from(sealed.subarray(0, sealed.length - 1)), opts)), SegmentAuthError);
  const swapped = Buffer.concat([sealed.subarray(SEALED_SEGMENT_BYTES), sealed.subarray(0, SEALED_SEGMENT_BYTES)]);
  await assert.rejects(collect(openStream(key, ctx, from(swapped), opts)), SegmentAuthError);
});

test('segment cipher: nonces drawn in blocks are all distinct, across blocks, and never change once handed out', async () => {
  const key = randomBytes(32);
  const ctx = Buffer.from('ctx');
  // 1,000 segments cross several pool blocks (341 nonces each, util/public-random.ts).
  const parts: Buffer[] = [];
  for await (const p of sealStream(key, ctx, from(randomBytes(1000 * S)), () => {})) parts.push(Buffer.from(p));
  const sealed = Buffer.concat(parts);
  const nonces = new Set<string>();
  for (let off = 0; off < sealed.length; off += SEALED_SEGMENT_BYTES) nonces.add(sealed.subarray(off, off + 12).toString('hex'));
  assert.equal(nonces.size, 1000);
  // The copies taken as the stream went are what a later write would see: nothing moved.
  const again: Buffer[] = [];
  for await (const p of sealStream(key, ctx, from(randomBytes(3 * S)), () => {})) again.push(p);
  const held = again.map((p) => Buffer.from(p));
  for (let i = 0; i < 600; i++) new ChunkCipher(key, ctx).seal(i, false, Buffer.alloc(16));
  assert.deepEqual(again, held);
});
