import type Database from 'better-sqlite3';

interface QueuedWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. With synchronous=FULL every COMMIT costs an fsync, so writes queued in the
 * same event-loop turn share one transaction: each runs in its own SAVEPOINT (a failing
 * write rolls back alone and rejects alone) and all resolve only after the single COMMIT
 * is durable. While a commit blocks the loop, new requests pile up for the next batch, so
 * batches grow exactly when the load does.
 */
export class WriteBatcher {
  readonly #batch: (writes: QueuedWrite[]) => Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>;
  #queue: QueuedWrite[] = [];
  #scheduled: NodeJS.Immediate | null = null;

  constructor(db: Database.Database) {
    const inSavepoint = db.transaction((run: () => unknown) => run());
    this.#batch = db.transaction((writes: QueuedWrite[]) =>
      writes.map((w) => {
        try {
          return { ok: true as const, value: inSavepoint(w.run) };
        } catch (error) {
          return { ok: false as const, error };
        }
      }),
    ).immediate;
  }

  /** Runs `fn` inside the next batch transaction; resolves with its result once committed. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits everything queued now (also used by close()). */
  flush(): void {
    if (this.#scheduled !== null) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    const writes = this.#queue;
    this.#queue = [];
    if (writes.length === 0) return;
    let results;
    try {
      results = this.#batch(writes);
    } catch (error) {
      // The COMMIT itself failed (disk full, I/O error): nothing in the batch is durable.
      for (const w of writes) w.reject(error);
      return;
    }
    results.forEach((result, i) => {
      const w = writes[i];
      if (w === undefined) return;
      if (result.ok) w.resolve(result.value);
      else w.reject(result.error);
    });
  }
}
