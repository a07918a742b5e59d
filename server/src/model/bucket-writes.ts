/**
 * Writes in flight on this node, per bucket id. DeleteBucket refuses while a write into
 * the bucket is still streaming in, so the writer is not left to fail at its commit after
 * the client has sent the whole body. The commit itself re-checks the bucket in its own
 * transaction (MetadataStore.putObject), which is what keeps a write that this registry
 * cannot see — another node's, or one that starts just after the check — out of a
 * deleted or re-created bucket.
 */
export class BucketWrites {
  readonly #inFlight = new Map<string, number>();

  /** Counts a write into `bucketId` until the returned release is called (once is enough). */
  begin(bucketId: string): () => void {
    this.#inFlight.set(bucketId, (this.#inFlight.get(bucketId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#inFlight.get(bucketId) ?? 1) - 1;
      if (left <= 0) this.#inFlight.delete(bucketId);
      else this.#inFlight.set(bucketId, left);
    };
  }

  /** Runs `write` counted as a write into `bucketId`. */
  async during<T>(bucketId: string, write: () => Promise<T>): Promise<T> {
    const release = this.begin(bucketId);
    try {
      return await write();
    } finally {
      release();
    }
  }

  busy(bucketId: string): boolean {
    return this.#inFlight.has(bucketId);
  }
}
