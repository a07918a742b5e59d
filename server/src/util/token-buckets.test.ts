import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBuckets } from './token-buckets.js';

test('a burst is allowed, then one token per 1/rate seconds', () => {
  const b = new TokenBuckets(2, 3);
  const t0 = 1_000_000;
  assert.deepEqual(
    [1, 2, 3, 4].map(() => b.take('a', t0)),
    [true, true, true, false],
  );
  assert.equal(b.exhausted('a', t0), true);
  assert.equal(b.retryAfterSeconds('a', t0), 1);
  assert.equal(b.take('a', t0 + 499), false);
  assert.equal(b.take('a', t0 + 500), true, 'half a second at 2/s is one token');
  assert.equal(b.take('b', t0), true, 'keys are independent');
});

test('refill never exceeds the burst', () => {
  const b = new TokenBuckets(10, 2);
  b.take('a', 0);
  assert.equal(b.take('a', 3_600_000), true);
  assert.equal(b.take('a', 3_600_000), true);
  assert.equal(b.take('a', 3_600_000), false);
});

test('rate 0 disables the limit', () => {
  const b = new TokenBuckets(0, 0);
  for (let i = 0; i < 100; i++) assert.equal(b.take('a', 0), true);
  assert.equal(b.exhausted('a', 0), false);
});

test('memory stays bounded: the least recently used key is forgotten and starts full', () => {
  const b = new TokenBuckets(1, 1, 2);
  assert.equal(b.take('a', 0), true);
  assert.equal(b.take('b', 0), true);
  assert.equal(b.take('c', 0), true); // 'a' is forgotten
  assert.equal(b.take('a', 0), true, 'a forgotten key starts full');
  assert.equal(b.take('c', 0), false, 'c is still remembered');
});

test('asking whether an unseen key is exhausted stores nothing for it', () => {
  const b = new TokenBuckets(1, 1, 1);
  assert.equal(b.take('a', 0), true);
  for (let i = 0; i < 10; i++) assert.equal(b.exhausted(`other${i}`, 0), false);
  assert.equal(b.take('a', 0), false, "'a' was not evicted by the lookups");
});
