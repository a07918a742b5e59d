import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectRecord, Retention } from '../metadata/types.js';
import { isModelError } from './errors.js';
import { assertDeletable, assertRetentionChange, defaultRetentionFor } from './object-lock.js';

const now = new Date('2030-01-01T00:00:00Z');
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);

function version(retention: Retention | null, legalHold = false): ObjectRecord {
  return {
    bucketId: 'b',
    key: 'k',
    size: 0,
    etag: '""',
    lastModified: now,
    owner: 'o',
    headers: {},
    userMetadata: {},
    checksum: null,
    acl: { owner: 'o', grants: [] },
    storageClass: 'STANDARD',
    chunks: [],
    parts: null,
    versionId: 'v',
    retention,
    legalHold,
  };
}

const locked = (fn: () => void) => assert.throws(fn, (e: unknown) => isModelError(e) && e.code === 'ObjectLocked');

test('assertDeletable: legal hold always blocks; COMPLIANCE blocks until expiry; GOVERNANCE yields only to the bypass', () => {
  const check = { bypassGovernance: false, now };
  const bypass = { bypassGovernance: true, now };
  assertDeletable(version(null), check);
  locked(() => assertDeletable(version(null, true), bypass));
  locked(() => assertDeletable(version({ mode: 'COMPLIANCE', retainUntil: later(1) }), bypass));
  assertDeletable(version({ mode: 'COMPLIANCE', retainUntil: later(-1) }), check);
  locked(() => assertDeletable(version({ mode: 'GOVERNANCE', retainUntil: later(1) }), check));
  assertDeletable(version({ mode: 'GOVERNANCE', retainUntil: later(1) }), bypass);
  // The retain-until instant itself is the end of the lock.
  assertDeletable(version({ mode: 'COMPLIANCE', retainUntil: now }), check);
});

test('assertRetentionChange: COMPLIANCE only extends; GOVERNANCE shortening or removal needs the bypass', () => {
  const check = { bypassGovernance: false, now };
  const bypass = { bypassGovernance: true, now };
  const c = version({ mode: 'COMPLIANCE', retainUntil: later(10) });
  assertRetentionChange(c, { mode: 'COMPLIANCE', retainUntil: later(20) }, check);
  assertRetentionChange(c, { mode: 'COMPLIANCE', retainUntil: later(10) }, check);
  locked(() => assertRetentionChange(c, { mode: 'COMPLIANCE', retainUntil: later(5) }, bypass));
  locked(() => assertRetentionChange(c, { mode: 'GOVERNANCE', retainUntil: later(30) }, bypass));
  locked(() => assertRetentionChange(c, null, bypass));
  const g = version({ mode: 'GOVERNANCE', retainUntil: later(10) });
  assertRetentionChange(g, { mode: 'GOVERNANCE', retainUntil: later(11) }, check);
  assertRetentionChange(g, { mode: 'COMPLIANCE', retainUntil: later(11) }, check);
  locked(() => assertRetentionChange(g, { mode: 'GOVERNANCE', retainUntil: later(1) }, check));
  locked(() => assertRetentionChange(g, null, check));
  assertRetentionChange(g, null, bypass);
  // Nothing (or an expired lock) to protect: any change is allowed.
  assertRetentionChange(version(null), { mode: 'GOVERNANCE', retainUntil: later(1) }, check);
  assertRetentionChange(version({ mode: 'COMPLIANCE', retainUntil: later(-1) }), null, check);
});

test('defaultRetentionFor: days or years from now, in the bucket default mode', () => {
  const bucket = { objectLock: { defaultRetention: { mode: 'GOVERNANCE' as const, days: 2 } } };
  assert.deepEqual(defaultRetentionFor(bucket as never, now), { mode: 'GOVERNANCE', retainUntil: later(2) });
  const years = { objectLock: { defaultRetention: { mode: 'COMPLIANCE' as const, years: 1 } } };
  assert.deepEqual(defaultRetentionFor(years as never, now)?.retainUntil, new Date('2031-01-01T00:00:00Z'));
  assert.equal(defaultRetentionFor({ objectLock: null } as never, now), null);
});
