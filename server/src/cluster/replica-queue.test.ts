import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Batcher, SinkQueue } from './replica-queue.js';
import type { ReplicaSink } from './rpc.js';

/** A sink whose writes complete only when the test lets them (or at once, if `fast`). */
function sink(nodeId: string, fast: boolean, failAt = -1) {
  const got: Buffer[] = [];
  const gates: Array<() => void> = [];
  const s: ReplicaSink = {
    nodeId,
    async write(piece) {
      if (got.length === failAt) throw new Error(`${nodeId} broke`);
      got.push(Buffer.from(piece));
      if (!fast) await new Promise<void>((r) => gates.push(r));
    },
    async end() {},
    abort() {},
    settled: async () => {},
  };
  return { s, got, release: () => gates.shift()?.() };
}

const tick = () => new Promise((r) => setImmediate(r));

test('Batcher gathers 64 KiB socket reads into 1 MiB batches and keeps every byte in order', () => {
  const b = new Batcher(1 << 20);
  const input = randomBytes(3 * (1 << 20) + 12_345);
  const out: Buffer[] = [];
  for (let off = 0; off < input.length; off += 65_536) {
    const batch = b.add(input.subarray(off, off + 65_536));
    if (batch !== null) out.push(batch);
  }
  const tail = b.flush();
  if (tail !== null) out.push(tail);
  assert.equal(out.length, 4);
  for (const batch of out.slice(0, 3)) assert.equal(batch.length, 1 << 20);
  assert.ok(Buffer.concat(out).equals(input));
  assert.equal(b.flush(), null);
});

test('a slow replica falls behind the fast one by at most its window, then the source waits for it', async () => {
  const window = 4 << 20;
  const fast = sink('fast', true);
  const slow = sink('slow', false);
  const errors: unknown[] = [];
  const qf = new SinkQueue(fast.s, window, (e) => errors.push(e));
  const qs = new SinkQueue(slow.s, window, (e) => errors.push(e));
  const batch = Buffer.alloc(1 << 20, 7);
  // Three batches fit in the slow replica's window: no wait.
  for (let i = 0; i < 3; i++) await Promise.all([qf.push(batch), qs.push(batch)]);
  await tick();
  assert.equal(fast.got.length, 3, 'the fast replica got every batch');
  assert.equal(slow.got.length, 1, 'the slow one is still on its first');
  // The fourth fills its window (4 MiB queued, the one being written included): the source
  // is held until the slow replica finishes one.
  let pushed = false;
  const fourth = Promise.all([qf.push(batch), qs.push(batch)]).then(() => (pushed = true));
  for (let i = 0; i < 3; i++) await tick();
  assert.equal(pushed, false, 'the source waits once the slow replica is a window behind');
  assert.equal(fast.got.length, 4, 'the fast replica is not held back');
  slow.release();
  await fourth;
  for (let i = 0; i < 4; i++) {
    await tick();
    slow.release();
  }
  await Promise.all([qf.drained(), qs.drained()]);
  assert.equal(fast.got.length, 4);
  assert.equal(slow.got.length, 4);
  assert.deepEqual(errors, []);
});

test('a replica whose write fails is reported once and then skipped; drained() still resolves', async () => {
  const broken = sink('broken', true, 1);
  const errors: unknown[] = [];
  const q = new SinkQueue(broken.s, 4 << 20, (e) => errors.push(e));
  const batch = Buffer.alloc(1 << 20);
  for (let i = 0; i < 6; i++) await q.push(batch);
  await q.drained();
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /broken broke/);
  assert.equal(broken.got.length, 1);
});
