/**
 * Chunks this node is using whose metadata does not (or may no longer) protect them:
 * - written by a write whose metadata has not committed yet (between a chunk's write and
 *   the commit that references it, the chunk is known to no table, so GC's orphan walk
 *   would take it for a crash leftover once older than gc.orphan_grace_seconds);
 * - shared or read by a copy in flight (CopyObject, UploadPartCopy), whose source may be
 *   deleted before the copy commits;
 * - read by a GET streaming an object that may be deleted or replaced meanwhile.
 * GC skips every id held here, both in the orphan walk and when freeing the chunk trash,
 * whatever its age: that is what makes a grace of 0, and an on-demand run that frees
 * deleted objects' chunks at once, safe. Holds are counted: two users of one chunk each
 * hold and release it.
 */
export class ChunksInFlight {
  readonly #ids = new Map<string, number>();

  hold(id: string): void {
    this.#ids.set(id, (this.#ids.get(id) ?? 0) + 1);
  }

  release(ids: Iterable<string>): void {
    for (const id of ids) {
      const n = this.#ids.get(id);
      if (n === undefined) continue;
      if (n <= 1) this.#ids.delete(id);
      else this.#ids.set(id, n - 1);
    }
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Distinct chunks held. */
  get size(): number {
    return this.#ids.size;
  }
}
