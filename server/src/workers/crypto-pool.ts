/**
 * A pool of worker threads for the CPU-heavy work on object bodies: digests (MD5 for the
 * ETag, SHA-256, S3 checksums) and AES-256-GCM segment sealing/opening. Hashing or
 * encrypting one large body then neither stalls the event loop nor stays on one core.
 * A body's digest is sequential, so it lives in one worker for the whole body (the least
 * busy when the body starts); seal and open tasks go to whichever worker has the fewest
 * tasks queued, so the segments of that same body are encrypted beside its MD5. Callers
 * bound their own tasks in flight (memory stays bounded); bytes cross as transferred
 * ArrayBuffers or as copies the caller made for the purpose.
 *
 * One pool per process ([server] workers, set once at start by main.ts); absent (0 or 1
 * workers, or never started, as in unit tests) every caller works inline.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChecksumAlgorithm } from '../metadata/types.js';
import type { DigestResult, WorkerReply, WorkerRequest } from './protocol.js';

/** Raised for a segment that failed authentication in a worker (mapped to SegmentAuthError by the caller). */
export class PooledAuthError extends Error {
  override readonly name = 'PooledAuthError';
}

type Pending = { resolve: (r: WorkerReply & { ok: true }) => void; reject: (e: Error) => void };

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  /** Bodies whose digest lives here. */
  bodies = 0;
  dead = false;

  constructor(url: URL, onDeath: (w: PoolWorker) => void) {
    this.worker = new Worker(url);
    this.worker.unref(); // referenced only while tasks are queued (see send)
    this.worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) p.resolve(reply);
      else p.reject(reply.auth ? new PooledAuthError(reply.message) : new Error(`crypto worker: ${reply.message}`));
    });
    const die = (err: Error): void => {
      if (this.dead) return;
      this.dead = true;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      onDeath(this);
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`crypto worker exited (${code})`)));
  }

  send(msg: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply & { ok: true }> {
    if (this.dead) return Promise.reject(new Error('crypto worker is gone'));
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(msg.id, { resolve, reject });
      this.worker.postMessage(msg, transfer);
    });
  }
}

/** Bytes per digest message (the caller's reads are copied into batches this big). */
export const DIGEST_BATCH_BYTES = 512 * 1024;

/** Spare buffers kept per size (at most 8 MiB of 1 MiB groups): the tasks of a few bodies in flight. */
export const MAX_SPARE_BUFFERS = 8;

/**
 * A view that owns its whole buffer, for a message: structured clone copies the entire
 * ArrayBuffer behind a view, and a key or AAD context often sits in Node's 8 KiB pool slab.
 */
const compact = (u: Uint8Array): Uint8Array => (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u : new Uint8Array(u));

/** Seal/open tasks in flight per worker (1 MiB each, plus its result). */
export const TASKS_PER_WORKER = 3;

/** Segments per seal/open task, and tasks in flight per chunk stream (chunks/pooled-segments.ts). */
export const GROUP_SEGMENTS = 16;
export const GROUPS_PER_STREAM = 3;

/**
 * Tuning of one pool. Production uses the defaults; the stress test
 * (chunks/pooled-segments.stress.test.ts) runs every combination it can against the inline cipher.
 */
export interface CryptoPoolOptions {
  /** Seal/open tasks that may run at once, per worker (TASKS_PER_WORKER). */
  tasksPerWorker?: number;
  /** Spare input buffers kept per size for reuse; 0 turns reuse off (MAX_SPARE_BUFFERS). */
  spareBuffers?: number;
  /** Segments per seal/open task (GROUP_SEGMENTS). */
  groupSegments?: number;
  /** Seal/open tasks in flight per chunk stream (GROUPS_PER_STREAM). */
  groupsPerStream?: number;
}

const positive = (name: string, v: number): number => {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`crypto pool: ${name} must be a positive integer`);
  return v;
};

/**
 * The ArrayBuffer of a view about to be transferred, which the view must own whole:
 * transferring a slice of a shared one (Node's 8 KiB Buffer pool, a socket read) would
 * detach every other view of it.
 */
function transferable(u: Uint8Array): ArrayBuffer {
  const b = u.buffer;
  if (!(b instanceof ArrayBuffer) || u.byteOffset !== 0 || u.byteLength !== b.byteLength) {
    throw new TypeError('crypto pool: a transferred buffer must own its whole ArrayBuffer');
  }
  return b;
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** A body digest held by one worker. update() returns a promise to await for backpressure. */
export interface PooledDigest {
  /** Queues a copy of `bytes`; resolves once at most `maxInFlight` updates are queued. */
  update(bytes: Uint8Array): Promise<void>;
  finish(): Promise<{ size: number; md5: Buffer; sha256?: Buffer; checksum?: Buffer }>;
  /** Forgets the digest (a failed body). */
  drop(): void;
}

export class CryptoPool {
  readonly #url: URL;
  readonly #workers: PoolWorker[] = [];
  /** Input buffers handed back by the workers, by size, for the next tasks (less garbage, flat RSS). */
  readonly #spare = new Map<number, ArrayBuffer[]>();
  /** The sizes worth keeping (every full batch or group): odd ones (ends of bodies and ranges) are left to GC. */
  readonly #reused = new Set<number>([DIGEST_BATCH_BYTES]);
  #nextId = 1;
  /** Seal/open tasks that may still start, pool-wide: bounds their memory at any concurrency. */
  #slots: number;
  readonly #waiting: Array<() => void> = [];
  readonly #spareBuffers: number;
  #nextBody = 1;
  #closed = false;
  readonly groupSegments: number;
  readonly groupsPerStream: number;

  constructor(size: number, options: CryptoPoolOptions = {}) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('a crypto pool has at least one worker');
    this.groupSegments = positive('groupSegments', options.groupSegments ?? GROUP_SEGMENTS);
    this.groupsPerStream = positive('groupsPerStream', options.groupsPerStream ?? GROUPS_PER_STREAM);
    this.#spareBuffers = options.spareBuffers ?? MAX_SPARE_BUFFERS;
    if (!Number.isSafeInteger(this.#spareBuffers) || this.#spareBuffers < 0) throw new RangeError('crypto pool: spareBuffers must be >= 0');
    // Under tsx (unit tests on the sources) the worker runs the built copy: a worker thread
    // does not inherit tsx's loader, and `npm run build` precedes every test run.
    const self = import.meta.url.endsWith('.ts') ? '../../dist/workers/crypto-worker.js' : './crypto-worker.js';
    this.#url = new URL(self, import.meta.url);
    for (let i = 0; i < size; i++) this.#workers.push(this.#spawn());
    this.#slots = size * positive('tasksPerWorker', options.tasksPerWorker ?? TASKS_PER_WORKER);
  }

  get size(): number {
    return this.#workers.length;
  }

  #spawn(): PoolWorker {
    return new PoolWorker(this.#url, (dead) => {
      // A worker that died (a bug, never a bad request) is replaced; its callers saw the error.
      const i = this.#workers.indexOf(dead);
      if (i >= 0 && !this.#closed) this.#workers[i] = this.#spawn();
    });
  }

  /** A buffer of `size` bytes for a task's input: a spare one, else a fresh one (not zeroed: callers fill it). */
  take(size: number, reusable = false): Uint8Array {
    if (reusable) this.#reused.add(size);
    const spare = this.#spare.get(size)?.pop();
    return spare !== undefined ? new Uint8Array(spare) : new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
  }

  #keep(reply: { spent?: Uint8Array }): void {
    const b = reply.spent?.buffer;
    if (!(b instanceof ArrayBuffer) || !this.#reused.has(b.byteLength)) return;
    let list = this.#spare.get(b.byteLength);
    if (list === undefined) this.#spare.set(b.byteLength, (list = []));
    if (list.length < this.#spareBuffers) list.push(b);
  }

  #id(): number {
    return this.#nextId++;
  }

  #leastBusy(): PoolWorker {
    let best = this.#workers[0]!;
    for (const w of this.#workers) if (w.pending.size < best.pending.size) best = w;
    return best;
  }

  /** A digest of one body (MD5 always; SHA-256 and an S3 checksum as asked). */
  openDigest(options: { sha256: boolean; checksum: ChecksumAlgorithm | null }, maxInFlight = 2): PooledDigest {
    let home = this.#workers[0]!;
    for (const w of this.#workers) if (w.bodies < home.bodies || (w.bodies === home.bodies && w.pending.size < home.pending.size)) home = w;
    home.bodies++;
    const body = this.#nextBody++;
    let released = false;
    const release = (): void => {
      if (!released) home.bodies--;
      released = true;
    };
    const opened = home.send({ id: this.#id(), op: 'digest-open', body, sha256: options.sha256, checksum: options.checksum });
    opened.catch(() => {});
    const queued: Promise<unknown>[] = [];
    // Socket reads are ~64 KiB: copied into batches so a body is a few hundred messages, not thousands.
    let batch: Uint8Array | null = null;
    let fill = 0;
    const flush = (): void => {
      if (batch === null || fill === 0) return;
      const bytes = fill === batch.length ? batch : batch.slice(0, fill);
      batch = null;
      fill = 0;
      const p = home.send({ id: this.#id(), op: 'digest-update', body, bytes }, [transferable(bytes)]).then((r) => this.#keep(r));
      p.catch(() => {});
      queued.push(p);
    };
    return {
      update: async (bytes) => {
        let at = 0;
        while (at < bytes.length) {
          batch ??= this.take(DIGEST_BATCH_BYTES);
          const n = Math.min(batch.length - fill, bytes.length - at);
          batch.set(bytes.subarray(at, at + n), fill);
          fill += n;
          at += n;
          if (fill === batch.length) flush();
        }
        while (queued.length > maxInFlight) await queued.shift();
      },
      finish: async () => {
        try {
          flush();
          await opened;
          await Promise.all(queued);
          const reply = await home.send({ id: this.#id(), op: 'digest-finish', body });
          const d = reply.digests as DigestResult;
          return {
            size: d.size,
            md5: asBuffer(d.md5),
            ...(d.sha256 ? { sha256: asBuffer(d.sha256) } : {}),
            ...(d.checksum ? { checksum: asBuffer(d.checksum) } : {}),
          };
        } finally {
          release();
        }
      },
      drop: () => {
        if (released) return;
        release();
        home.send({ id: this.#id(), op: 'digest-drop', body }).catch(() => {});
      },
    };
  }

  /**
   * Seals `plain` as segments from `first`, in a slot from acquire(). Ownership of `plain` passes to the pool (its
   * whole buffer is transferred, then kept for take()): it must own its buffer.
   */
  async seal(key: Buffer, context: Buffer, first: number, final: boolean, plain: Uint8Array): Promise<Buffer> {
    // The caller acquired a slot (acquire()); it is given back however the task ends.
    try {
      const reply = await this.#leastBusy().send(
        { id: this.#id(), op: 'seal', key: compact(key), context: compact(context), first, final, plain },
        [transferable(plain)],
      );
      this.#keep(reply);
      return asBuffer(reply.bytes!);
    } finally {
      this.#release();
    }
  }

  /** Opens sealed segments from `first` of a chunk of `segments` (its buffer is transferred). */
  async open(key: Buffer, context: Buffer, first: number, segments: number, sealed: Uint8Array): Promise<Buffer> {
    // The caller acquired a slot (acquire()); it is given back however the task ends.
    try {
      const reply = await this.#leastBusy().send(
        { id: this.#id(), op: 'open', key: compact(key), context: compact(context), first, segments, sealed },
        [transferable(sealed)],
      );
      this.#keep(reply);
      return asBuffer(reply.bytes!);
    } finally {
      this.#release();
    }
  }

  /**
   * Resolves when a seal/open task may start: callers await it before filling the buffer
   * for their next task, so a thousand streams hold a thousand buffers, not ten thousand.
   */
  acquire(): Promise<void> {
    if (this.#slots > 0) {
      this.#slots--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Gives back the slot of a task that settled. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#slots++;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }
}

let pool: CryptoPool | null = null;

/** Worker threads for `[server] workers`: -1 is one per CPU; 0 or 1 work inline (no pool). */
export function workerCount(configured: number): number {
  const n = configured < 0 ? availableParallelism() : configured;
  return n <= 1 ? 0 : n;
}

/** Starts the process's pool (replacing one already started); 0 workers leaves every caller inline. */
export function startCryptoPool(workers: number, options?: CryptoPoolOptions): CryptoPool | null {
  void pool?.close();
  pool = workers > 1 ? new CryptoPool(workers, options) : null;
  return pool;
}

/** The process's pool, or null when work stays inline. */
export function cryptoPool(): CryptoPool | null {
  return pool;
}

export async function stopCryptoPool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.close();
}
