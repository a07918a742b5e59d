import type { Logger } from 'pino';
import type { ManagedChunkStore } from '../chunks/chunk-store.js';
import { runGc, type GcStats, type StraySweeper } from './gc.js';
import type { MetadataStore } from '../metadata/types.js';
import type { Config } from '../config/schema.js';
import type { AuditLog, AuditActor } from '../obs/audit-log.js';
import type { Metrics } from '../obs/metrics.js';

export interface GcStatus {
  running: boolean;
  /** Progress of the run in flight. */
  current: GcStats | null;
  last: GcStats | null;
  lastError: string | null;
  nextScheduledAt: string | null;
}

/** Runs GC on a schedule and on demand, one run at a time. */
export class GcScheduler {
  private current: GcStats | null = null;
  private last: GcStats | null = null;
  private lastError: string | null = null;
  private running: Promise<GcStats> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextAt: Date | null = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly deps: {
      metadata: MetadataStore;
      chunks: ManagedChunkStore;
      /** Chunks being written and not yet committed: GC leaves them whatever their age. */
      inFlight?: { has(id: string): boolean };
      /** Cluster mode: unrecorded replicas on every node. */
      strays?: StraySweeper;
      metrics: Metrics;
      audit: AuditLog;
      logger: Logger;
      config: Config['gc'];
    },
  ) {}

  start(): void {
    const every = this.deps.config.interval_seconds * 1000;
    if (every <= 0) return;
    const tick = () => {
      this.nextAt = new Date(Date.now() + every);
      this.timer = setTimeout(() => {
        void this.run('system')
          .catch(() => undefined)
          .finally(tick);
      }, every);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = null;
    this.abort.abort();
  }

  /** Resolves when no run is in flight. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  status(): GcStatus {
    return {
      running: this.running !== null,
      current: this.current,
      last: this.last,
      lastError: this.lastError,
      nextScheduledAt: this.nextAt?.toISOString() ?? null,
    };
  }

  /**
   * Starts a run (or joins the one in flight). A scheduled run ('system') keeps deleted
   * data's chunks for gc.trash_delay_seconds; a run an operator asks for frees them at
   * once — except chunks a write, copy or read in flight on this node still holds
   * (model/chunks-in-flight.ts), which stay for a later run and are reported as pending.
   */
  run(actor: AuditActor | 'system'): Promise<GcStats> {
    if (this.running) return this.running;
    const c = this.deps.config;
    const onDemand = actor !== 'system';
    this.deps.audit.write(actor, 'gc.start', { free_trash_now: onDemand });
    this.running = runGc({
      metadata: this.deps.metadata,
      chunks: this.deps.chunks,
      ...(this.deps.inFlight ? { inFlight: this.deps.inFlight } : {}),
      // On demand (anodectl gc run) the whole cluster's disks; on schedule each node its own.
      ...(this.deps.strays ? { strays: this.deps.strays, straysEveryNode: onDemand } : {}),
      now: () => new Date(),
      orphanGraceMs: c.orphan_grace_seconds * 1000,
      trashDelayMs: onDemand ? 0 : c.trash_delay_seconds * 1000,
      uploadExpiryMs: c.upload_expiry_seconds * 1000,
      onProgress: (s) => {
        this.current = { ...s };
      },
      signal: this.abort.signal,
    })
      .then((stats) => {
        this.last = stats;
        this.lastError = null;
        const m = this.deps.metrics;
        m.gcRuns.inc();
        m.gcChunksRemoved.inc(stats.chunksRemoved);
        m.gcBytesFreed.inc(stats.bytesFreed);
        m.gcLastRun.set(Date.now() / 1000);
        this.deps.audit.write(actor, 'gc.finish', {
          chunks_scanned: stats.chunksScanned,
          chunks_removed: stats.chunksRemoved,
          bytes_freed: stats.bytesFreed,
          uploads_expired: stats.uploadsExpired,
          duration_ms: stats.durationMs,
          pending:
            stats.pending === null
              ? null
              : {
                  trash_in_use: stats.pending.trashInUse,
                  trash_delayed: stats.pending.trashDelayed,
                  trash_failed: stats.pending.trashFailed,
                  orphans_in_grace: stats.pending.orphansInGrace,
                  orphans_in_use: stats.pending.orphansInUse,
                },
        });
        return stats;
      })
      .catch((err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
        this.deps.logger.error({ err }, 'gc failed');
        this.deps.audit.write(actor, 'gc.error', { error: this.lastError });
        throw err;
      })
      .finally(() => {
        this.running = null;
        this.current = null;
      });
    return this.running;
  }
}
