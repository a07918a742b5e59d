import { test } from 'node:test';
import assert from 'node:assert/strict';
import { publicRandom } from './public-random.js';

test('public random: bytes are fresh across blocks and never change once handed out', () => {
  // 2,000 nonces of 12 bytes cross several 4 KiB blocks.
  const handed = Array.from({ length: 2000 }, () => publicRandom(12));
  const copies = handed.map((b) => Buffer.from(b));
  assert.equal(new Set(copies.map((b) => b.toString('hex'))).size, 2000);
  for (let i = 0; i < 1000; i++) publicRandom(16); // later draws refill nothing in place
  assert.deepEqual(handed, copies);
});

test('public random: sizes are exact, and large requests bypass the pool', () => {
  for (const n of [0, 1, 12, 16, 1024]) assert.equal(publicRandom(n).length, n);
  const big = publicRandom(64 * 1024);
  assert.equal(big.length, 64 * 1024);
  assert.notEqual(big.toString('hex'), publicRandom(64 * 1024).toString('hex'));
});
