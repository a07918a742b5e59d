import type { Logger } from 'pino';
import type { MetadataStore } from '../metadata/types.js';
import type { AuditLog } from '../obs/audit-log.js';
import type { Metrics } from '../obs/metrics.js';
import { runLifecycle, type LifecycleStats } from './lifecycle.js';
import type { ObjectService } from './object-service.js';

/** Applies bucket lifecycle rules every `interval_seconds`, one run at a time, audited. */
export class LifecycleScheduler {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<LifecycleStats> | null = null;
  readonly #abort = new AbortController();

  constructor(
    private readonly deps: {
      metadata: MetadataStore;
      objects: ObjectService;
      metrics: Metrics;
      audit: AuditLog;
      logger: Logger;
      intervalSeconds: number;
      /**
       * Added to the wall clock when rules are evaluated. Only for tests (the
       * ANODE_TEST_LIFECYCLE_CLOCK_OFFSET_SECONDS variable), so they need not wait days; it is
       * written into every lifecycle.start audit entry.
       */
      clockOffsetMs: number;
    },
  ) {}

  start(): void {
    const every = this.deps.intervalSeconds * 1000;
    if (every <= 0) return;
    const tick = () => {
      this.#timer = setTimeout(() => {
        void this.run()
          .catch(() => undefined)
          .finally(tick);
      }, every);
      this.#timer.unref();
    };
    tick();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#abort.abort();
  }

  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  run(): Promise<LifecycleStats> {
    if (this.#running) return this.#running;
    const { audit, metrics, clockOffsetMs } = this.deps;
    audit.write('system', 'lifecycle.start', clockOffsetMs === 0 ? {} : { clock_offset_seconds: clockOffsetMs / 1000 });
    this.#running = runLifecycle({
      metadata: this.deps.metadata,
      objects: this.deps.objects,
      now: () => new Date(Date.now() + clockOffsetMs),
      onAction: (action, details) => {
        metrics.lifecycleActions.inc({ action: action.replace(/^lifecycle\./, '') });
        audit.write('system', action, details);
      },
      signal: this.#abort.signal,
    })
      .then((stats) => {
        if (stats.lockedSkipped > 0) metrics.lifecycleActions.inc({ action: 'locked_skipped' }, stats.lockedSkipped);
        metrics.lifecycleLastRun.set(Date.now() / 1000);
        audit.write('system', 'lifecycle.finish', {
          buckets_scanned: stats.bucketsScanned,
          versions_scanned: stats.versionsScanned,
          current_expired: stats.currentExpired,
          noncurrent_removed: stats.noncurrentRemoved,
          markers_removed: stats.markersRemoved,
          uploads_aborted: stats.uploadsAborted,
          locked_skipped: stats.lockedSkipped,
          duration_ms: stats.durationMs,
        });
        return stats;
      })
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        this.deps.logger.error({ err }, 'lifecycle run failed');
        audit.write('system', 'lifecycle.error', { error: message });
        throw err;
      })
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }
}
