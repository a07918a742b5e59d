/**
 * Object Lock (WORM): the one place that decides whether a version may be destroyed or its
 * retention changed. Every path that removes or replaces a version — S3 DeleteObject and
 * DeleteObjects by version id, a Suspended/unversioned overwrite, lifecycle, admin and
 * anodectl — goes through ObjectService, which calls assertDeletable with the lock state it
 * read and then asks the store to act only if that state is unchanged (compare-and-swap),
 * so a retention extended or a legal hold set meanwhile is never bypassed.
 */
import type { BucketRecord, DefaultRetention, LockState, ObjectRecord, Retention } from '../metadata/types.js';
import { ModelError } from './errors.js';

export function lockStateOf(object: ObjectRecord): LockState {
  return { retention: object.retention ?? null, legalHold: object.legalHold === true };
}

export interface LockCheck {
  /** x-amz-bypass-governance-retention: true, and the caller holds s3:BypassGovernanceRetention. */
  bypassGovernance: boolean;
  now: Date;
}

/** Throws ObjectLocked if the version is under legal hold or unexpired retention (GOVERNANCE without bypass). */
export function assertDeletable(object: ObjectRecord, check: LockCheck): void {
  const { retention, legalHold } = lockStateOf(object);
  const versionId = object.versionId ?? 'null';
  if (legalHold) throw new ModelError('ObjectLocked', { key: object.key, versionId, reason: 'legal-hold' });
  if (retention === null || retention.retainUntil.getTime() <= check.now.getTime()) return;
  if (retention.mode === 'GOVERNANCE' && check.bypassGovernance) return;
  throw new ModelError('ObjectLocked', { key: object.key, versionId, reason: retention.mode });
}

/**
 * The rules on changing retention: COMPLIANCE can only be extended (never shortened,
 * removed or turned into GOVERNANCE) until it expires; shortening or removing GOVERNANCE
 * needs the bypass. Extending, or setting it where there was none, is always allowed.
 */
export function assertRetentionChange(object: ObjectRecord, next: Retention | null, check: LockCheck): void {
  const current = object.retention ?? null;
  if (current === null || current.retainUntil.getTime() <= check.now.getTime()) return;
  const extends_ = next !== null && next.retainUntil.getTime() >= current.retainUntil.getTime();
  const versionId = object.versionId ?? 'null';
  if (current.mode === 'COMPLIANCE') {
    if (extends_ && next.mode === 'COMPLIANCE') return;
    throw new ModelError('ObjectLocked', { key: object.key, versionId, reason: 'COMPLIANCE' });
  }
  if (extends_) return;
  if (check.bypassGovernance) return;
  throw new ModelError('ObjectLocked', { key: object.key, versionId, reason: 'GOVERNANCE' });
}

/** The retention a new version gets from its bucket's default, when it asked for none. */
export function defaultRetentionFor(bucket: BucketRecord, now: Date): Retention | null {
  const d: DefaultRetention | null | undefined = bucket.objectLock?.defaultRetention;
  if (!d) return null;
  const until = new Date(now.getTime());
  if (d.days !== undefined) until.setUTCDate(until.getUTCDate() + d.days);
  if (d.years !== undefined) until.setUTCFullYear(until.getUTCFullYear() + d.years);
  return { mode: d.mode, retainUntil: until };
}
