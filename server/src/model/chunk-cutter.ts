/**
 * Cuts a byte stream into consecutive pieces of exactly `size` bytes (the last one may be
 * shorter) without copying: a boundary inside an incoming buffer splits it with subarray.
 * Holds at most one incoming buffer of its own (the remainder after a boundary).
 */
export class ChunkCutter {
  readonly #it: AsyncIterator<Uint8Array>;
  readonly #size: number;
  #carry: Uint8Array | null = null;
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>, size: number) {
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`invalid chunk size ${size}`);
    this.#it = source[Symbol.asyncIterator]();
    this.#size = size;
  }

  /** Whether another non-empty piece follows; pulls at most one buffer to find out. */
  async hasMore(): Promise<boolean> {
    while (this.#carry === null || this.#carry.byteLength === 0) {
      if (this.#ended) return false;
      const next = await this.#it.next();
      if (next.done === true) {
        this.#ended = true;
        return false;
      }
      this.#carry = next.value;
    }
    return true;
  }

  /**
   * The next piece's bytes. `drained` resolves once the consumer has taken all of them
   * (so the next piece may start while this one is still being made durable); it stays
   * pending if the consumer stops early.
   */
  next(): { bytes: AsyncGenerator<Uint8Array>; drained: Promise<void>; isDrained: () => boolean } {
    let done = false;
    let resolve = (): void => {};
    const drained = new Promise<void>((r) => (resolve = r));
    const bytes = this.#piece(() => {
      done = true;
      resolve();
    });
    return { bytes, drained, isDrained: () => done };
  }

  async *#piece(onDrained: () => void): AsyncGenerator<Uint8Array> {
    let left = this.#size;
    while (left > 0 && (await this.hasMore())) {
      let buf = this.#carry!;
      this.#carry = null;
      if (buf.byteLength > left) {
        this.#carry = buf.subarray(left);
        buf = buf.subarray(0, left);
      }
      left -= buf.byteLength;
      yield buf;
    }
    onDrained();
  }

  /** Releases the source early (a failed write): a request stream is destroyed, as a for-await break would. */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#carry = null;
    this.#it.return?.()?.catch(() => {});
  }
}
