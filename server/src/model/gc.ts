import type { MetadataStore } from '../metadata/types.js';
import type { ManagedChunkStore } from '../chunks/chunk-store.js';

export interface GcStats {
  /** Chunk files looked at by the orphan walk. */
  chunksScanned: number;
  /** Chunk files deleted (from the trash and orphans). */
  chunksRemoved: number;
  bytesFreed: number;
  /** Multipart uploads aborted because they were older than uploadExpiryMs. */
  uploadsExpired: number;
  /** Trash entries purged (file deleted, entry dropped). */
  trashed: number;
  /** Orphan chunk files (on disk, unknown to metadata) deleted; included in chunksRemoved. */
  orphansRemoved: number;
  /** Temporary files left by crashes that were removed. */
  temporaryRemoved: number;
  /** Chunk deletions that failed (left for the next run). */
  errors: number;
  /** What this run left for later, and why (null while the run is in progress). */
  pending: GcPending | null;
  startedAt: Date;
  /** null while the run is in progress (onProgress). */
  finishedAt: Date | null;
  durationMs: number;
}

/**
 * What a run did not free, and why. Trash entries are chunks of deleted, replaced or
 * aborted data; orphan candidates are chunk files no metadata knows.
 */
export interface GcPending {
  /** Trash entries still held by a write, copy or read in flight on this node. */
  trashInUse: number;
  /** Trash entries younger than trashDelayMs (a scheduled run leaves them for readers in flight). */
  trashDelayed: number;
  /** Trash entries whose file could not be deleted (see errors); retried next run. */
  trashFailed: number;
  /** Unknown chunk files younger than orphanGraceMs: an upload in flight may still commit them. */
  orphansInGrace: number;
  /** Unknown chunk files held by a write in flight on this node. */
  orphansInUse: number;
  /** True when the counts are lower bounds (more trash entries than one look-up lists). */
  truncated: boolean;
}

/** What a stray-replica sweep did (cluster mode: replicas no record names, on every node). */
export interface StraySweep {
  scanned: number;
  removed: number;
  bytesFreed: number;
  /** Unrecorded replicas too young to judge: a write may still record them. */
  inGrace: number;
  /** Unrecorded replicas a write in flight on this node holds. */
  inUse: number;
  errors: number;
}

/**
 * Cluster mode: finds and removes replicas that no chunk record names on any member
 * (cluster/replicated-chunk-store.ts). The orphan walk above sees only recorded chunks.
 */
export interface StraySweeper {
  sweepStrays(opts: {
    olderThanMs: number;
    /** Every reachable node's disk (an on-demand run), or this node's own only (a scheduled one). */
    everyNode: boolean;
    isKnown: (id: string) => Promise<boolean>;
    inFlight?: { has(id: string): boolean };
    signal?: AbortSignal;
  }): Promise<StraySweep>;
}

export interface GcDeps {
  metadata: MetadataStore;
  /** GC deletes through the data path and walks through the maintenance side. */
  chunks: ManagedChunkStore;
  now: () => Date;
  /** A chunk file younger than this is never collected as an orphan: its upload may still be committing. */
  orphanGraceMs: number;
  /** A trashed chunk's file is kept this long so GETs already streaming the old object finish. */
  trashDelayMs: number;
  /** Multipart uploads initiated longer ago than this are aborted. */
  uploadExpiryMs: number;
  /**
   * Chunks this node is writing whose metadata has not committed (model/chunks-in-flight.ts):
   * never orphans, whatever their age. Checked before the metadata, so a write that
   * commits and releases in between is seen as known.
   */
  inFlight?: { has(id: string): boolean };
  /** Cluster mode: the sweep of unrecorded replicas (counted as orphans). */
  strays?: StraySweeper;
  /** The stray sweep lists every node (true) or this node's own disk (false, the default). */
  straysEveryNode?: boolean;
  onProgress?: (stats: GcStats) => void;
  /** Set to stop early (between steps and batches); the stats so far are returned. */
  signal?: AbortSignal;
}

const BATCH = 500;
/** How often the orphan walk reports progress, in chunks scanned. */
const PROGRESS_EVERY = 1000;

/**
 * One garbage-collection pass: (a) expire stale multipart uploads (their parts go to the
 * trash), (b) delete files of trash entries older than trashDelayMs, (c) delete chunk files
 * that no metadata knows and that are older than orphanGraceMs (crash leftovers), (c') in a
 * cluster, replicas on any node that no chunk record names (a coordinator's crash
 * leftovers), (d) sweep stale temporary files. Safe to run while the node serves traffic.
 */
export async function runGc(deps: GcDeps): Promise<GcStats> {
  const startedAt = deps.now();
  const stats: GcStats = {
    chunksScanned: 0,
    chunksRemoved: 0,
    bytesFreed: 0,
    uploadsExpired: 0,
    trashed: 0,
    orphansRemoved: 0,
    temporaryRemoved: 0,
    errors: 0,
    pending: null,
    startedAt,
    finishedAt: null,
    durationMs: 0,
  };
  const report = (): void => {
    stats.durationMs = deps.now().getTime() - startedAt.getTime();
    deps.onProgress?.({ ...stats });
  };
  const stopped = (): boolean => deps.signal?.aborted === true;

  const pending: GcPending = { trashInUse: 0, trashDelayed: 0, trashFailed: 0, orphansInGrace: 0, orphansInUse: 0, truncated: false };
  const failed = new Set<string>();
  if (!stopped()) await expireUploads(deps, stats, report, stopped);
  if (!stopped()) await purgeTrash(deps, stats, report, stopped, failed);
  if (!stopped()) await removeOrphans(deps, stats, report, stopped, pending);
  if (!stopped() && deps.strays !== undefined) await sweepStrays(deps, deps.strays, stats, pending);
  if (!stopped()) stats.temporaryRemoved = await deps.chunks.sweepTemporary(deps.orphanGraceMs);
  await countPendingTrash(deps, failed, pending);
  stats.pending = pending;

  stats.finishedAt = deps.now();
  stats.durationMs = stats.finishedAt.getTime() - startedAt.getTime();
  deps.onProgress?.({ ...stats });
  return stats;
}

type Step = (deps: GcDeps, stats: GcStats, report: () => void, stopped: () => boolean) => Promise<void>;

/** Trash entries listed at most when counting what is left (the counts are then lower bounds). */
const PENDING_LOOK = 10_000;

async function countPendingTrash(deps: GcDeps, failed: Set<string>, pending: GcPending): Promise<void> {
  const left = await deps.metadata.listTrash(new Date(8.64e15), PENDING_LOOK);
  pending.truncated = left.length >= PENDING_LOOK;
  for (const e of left) {
    if (failed.has(e.id)) pending.trashFailed++;
    else if (deps.inFlight?.has(e.id) === true) pending.trashInUse++;
    // Younger than the delay, or trashed after the purge looked (a delete just now): next run.
    else pending.trashDelayed++;
  }
}

const expireUploads: Step = async (deps, stats, report, stopped) => {
  const before = new Date(deps.now().getTime() - deps.uploadExpiryMs);
  for (;;) {
    const stale = await deps.metadata.listStaleUploads(before, BATCH);
    if (stale.length === 0) return;
    for (const upload of stale) {
      // 'no-upload' means a client completed or aborted it meanwhile: fine either way.
      if ((await deps.metadata.abortUpload(upload.uploadId)) === 'ok') stats.uploadsExpired++;
    }
    report();
    if (stopped()) return;
  }
};

const purgeTrash = async (deps: GcDeps, stats: GcStats, report: () => void, stopped: () => boolean, failed: Set<string>): Promise<void> => {
  // With trashDelayMs 0 (an on-demand run) "before" is now: everything trashed so far.
  const before = new Date(deps.now().getTime() - deps.trashDelayMs + (deps.trashDelayMs === 0 ? 1 : 0));
  const inUse = new Set<string>();
  for (;;) {
    const entries = await deps.metadata.listTrash(before, BATCH + failed.size + inUse.size);
    const todo = entries.filter((e) => !failed.has(e.id) && !inUse.has(e.id));
    if (todo.length === 0) return;
    const purged: string[] = [];
    for (const entry of todo) {
      // A write, copy or read in flight still uses it (it may even be referenced again by
      // a copy about to commit): left in the trash for a later run.
      if (deps.inFlight?.has(entry.id) === true) {
        inUse.add(entry.id);
        continue;
      }
      try {
        stats.bytesFreed += await deps.chunks.delete(entry.id);
        stats.chunksRemoved++;
        purged.push(entry.id);
      } catch {
        // Kept in the trash (still "known", so the orphan walk leaves it too); retried next run.
        stats.errors++;
        failed.add(entry.id);
      }
    }
    // Dropped only after the file is gone: a crash in between leaves an entry whose file is
    // missing, which the next run deletes harmlessly.
    await deps.metadata.removeFromTrash(purged);
    stats.trashed += purged.length;
    report();
    if (stopped()) return;
  }
};

const removeOrphans = async (
  deps: GcDeps,
  stats: GcStats,
  report: () => void,
  stopped: () => boolean,
  pending: GcPending,
): Promise<void> => {
  for await (const chunk of deps.chunks.list()) {
    stats.chunksScanned++;
    if (stats.chunksScanned % PROGRESS_EVERY === 0) {
      report();
      if (stopped()) return;
    }
    // Young files first (cheap): a chunk written for an upload whose metadata commit has
    // not happened yet looks exactly like an orphan, except for its age.
    const young = deps.now().getTime() - chunk.mtimeMs < deps.orphanGraceMs;
    const held = !young && deps.inFlight?.has(chunk.id) === true;
    if (young || held) {
      // Counted only when unknown to metadata (a real orphan candidate); one probe each.
      if (!(await deps.metadata.isChunkKnown(chunk.id))) {
        if (young) pending.orphansInGrace++;
        else pending.orphansInUse++;
      }
      continue;
    }
    if (await deps.metadata.isChunkKnown(chunk.id)) continue;
    try {
      stats.bytesFreed += await deps.chunks.delete(chunk.id);
      stats.chunksRemoved++;
      stats.orphansRemoved++;
    } catch {
      stats.errors++;
    }
  }
};

async function sweepStrays(deps: GcDeps, strays: StraySweeper, stats: GcStats, pending: GcPending): Promise<void> {
  const s = await strays.sweepStrays({
    olderThanMs: deps.orphanGraceMs,
    everyNode: deps.straysEveryNode === true,
    isKnown: (id) => deps.metadata.isChunkKnown(id),
    ...(deps.inFlight ? { inFlight: deps.inFlight } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  stats.chunksScanned += s.scanned;
  stats.chunksRemoved += s.removed;
  stats.orphansRemoved += s.removed;
  stats.bytesFreed += s.bytesFreed;
  stats.errors += s.errors;
  pending.orphansInGrace += s.inGrace;
  pending.orphansInUse += s.inUse;
}
