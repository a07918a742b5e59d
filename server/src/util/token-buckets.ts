/**
 * Token buckets per key (a client address): `rate` tokens a second up to `burst`. Memory is
 * bounded: past `maxKeys` the least recently used key is forgotten (a forgotten key starts
 * full again, which errs towards letting a client in, never towards locking one out).
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly rate: number,
    readonly burst: number,
    readonly maxKeys = 50_000,
  ) {}

  /** A rate of 0 turns the limit off. */
  get enabled(): boolean {
    return this.rate > 0;
  }

  #refill(key: string, now: number): { tokens: number; at: number } {
    const b = this.#buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    // Re-inserted so the Map's order is least recently used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, b);
    if (this.#buckets.size > this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
    return b;
  }

  /** True if a token was there to take (and takes it). */
  take(key: string, now = Date.now()): boolean {
    if (!this.enabled) return true;
    const b = this.#refill(key, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /**
   * True if the key has no whole token left (without taking one). Asked on every request,
   * so a key never seen is answered without creating (and later evicting) a bucket for it.
   */
  exhausted(key: string, now = Date.now()): boolean {
    if (!this.enabled || !this.#buckets.has(key)) return false;
    return this.#refill(key, now).tokens < 1;
  }

  /** Whole seconds until the key has a token again (for Retry-After). */
  retryAfterSeconds(key: string, now = Date.now()): number {
    if (!this.enabled) return 0;
    const b = this.#refill(key, now);
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.rate);
  }
}
