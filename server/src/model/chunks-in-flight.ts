/**
 * Chunks written by this node whose metadata has not committed yet. Between a chunk's
 * write and the commit that references it, the chunk is known to no table, so GC's orphan
 * walk would take it for a crash leftover once older than gc.orphan_grace_seconds; GC
 * skips every id held here whatever its age, which makes a grace of 0 safe. The write
 * flow (ObjectService) holds an id from before its first byte is stored (ChunkStore
 * onId) until the commit has succeeded or the chunk was removed.
 */
export class ChunksInFlight {
  readonly #ids = new Set<string>();

  hold(id: string): void {
    this.#ids.add(id);
  }

  release(ids: Iterable<string>): void {
    for (const id of ids) this.#ids.delete(id);
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  get size(): number {
    return this.#ids.size;
  }
}
