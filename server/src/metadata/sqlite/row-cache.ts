import type Database from 'better-sqlite3';

/** Writes that change a bucket row or a credential (last_used_at too: touches are coalesced, rare). */
const BUCKET_WRITE = /^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+buckets\b/i;
const CREDENTIAL_WRITE = /^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+cred\.credentials\b/i;

/**
 * Decoded bucket and credential rows kept between requests (issue 11: their lookups were a
 * tenth of a HEAD's CPU). A cache is dropped whole when
 * - this connection runs any statement that writes that table (wrapped in watch()), inside
 *   the write's own transaction, so no read can slip between the change and the drop; or
 * - another connection committed to the database file (PRAGMA data_version moved), such as
 *   `anode admin reset-root` revoking a key while the node runs.
 * data_version is probed at most once per millisecond of Date.now() (the probe cost about
 * what the cache saved when every lookup made it), so another process's commit is seen by
 * every lookup that starts 1 ms or more after it; this process's own writes at once.
 */
export class RowCache<T> {
  readonly #rows = new Map<string, T>();
  readonly #version: Database.Statement<[], number>;
  #seen = -1;
  #probedAt = -1;

  constructor(db: Database.Database, schema: 'main' | 'cred') {
    this.#version = db.prepare<[], number>(`PRAGMA ${schema}.data_version`).pluck();
  }

  get(key: string): T | undefined {
    const now = Date.now();
    if (now !== this.#probedAt) {
      this.#probedAt = now;
      const v = this.#version.get() ?? -1;
      if (v !== this.#seen) {
        this.#rows.clear();
        this.#seen = v;
      }
    }
    return this.#rows.get(key);
  }

  set(key: string, value: T): void {
    // Bounded: a flood of distinct names cannot grow memory without limit.
    if (this.#rows.size >= 10_000) this.#rows.clear();
    this.#rows.set(key, value);
  }

  clear(): void {
    this.#rows.clear();
  }
}

/** Makes every statement in `statements` that writes buckets/credentials drop the matching cache. */
export function watchWrites(statements: object, caches: { buckets: RowCache<unknown>; credentials: RowCache<unknown> }): void {
  for (const stmt of Object.values(statements) as Database.Statement[]) {
    const cache = BUCKET_WRITE.test(stmt.source) ? caches.buckets : CREDENTIAL_WRITE.test(stmt.source) ? caches.credentials : null;
    if (cache === null) continue;
    const run = stmt.run.bind(stmt);
    Object.defineProperty(stmt, 'run', {
      value: (...args: unknown[]) => {
        cache.clear();
        return run(...args);
      },
    });
  }
}
