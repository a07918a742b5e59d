/**
 * The lifecycle runner: applies each bucket's rules (PutBucketLifecycleConfiguration) to its
 * versions and uploads. Every removal goes through ObjectService — current versions expire
 * as a plain DeleteObject would (a delete marker in a versioned bucket), non-current ones
 * and lone delete markers through deleteVersion, which enforces object lock: a locked
 * version is skipped and counted, never removed. The clock is injected, so tests can run
 * "days later" without waiting.
 */
import type { BucketRecord, LifecycleRule, MetadataStore, ObjectRecord, Tag, VersionEntry } from '../metadata/types.js';
import { isModelError } from './errors.js';
import type { ObjectService } from './object-service.js';

const DAY_MS = 86_400_000;
const BATCH = 1000;

export interface LifecycleStats {
  bucketsScanned: number;
  versionsScanned: number;
  currentExpired: number;
  noncurrentRemoved: number;
  markersRemoved: number;
  uploadsAborted: number;
  /** Versions a rule selected that object lock kept. */
  lockedSkipped: number;
  durationMs: number;
}

export interface LifecycleDeps {
  metadata: MetadataStore;
  objects: ObjectService;
  now: () => Date;
  /** One audit entry per action taken. */
  onAction: (action: string, details: Record<string, unknown>) => void;
  signal?: AbortSignal;
}

/** `size` and `tags` are null for what has neither (delete markers, uploads): a tag filter never matches those. */
function matches(rule: LifecycleRule, key: string, size: number | null, tags: readonly Tag[] | null = null): boolean {
  const f = rule.filter;
  if (!key.startsWith(f.prefix)) return false;
  if (f.tags !== undefined && f.tags.length > 0) {
    if (tags === null) return false;
    if (!f.tags.every((want) => tags.some((t) => t.key === want.key && t.value === want.value))) return false;
  }
  if (size !== null && f.sizeGreaterThan !== null && !(size > f.sizeGreaterThan)) return false;
  if (size !== null && f.sizeLessThan !== null && !(size < f.sizeLessThan)) return false;
  return true;
}

/** AWS counts days from the object's creation, rounded up to the next midnight UTC. */
function daysAfter(from: Date, days: number): number {
  const midnight = Math.ceil(from.getTime() / DAY_MS) * DAY_MS;
  return midnight + days * DAY_MS;
}

export async function runLifecycle(deps: LifecycleDeps): Promise<LifecycleStats> {
  const started = Date.now();
  const stats: LifecycleStats = {
    bucketsScanned: 0,
    versionsScanned: 0,
    currentExpired: 0,
    noncurrentRemoved: 0,
    markersRemoved: 0,
    uploadsAborted: 0,
    lockedSkipped: 0,
    durationMs: 0,
  };
  for (const bucket of await deps.metadata.listBuckets()) {
    const rules = (bucket.lifecycle ?? []).filter((r) => r.enabled);
    if (rules.length === 0) continue;
    deps.signal?.throwIfAborted();
    stats.bucketsScanned++;
    await applyToVersions(deps, bucket, rules, stats);
    await abortUploads(deps, bucket, rules, stats);
  }
  stats.durationMs = Date.now() - started;
  return stats;
}

async function applyToVersions(deps: LifecycleDeps, bucket: BucketRecord, rules: LifecycleRule[], stats: LifecycleStats): Promise<void> {
  let keyMarker = '';
  let after: { versionSeq: number; versionId: string } | null = null;
  let group: VersionEntry[] = [];
  const flush = async () => {
    if (group.length > 0) await applyToKey(deps, bucket, rules, group, stats);
    group = [];
  };
  for (;;) {
    deps.signal?.throwIfAborted();
    const batch = await deps.metadata.listVersions(bucket.id, { prefix: '', keyMarker, after, limit: BATCH });
    for (const e of batch) {
      const key = e.type === 'object' ? e.object.key : e.marker.key;
      if (group.length > 0 && keyOf(group[0]!) !== key) await flush();
      group.push(e);
      stats.versionsScanned++;
      keyMarker = key;
      after = e.type === 'object' ? { versionSeq: e.object.versionSeq ?? 0, versionId: e.object.versionId ?? 'null' } : e.marker;
    }
    if (batch.length < BATCH) break;
  }
  await flush();
}

const keyOf = (e: VersionEntry) => (e.type === 'object' ? e.object.key : e.marker.key);

/** One key's versions, newest first (index 0 is the latest). */
async function applyToKey(
  deps: LifecycleDeps,
  bucket: BucketRecord,
  rules: LifecycleRule[],
  versions: VersionEntry[],
  stats: LifecycleStats,
) {
  const now = deps.now().getTime();
  const key = keyOf(versions[0]!);
  const latest = versions[0]!;
  // Sealed tags (encrypted objects) are opened only when a rule filters on tags.
  const byTags = rules.some((r) => (r.filter.tags?.length ?? 0) > 0);
  const tagsFor = (o: ObjectRecord): Promise<Tag[]> => (byTags ? deps.objects.tagsOf(o) : Promise.resolve(o.tags ?? []));
  // Current version expiry.
  if (latest.isLatest && latest.type === 'object') {
    const o = latest.object;
    const tags = await tagsFor(o);
    const rule = rules.find((r) => r.expiration && matches(r, key, o.size, tags) && expired(r, o, now));
    if (rule) {
      const result = await guarded(stats, () => deps.objects.deleteObject(bucket, key, { owner: bucket.owner }));
      if (result !== 'locked') {
        stats.currentExpired++;
        deps.onAction('lifecycle.expire', { bucket: bucket.name, key, version_id: o.versionId ?? 'null', rule: rule.id });
      }
    }
  }
  // Non-current versions: each became non-current when the next newer version was written.
  let noncurrentSeen = 0;
  let removedHere = 0;
  for (let i = 1; i < versions.length; i++) {
    const e = versions[i]!;
    if (e.type !== 'object') continue;
    const o = e.object;
    noncurrentSeen++;
    const successor = versions[i - 1]!;
    const since = successor.type === 'object' ? successor.object.lastModified : successor.marker.lastModified;
    const tags = await tagsFor(o);
    const rule = rules.find((r) => {
      const n = r.noncurrentExpiration;
      if (!n || !matches(r, key, o.size, tags)) return false;
      if (n.newerNoncurrentVersions !== undefined && noncurrentSeen <= n.newerNoncurrentVersions) return false;
      return now >= daysAfter(since, n.noncurrentDays);
    });
    if (!rule) continue;
    const result = await guarded(stats, () => deps.objects.deleteVersion(bucket, key, o.versionId ?? 'null', false));
    if (result === 'locked') continue;
    removedHere++;
    stats.noncurrentRemoved++;
    deps.onAction('lifecycle.noncurrent_expire', { bucket: bucket.name, key, version_id: o.versionId ?? 'null', rule: rule.id });
  }
  // A delete marker with no version left behind it (checked again in the store only when
  // this run could have made it so: no query per key otherwise).
  const markerRule = rules.some((r) => r.expiration?.expiredObjectDeleteMarker === true && matches(r, key, null));
  const loneNow = latest.type === 'marker' && latest.isLatest && versions.length - 1 === removedHere;
  if (!markerRule || !loneNow) return;
  const remaining = await deps.metadata.getObjectVersion(bucket.id, key, null);
  if (remaining?.type === 'marker' && remaining.isLatest) {
    const rest = await deps.metadata.listVersions(bucket.id, { prefix: key, keyMarker: '', after: null, limit: 2 });
    const lone = rest.filter((e) => keyOf(e) === key).length === 1;
    const rule = rules.find((r) => r.expiration?.expiredObjectDeleteMarker === true && matches(r, key, null));
    if (lone && rule) {
      await deps.objects.deleteVersion(bucket, key, remaining.marker.versionId, false);
      stats.markersRemoved++;
      deps.onAction('lifecycle.marker_expire', { bucket: bucket.name, key, version_id: remaining.marker.versionId, rule: rule.id });
    }
  }
}

function expired(rule: LifecycleRule, o: ObjectRecord, now: number): boolean {
  const x = rule.expiration!;
  if (x.days !== undefined) return now >= daysAfter(o.lastModified, x.days);
  if (x.date !== undefined) return now >= Date.parse(x.date);
  return false;
}

/** Runs a removal; a version object lock protects is counted and skipped. */
async function guarded<T>(stats: LifecycleStats, step: () => Promise<T>): Promise<T | 'locked'> {
  try {
    return await step();
  } catch (err) {
    if (isModelError(err) && err.code === 'ObjectLocked') {
      stats.lockedSkipped++;
      return 'locked';
    }
    throw err;
  }
}

async function abortUploads(deps: LifecycleDeps, bucket: BucketRecord, rules: LifecycleRule[], stats: LifecycleStats): Promise<void> {
  if (!rules.some((r) => r.abortIncompleteMultipartDays !== null)) return;
  const now = deps.now().getTime();
  let keyMarker = '';
  let uploadIdMarker = '';
  for (;;) {
    const batch = await deps.metadata.listUploads(bucket.id, { prefix: '', keyMarker, uploadIdMarker, limit: BATCH });
    for (const u of batch) {
      keyMarker = u.key;
      uploadIdMarker = u.uploadId;
      const rule = rules.find(
        (r) =>
          r.abortIncompleteMultipartDays !== null &&
          matches(r, u.key, null) &&
          now >= daysAfter(u.initiated, r.abortIncompleteMultipartDays),
      );
      if (!rule) continue;
      if ((await deps.metadata.abortUpload(u.uploadId)) === 'ok') {
        stats.uploadsAborted++;
        deps.onAction('lifecycle.abort_upload', { bucket: bucket.name, key: u.key, upload_id: u.uploadId, rule: rule.id });
      }
    }
    if (batch.length < BATCH) return;
  }
}
