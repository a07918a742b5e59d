/**
 * The rewrap job: re-wraps every stored data key of a named key under its newest version,
 * in the background, without rewriting the data the keys encrypt. One job at a time per
 * node; a second start for the same key joins the job in flight. Each key is replaced with
 * a compare-and-swap on its version, so a write racing the job is never overwritten.
 */
import { currentVersion, type KeyRegistry } from './key-registry.js';
import { KeyError } from './errors.js';

const PAGE = 200;

export interface RewrapStatus {
  keyId: string;
  toVersion: number;
  running: boolean;
  startedAt: Date;
  finishedAt: Date | null;
  /** Wrapped keys under older versions when the job started. */
  total: number;
  rewrapped: number;
  skipped: number;
  failed: number;
  lastError: string | null;
}

export class KeyRewrapper {
  readonly #registry: KeyRegistry;
  #current: { status: RewrapStatus; done: Promise<RewrapStatus> } | null = null;
  readonly #last = new Map<string, RewrapStatus>();
  /** Called after each run with its final status (the audit line and metrics). */
  onFinish: (status: RewrapStatus) => void = () => undefined;

  constructor(registry: KeyRegistry) {
    this.#registry = registry;
  }

  /** The job in flight for keyId, else its last run, else null. */
  status(keyId: string): RewrapStatus | null {
    if (this.#current !== null && this.#current.status.keyId === keyId) return { ...this.#current.status };
    const last = this.#last.get(keyId);
    return last === undefined ? null : { ...last };
  }

  get running(): RewrapStatus | null {
    return this.#current === null ? null : { ...this.#current.status };
  }

  /** Starts (or joins) a rewrap of keyId; `done` settles when it finishes. */
  async start(keyId: string): Promise<{ joined: boolean; status: RewrapStatus; done: Promise<RewrapStatus> }> {
    if (this.#current !== null) {
      if (this.#current.status.keyId === keyId) return { joined: true, status: { ...this.#current.status }, done: this.#current.done };
      throw new KeyError('KeyProviderUnavailable', {
        message: `a rewrap of key ${this.#current.status.keyId} is running; start this one when it finishes`,
      });
    }
    const key = await this.#registry.get(keyId, true);
    const toVersion = key === null ? null : currentVersion(key);
    if (key === null || toVersion === null) throw new KeyError('KeyNotFound', { message: `no usable key named ${keyId}` });
    const counts = await this.#registry.metadata.countWrappedKeys();
    const total = counts.filter((c) => c.keyId === keyId && c.version < toVersion).reduce((n, c) => n + c.count, 0);
    const status: RewrapStatus = {
      keyId,
      toVersion,
      running: true,
      startedAt: new Date(),
      finishedAt: null,
      total,
      rewrapped: 0,
      skipped: 0,
      failed: 0,
      lastError: null,
    };
    const done = this.#run(status).finally(() => {
      status.running = false;
      status.finishedAt = new Date();
      this.#last.set(keyId, { ...status });
      this.#current = null;
      this.#registry.onChange();
      this.onFinish({ ...status });
    });
    const job = { status, done: done.then(() => ({ ...status })) };
    this.#current = job;
    return { joined: false, status: { ...status }, done: job.done };
  }

  async #run(status: RewrapStatus): Promise<void> {
    let after = '';
    for (;;) {
      const page = await this.#registry.metadata.listWrappedKeys(status.keyId, status.toVersion, after, PAGE);
      if (page.length === 0) return;
      for (const stored of page) {
        after = stored.ref;
        try {
          const result = await this.#registry.rewrapOne(stored, status.toVersion);
          if (result === 'rewrapped') status.rewrapped++;
          else status.skipped++;
        } catch (err) {
          status.failed++;
          status.lastError = err instanceof Error ? err.message : String(err);
          // The provider went away: stop rather than fail every remaining key.
          if (err instanceof KeyError && err.code === 'KeyProviderUnavailable') return;
        }
      }
    }
  }
}
