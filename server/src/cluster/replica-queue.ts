/**
 * How a chunk's bytes reach its replicas: small pieces (socket reads) are gathered into
 * batches of about SEND_BATCH_BYTES, and each replica takes them from its own bounded
 * queue, so one slow replica no longer paces every piece of the others (it may fall up to
 * REPLICA_WINDOW_BYTES behind before the source waits for it).
 */
import type { ReplicaSink } from './rpc.js';

/** Pieces are sent to the replicas in batches of about this size (fewer, larger gRPC messages). */
export const SEND_BATCH_BYTES = 1 << 20;
/** How far (bytes queued, not yet taken by its sink) one replica may fall behind the source. */
export const REPLICA_WINDOW_BYTES = 4 << 20;

/** Gathers small pieces (socket reads) into batches of at least `target` bytes. */
export class Batcher {
  readonly #target: number;
  #parts: Uint8Array[] = [];
  #bytes = 0;

  constructor(target: number) {
    this.#target = target;
  }

  /** Adds a piece; returns a batch once `target` bytes are gathered. */
  add(piece: Uint8Array): Buffer | null {
    this.#parts.push(piece);
    this.#bytes += piece.byteLength;
    return this.#bytes >= this.#target ? this.flush() : null;
  }

  flush(): Buffer | null {
    if (this.#bytes === 0) return null;
    const parts = this.#parts;
    const bytes = this.#bytes;
    this.#parts = [];
    this.#bytes = 0;
    const only = parts.length === 1 ? parts[0]! : null;
    if (only !== null) return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength);
    return Buffer.concat(parts, bytes);
  }
}

/**
 * One replica's bounded queue: push() resolves as soon as the queue holds less than
 * `window` bytes, while a pump hands the batches to the sink one at a time (the sink's own
 * backpressure). A failed write is reported once through `onError`; later pushes resolve
 * at once (the replica is out of the write).
 */
export class SinkQueue {
  readonly #sink: ReplicaSink;
  readonly #window: number;
  readonly #onError: (err: unknown) => void;
  readonly #items: Buffer[] = [];
  #queued = 0;
  #failed = false;
  #pumping: Promise<void> | null = null;
  #waiters: Array<() => void> = [];

  constructor(sink: ReplicaSink, window: number, onError: (err: unknown) => void) {
    this.#sink = sink;
    this.#window = window;
    this.#onError = onError;
  }

  push(batch: Buffer): Promise<void> {
    if (this.#failed) return Promise.resolve();
    this.#items.push(batch);
    this.#queued += batch.length;
    this.#pumping ??= this.#pump();
    return this.#queued < this.#window ? Promise.resolve() : this.#room();
  }

  /** Resolves once every batch pushed so far was taken by the sink (or the replica failed). */
  async drained(): Promise<void> {
    while (this.#pumping !== null) await this.#pumping;
  }

  fail(_err: unknown): void {
    this.#failed = true;
    this.#items.length = 0;
    this.#queued = 0;
    this.#wake();
  }

  #room(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  async #pump(): Promise<void> {
    // Yield first, so #pumping is set before the finally below can clear it.
    await null;
    try {
      while (!this.#failed && this.#items.length > 0) {
        const batch = this.#items[0]!;
        try {
          await this.#sink.write(batch);
        } catch (err) {
          if (!this.#failed) this.#onError(err);
          this.fail(err);
          return;
        }
        this.#items.shift();
        this.#queued -= batch.length;
        if (this.#queued < this.#window) this.#wake();
      }
    } finally {
      this.#pumping = null;
      this.#wake();
    }
  }
}
