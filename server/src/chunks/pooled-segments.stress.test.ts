// Stress test of the crypto pool's AES path against the inline cipher. Every iteration
// starts COLD pools (new workers, no spare buffers) and runs several bodies at once: sizes
// at segment, group and chunk edges, source pieces of random sizes (empty ones too) with
// random pauses, and sometimes a pause that lets every group already sent settle before the
// last bytes arrive (what once made a chunk's tail be sealed from segment 0). Each body is
// sealed through the pool, opened inline and through the pool, whole and in random ranges,
// and compared byte for byte; a second test writes bodies through writeBody (chunk cutting,
// pooled digests, two chunk writes overlapping) into an encrypting store. Tunings: every
// combination CryptoPoolOptions allows, swept in order from a seed.
//
// Bounded by default (a few seconds per test). Long runs:
//   POOL_STRESS_ITERATIONS=5000 node scripts/test.mjs pooled-segments.stress
// (POOL_STRESS_SEED picks another sequence; a failure message names seed, iteration and tuning.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { CryptoPool, startCryptoPool, stopCryptoPool, type CryptoPoolOptions } from '../workers/crypto-pool.js';
import { openStreamPooled, sealStreamPooled } from './pooled-segments.js';
import { SEALED_SEGMENT_BYTES, SEGMENT_BYTES, openStream, sealStream, sealedSize, segmentCount } from './segment-cipher.js';
import { MemoryChunkStore } from './memory-chunk-store.js';
import { EncryptingChunkStore } from './encrypting-chunk-store.js';
import { writeBody } from '../model/object-writer.js';
import { computeChecksum } from '../util/checksums.js';

const ITERATIONS = Number(process.env['POOL_STRESS_ITERATIONS'] ?? 0); // 0: bounded by BUDGET_MS
const BUDGET_MS = Number(process.env['POOL_STRESS_MS'] ?? 3000);
const SEED = Number(process.env['POOL_STRESS_SEED'] ?? 0x5eed);
const S = SEGMENT_BYTES;
const MiB = 1024 * 1024;

type Tuning = CryptoPoolOptions & { workers: number };

/** Every tuning the pool allows, the production one and the variant that once failed first. */
const TUNINGS: Tuning[] = (() => {
  const out: Tuning[] = [{ workers: 2 }, { workers: 2, groupSegments: 4, groupsPerStream: 2 }];
  for (const workers of [2, 3])
    for (const groupSegments of [16, 4, 1])
      for (const groupsPerStream of [3, 2, 1])
        for (const tasksPerWorker of [3, 1])
          for (const spareBuffers of [8, 0]) out.push({ workers, groupSegments, groupsPerStream, tasksPerWorker, spareBuffers });
  return out;
})();

/** mulberry32: a small seeded generator, so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** A pool that records its seal/open tasks, so a source can wait until all of them settled. */
class WatchedPool extends CryptoPool {
  readonly tasks: Promise<unknown>[] = [];
  override seal(...args: Parameters<CryptoPool['seal']>): Promise<Buffer> {
    const p = super.seal(...args);
    this.tasks.push(p.catch(() => {}));
    return p;
  }
  override open(...args: Parameters<CryptoPool['open']>): Promise<Buffer> {
    const p = super.open(...args);
    this.tasks.push(p.catch(() => {}));
    return p;
  }
  async settled(): Promise<void> {
    await Promise.all(this.tasks);
    await tick(); // and every continuation of them (the stream's own bookkeeping)
  }
}

/** How a source hands out its bytes: piece sizes, pauses, and a settle before the last piece. */
interface Plan {
  maxPiece: number;
  pause: 'none' | 'tick' | 'timer';
  settleBeforeLast: boolean;
}
const describePlan = (p: Plan): string => `pieces<=${p.maxPiece} pause=${p.pause}${p.settleBeforeLast ? ' settle-before-last' : ''}`;

function randomPlan(r: Rand): Plan {
  return {
    maxPiece: pick(r, [1000, 40_000, S, S + 1, 200_000, MiB + 3]),
    pause: pick(r, ['none', 'none', 'tick', 'timer'] as const),
    settleBeforeLast: r() < 0.4,
  };
}

async function* source(data: Buffer, plan: Plan, r: Rand, pool: WatchedPool | null): AsyncGenerator<Uint8Array> {
  // Tiny pieces only for small bodies; about a dozen pauses per stream, whatever its size.
  const maxPiece = Math.max(plan.maxPiece, Math.ceil(data.length / 400));
  const pauseOdds = Math.min(0.5, 12 / Math.max(1, data.length / (maxPiece / 2)));
  let at = 0;
  while (at < data.length) {
    if (r() < 0.03) yield Buffer.alloc(0);
    const n = Math.min(data.length - at, int(r, 1, maxPiece));
    if (at + n === data.length && plan.settleBeforeLast && pool !== null) await pool.settled();
    else if (plan.pause === 'tick' && r() < pauseOdds) await tick();
    else if (plan.pause === 'timer' && r() < pauseOdds) await sleep(int(r, 0, 3));
    // A fresh copy: the stream under test must not depend on the caller keeping the bytes.
    yield Buffer.from(data.subarray(at, at + n));
    at += n;
  }
  if (r() < 0.1) yield new Uint8Array(0);
}

/** One copy, as a chunk store hands out: openStream opens segments where they lie. */
async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield Buffer.from(bytes);
}

async function collect(it: AsyncIterable<Uint8Array>, what = ''): Promise<Buffer> {
  const out: Buffer[] = [];
  try {
    for await (const p of it) out.push(Buffer.from(p));
  } catch (err) {
    // Name the case (seed, iteration, tuning, size, plan) so a failure can be replayed.
    throw what === '' ? err : new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return Buffer.concat(out);
}

async function expectBytes(it: AsyncIterable<Uint8Array>, want: Buffer, what: string): Promise<void> {
  const got = await collect(it, what);
  assert.ok(got.equals(want), `${what}: ${got.length} bytes differ from the ${want.length} expected`);
}

/** Sizes around segment, group (this tuning's and the default 1 MiB) and multi-group edges, up to ~3 MiB. */
function randomSize(r: Rand, group: number): number {
  const bases = [0, S, group, 2 * group, 3 * group, MiB, 2 * MiB, 3 * MiB, int(r, 1, 3 * MiB)];
  const base = pick(r, bases);
  const delta = pick(r, [0, 0, 1, -1, 2, -2, 7, S - 1, -(S - 1), 11]);
  return Math.max(0, Math.min(3 * MiB + S, base + delta));
}

/** Open options and the sealed byte span for plaintext [start, end] of a chunk, as the store computes them. */
function span(size: number, start: number, end: number) {
  const segments = segmentCount(size);
  const first = size === 0 ? 0 : Math.floor(start / S);
  const last = size === 0 ? 0 : Math.floor(end / S);
  return {
    opts: { first, last, segments, plainSize: size, skip: size === 0 ? 0 : start - first * S, length: size === 0 ? 0 : end - start + 1 },
    from: first * SEALED_SEGMENT_BYTES,
    to: Math.min(sealedSize(size), (last + 1) * SEALED_SEGMENT_BYTES),
  };
}

async function checkBody(pool: WatchedPool, r: Rand, where: string): Promise<void> {
  // Each body draws from its own generator: concurrent bodies interleave by timing, not by seed.
  const size = randomSize(r, pool.groupSegments * S);
  const data = randomBytes(size);
  const key = randomBytes(32);
  const context = Buffer.from(`stress|${where}`);
  const plan = randomPlan(r);
  const at = `${where} size=${size} ${describePlan(plan)}`;
  let total = -1;
  const sealed = await collect(
    sealStreamPooled(pool, key, context, source(data, plan, r, pool), (n) => (total = n)),
    `pooled seal: ${at}`,
  );
  assert.equal(sealed.length, sealedSize(size), `sealed size: ${at}`);
  if (size > 0) assert.equal(total, size, `plaintext total: ${at}`);
  const whole = span(size, 0, Math.max(0, size - 1));
  await expectBytes(openStream(key, context, once(sealed), whole.opts), data, `inline open of pooled seal: ${at}`);
  const openPlan = randomPlan(r);
  await expectBytes(
    openStreamPooled(pool, key, context, source(sealed, openPlan, r, pool), whole.opts),
    data,
    `pooled open of pooled seal: ${at} open ${describePlan(openPlan)}`,
  );
  if (r() < 0.5) {
    const inlineSealed = await collect(sealStream(key, context, source(data, plan, r, null), () => {}));
    await expectBytes(openStreamPooled(pool, key, context, once(inlineSealed), whole.opts), data, `pooled open of inline seal: ${at}`);
  }
  if (size === 0) return;
  for (let i = 0; i < 2; i++) {
    const edges = [0, S - 1, S, pool.groupSegments * S - 1, pool.groupSegments * S, MiB - 1, MiB, size - 1];
    const a = Math.min(size - 1, r() < 0.5 ? pick(r, edges) : int(r, 0, size - 1));
    const b = Math.min(size - 1, r() < 0.5 ? pick(r, edges) : int(r, 0, size - 1));
    const [s, e] = a <= b ? [a, b] : [b, a];
    const { opts, from, to } = span(size, s, e);
    const raw = sealed.subarray(from, to);
    const want = data.subarray(s, e + 1);
    const rp = randomPlan(r);
    await expectBytes(
      openStreamPooled(pool, key, context, source(raw, rp, r, pool), opts),
      want,
      `pooled range ${s}-${e}: ${at} ${describePlan(rp)}`,
    );
    await expectBytes(openStream(key, context, once(raw), opts), want, `inline range ${s}-${e}: ${at}`);
    // Inline again, in random pieces: segments that straddle reads are joined, whole ones opened in place.
    const ip = randomPlan(r);
    await expectBytes(
      openStream(key, context, source(raw, ip, r, null), opts),
      want,
      `inline range ${s}-${e} in pieces: ${at} ${describePlan(ip)}`,
    );
  }
}

const describeTuning = (t: Tuning): string => JSON.stringify(t);

function rounds(): { more: (i: number) => boolean } {
  const started = Date.now();
  return { more: (i) => (ITERATIONS > 0 ? i < ITERATIONS : i < 2 || Date.now() - started < BUDGET_MS) };
}

test('cold pools, concurrent bodies, every tuning: pooled seal/open agree with the inline cipher byte for byte', async () => {
  const r = prng(SEED);
  const { more } = rounds();
  let i = 0;
  for (; more(i); i++) {
    const tuning = TUNINGS[i % TUNINGS.length]!;
    const { workers, ...options } = tuning;
    const pool = new WatchedPool(workers, options);
    try {
      const bodies = int(r, 2, 4);
      await Promise.all(
        Array.from({ length: bodies }, (_, b) =>
          checkBody(pool, prng(SEED + i * 7919 + b), `seed=${SEED} iteration=${i} body=${b} tuning=${describeTuning(tuning)}`),
        ),
      );
    } finally {
      await pool.close();
    }
  }
  console.log(`pool stress: ${i} iterations (cold pools), seed ${SEED}`);
});

test('deterministic: groups that all settled before the last bytes arrive do not make the tail be sealed from segment 0', async () => {
  for (const tuning of TUNINGS.slice(0, 2)) {
    const { workers, ...options } = tuning;
    const pool = new WatchedPool(workers, options);
    try {
      const group = pool.groupSegments * S;
      for (const size of [group + 1, group + 11, 2 * group + 5, group + S + 1]) {
        const data = randomBytes(size);
        const key = randomBytes(32);
        const context = Buffer.from('tail');
        async function* late(): AsyncGenerator<Uint8Array> {
          yield data.subarray(0, group + 1); // the first group is sent: more bytes follow
          await pool.settled(); // ...and has come back before the rest arrives
          yield data.subarray(group + 1);
        }
        const sealed = await collect(sealStreamPooled(pool, key, context, late(), () => {}));
        const { opts } = span(size, 0, size - 1);
        assert.ok((await collect(openStream(key, context, once(sealed), opts))).equals(data), `size ${size} ${describeTuning(tuning)}`);
      }
    } finally {
      await pool.close();
    }
  }
});

test('cold pools through writeBody into an encrypting store: chunk edges, pooled digests, overlapping chunk writes, ranged reads', async () => {
  const r = prng(SEED ^ 0x9e3779b9);
  const { more } = rounds();
  let i = 0;
  try {
    for (; more(i); i++) {
      const tuning = TUNINGS[i % TUNINGS.length]!;
      const { workers, ...options } = tuning;
      const pool = startCryptoPool(workers, options)!; // cold, and the one the store uses
      const group = pool.groupSegments * S;
      const chunkSize = pick(r, [MiB, MiB + S, 2 * MiB - 1, 3 * group, group + 1]);
      const store = new EncryptingChunkStore(new MemoryChunkStore(), {
        key: randomBytes(32),
        contextForWrite: (n) => Buffer.from(`chunk|${n}`),
      });
      const where = `seed=${SEED} iteration=${i} tuning=${describeTuning(tuning)} chunkSize=${chunkSize}`;
      await Promise.all(
        Array.from({ length: int(r, 2, 3) }, async (_, b) => {
          const br = prng(SEED + i * 7919 + b + 1);
          const size = Math.max(0, pick(br, [chunkSize, 2 * chunkSize, MiB]) + pick(br, [0, 1, -1, 5, -(S + 1)]));
          const data = randomBytes(size);
          const plan = randomPlan(br);
          const at = `${where} body=${b} size=${size} ${describePlan(plan)}`;
          const written = await writeBody(
            store,
            { stream: source(data, plan, br, null), declaredLength: size, verify: () => {} },
            { sha256: true, checksum: 'CRC32C', chunkSize },
          ).catch((err: Error) => assert.fail(`writeBody: ${at}: ${err.message}`));
          assert.ok(written.digests.md5.equals(createHash('md5').update(data).digest()), `md5: ${at}`);
          assert.ok(written.digests.sha256?.equals(createHash('sha256').update(data).digest()), `sha256: ${at}`);
          assert.ok(written.digests.checksum?.equals(computeChecksum('CRC32C', data)), `crc32c: ${at}`);
          const read = async (id: string, range?: { start: number; end: number }): Promise<Readable> =>
            (await store.read(id, range).catch((err: Error) => assert.fail(`read ${id}: ${at}: ${err.message}`))) as Readable;
          let offset = 0;
          for (const ref of written.chunks) {
            const want = data.subarray(offset, offset + ref.size);
            await expectBytes(await read(ref.id), want, `chunk at ${offset}: ${at}`);
            if (ref.size > 0) {
              const s = int(br, 0, ref.size - 1);
              const e = int(br, s, ref.size - 1);
              await expectBytes(
                await read(ref.id, { start: s, end: e }),
                want.subarray(s, e + 1),
                `chunk at ${offset} range ${s}-${e}: ${at}`,
              );
            }
            offset += ref.size;
          }
          assert.equal(offset, size, `chunks cover the body: ${at}`);
        }),
      );
    }
  } finally {
    await stopCryptoPool();
  }
  console.log(`pool stress through writeBody: ${i} iterations (cold pools), seed ${SEED}`);
});
