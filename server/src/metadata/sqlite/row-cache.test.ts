import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bucketRecord, credentialRecord } from '../conformance-fixtures.js';
import { SqliteMetadataStore } from './sqlite-metadata-store.js';

// The decoded-row caches of the SQLite store (row-cache.ts): every write through the store
// is seen on the very next lookup, a commit by another process by every lookup starting
// 1 ms or more after it (data_version is probed at most once per millisecond).

/** Past the row cache's bound for another process's commits. */
const pastProbeBound = () => new Promise((r) => setTimeout(r, 2));
describe('sqlite row cache', () => {
  let dir: string;
  let store: SqliteMetadataStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anode-rowcache-'));
    store = await SqliteMetadataStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a revocation, an expiry and a revoke-all through the store show on the next lookup', async () => {
    await store.putCredential(credentialRecord('AKIAROWCACHE00000001'));
    await store.putCredential(credentialRecord('AKIAROWCACHE00000002'));
    assert.equal((await store.getCredential('AKIAROWCACHE00000001'))?.revokedAt, null); // cached now
    assert.equal(await store.revokeCredential('AKIAROWCACHE00000001', new Date(1_800_000_000_000)), true);
    assert.equal((await store.getCredential('AKIAROWCACHE00000001'))?.revokedAt?.getTime(), 1_800_000_000_000);
    assert.equal((await store.getCredential('AKIAROWCACHE00000002'))?.expiresAt, null);
    await store.expireCredential('AKIAROWCACHE00000002', new Date(1_800_000_000_001));
    assert.equal((await store.getCredential('AKIAROWCACHE00000002'))?.expiresAt?.getTime(), 1_800_000_000_001);
    await store.putCredential(credentialRecord('AKIAROWCACHE00000003'));
    assert.equal((await store.getCredential('AKIAROWCACHE00000003'))?.revokedAt, null);
    await store.revokeAllCredentials(new Date(1_800_000_000_002), []);
    assert.equal((await store.getCredential('AKIAROWCACHE00000003'))?.revokedAt?.getTime(), 1_800_000_000_002);
  });

  test('a credential revoked by another process (anode admin reset-root) shows on the lookups 1 ms after it', async () => {
    await store.putCredential(credentialRecord('AKIAROWCACHE00000004'));
    assert.equal((await store.getCredential('AKIAROWCACHE00000004'))?.revokedAt, null);
    const other = new Database(join(dir, 'metadata', 'credentials.db'));
    try {
      other.prepare('UPDATE credentials SET revoked_at = ? WHERE access_key = ?').run(1_800_000_000_003, 'AKIAROWCACHE00000004');
    } finally {
      other.close();
    }
    await pastProbeBound();
    assert.equal((await store.getCredential('AKIAROWCACHE00000004'))?.revokedAt?.getTime(), 1_800_000_000_003);
  });

  test('bucket policy, ACL and deletion through the store show on the next lookup, a change by another process 1 ms after it', async () => {
    await store.createBucket(bucketRecord('cache-bucket'));
    assert.equal((await store.getBucket('cache-bucket'))?.policy, null); // cached now
    await store.setBucketPolicy('cache-bucket', '{"Version":"2012-10-17","Statement":[]}');
    assert.equal((await store.getBucket('cache-bucket'))?.policy, '{"Version":"2012-10-17","Statement":[]}');
    const other = new Database(join(dir, 'metadata', 'anode.db'));
    try {
      other.prepare('UPDATE buckets SET policy = NULL WHERE name = ?').run('cache-bucket');
    } finally {
      other.close();
    }
    await pastProbeBound();
    assert.equal((await store.getBucket('cache-bucket'))?.policy, null);
    assert.equal(await store.deleteBucket('cache-bucket'), 'deleted');
    assert.equal(await store.getBucket('cache-bucket'), null);
  });
});
