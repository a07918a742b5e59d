import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openBuffer, sealBuffer } from './sealed-buffer.js';
import { SEGMENT_BYTES, SegmentAuthError, openStream, sealStream, sealedSize, segmentCount } from './segment-cipher.js';

const key = randomBytes(32);
const context = Buffer.from('["anode-chunk-v1","bucket","key","id",false,0,0]');

async function* from(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

test('a body sealed in memory is the chunk format: the stream opener reads it, and the other way round', async () => {
  for (const size of [0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES + 17]) {
    const plain = randomBytes(size);
    const sealed = sealBuffer(key, context, plain);
    assert.equal(sealed.length, sealedSize(size), `size ${size}`);
    assert.deepEqual(openBuffer(key, context, sealed, size), plain);
    const segments = segmentCount(size);
    const opened = await collect(
      openStream(key, context, from(sealed), { first: 0, last: segments - 1, segments, plainSize: size, skip: 0, length: size }),
    );
    assert.deepEqual(opened, plain, `openStream of sealBuffer, size ${size}`);
    const streamed = await collect(sealStream(key, context, from(plain), () => {}));
    assert.deepEqual(openBuffer(key, context, streamed, size), plain, `openBuffer of sealStream, size ${size}`);
  }
});

test('an altered, cut, extended or re-contexted sealed body fails authentication', () => {
  const plain = randomBytes(2 * SEGMENT_BYTES + 5);
  const sealed = sealBuffer(key, context, plain);
  const flipped = Buffer.from(sealed);
  flipped[SEGMENT_BYTES + 40] = flipped[SEGMENT_BYTES + 40]! ^ 0x80;
  assert.throws(() => openBuffer(key, context, flipped, plain.length), SegmentAuthError);
  assert.throws(() => openBuffer(key, context, sealed.subarray(0, sealed.length - 1), plain.length), SegmentAuthError);
  assert.throws(() => openBuffer(key, context, Buffer.concat([sealed, Buffer.alloc(1)]), plain.length), SegmentAuthError);
  assert.throws(() => openBuffer(key, Buffer.from('another object'), sealed, plain.length), SegmentAuthError);
  assert.throws(() => openBuffer(randomBytes(32), context, sealed, plain.length), SegmentAuthError);
});
