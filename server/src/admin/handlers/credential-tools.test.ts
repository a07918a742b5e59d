import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketRecord, credentialRecord } from '../../metadata/conformance-fixtures.js';
import { reportEntry } from './credential-tools.js';

const DAY = 86_400_000;
const now = new Date('2026-06-01T00:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);

test('age and use findings follow the 90-day rotation period', () => {
  const old = reportEntry(
    credentialRecord('AKIAOLD0000000000000', { user: 'u', permissions: [], createdAt: daysAgo(120), lastUsedAt: daysAgo(100) }),
    [],
    new Set(),
    now,
  );
  assert.deepEqual(old.findings, ['unused-90-days', 'older-than-90-days']);
  assert.equal(old.age_days, 120);
  const fresh = reportEntry(
    credentialRecord('AKIANEW0000000000000', { user: 'u', permissions: [], createdAt: daysAgo(10), lastUsedAt: daysAgo(1) }),
    [],
    new Set(),
    now,
  );
  assert.deepEqual(fresh.findings, []);
});

test('buckets: owned, granted or named by an Allow statement; admin role unused unless it made admin calls', () => {
  const owned = bucketRecord('owned', { owner: 'u' });
  const granted = bucketRecord('granted', { owner: 'x', permissions: { 'user:u': ['read'] } });
  const named = bucketRecord('named', {
    owner: 'x',
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:user/u' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::named/*',
        },
      ],
    }),
  });
  const other = bucketRecord('other', { owner: 'x' });
  const e = reportEntry(
    credentialRecord('AKIAUSER000000000000', { user: 'u', permissions: [], createdAt: daysAgo(1), lastUsedAt: daysAgo(0) }),
    [owned, granted, named, other],
    new Set(),
    now,
  );
  assert.deepEqual(e.buckets, ['owned', 'granted', 'named']);
  const adminKey = credentialRecord('AKIAADMIN00000000000', { user: 'a', role: 'admin', createdAt: daysAgo(1), lastUsedAt: daysAgo(0) });
  assert.deepEqual(reportEntry(adminKey, [], new Set(), now).findings, ['admin-role-unused']);
  assert.deepEqual(reportEntry(adminKey, [], new Set(['AKIAADMIN00000000000']), now).findings, []);
});
