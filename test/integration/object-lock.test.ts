/**
 * Object Lock (WORM), adversarially: every path that could destroy a locked version is
 * tried — DeleteObject and DeleteObjects by version id (with and without the governance
 * bypass, with and without the permission for it), overwrites, DeleteBucket, a GC run —
 * and concurrent retention changes race to show that COMPLIANCE can never be shortened.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';

let node: AnodeNode;
let s3: S3Client;
let admin: AdminClient;
/** A plain user with read+write on the test buckets, but no s3:BypassGovernanceRetention. */
let writer: S3Client;

const DAY = 86_400_000;

before(async () => {
  node = await startNode({ env: { ANODE_GC_TRASH_DELAY_SECONDS: '0', ANODE_GC_ORPHAN_GRACE_SECONDS: '0' } });
  s3 = sdkClient(node);
  admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  const user = await admin.createCredential({ user: 'writer' });
  writer = sdkClient(node, { credentials: { accessKeyId: user.access_key, secretAccessKey: user.secret_key } });
});
after(async () => node?.cleanup());

async function lockedBucket(): Promise<string> {
  const b = uniqueBucket('worm');
  await s3.send(new CreateBucketCommand({ Bucket: b, ObjectLockEnabledForBucket: true }));
  await admin.putBucketPermissions(b, { 'user:writer': ['read', 'write'] });
  return b;
}

async function putLocked(
  b: string,
  key: string,
  mode: 'GOVERNANCE' | 'COMPLIANCE',
  until: Date,
  body: string | Buffer = 'data',
): Promise<string> {
  const r = await s3.send(
    new PutObjectCommand({ Bucket: b, Key: key, Body: body, ObjectLockMode: mode, ObjectLockRetainUntilDate: until }),
  );
  return r.VersionId!;
}

async function stillThere(b: string, key: string, versionId: string): Promise<void> {
  const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: key, VersionId: versionId }));
  assert.ok((await got.Body!.transformToByteArray()).length >= 0);
}

describe('object lock', () => {
  test('a bucket created with object lock is versioned for good; others have no lock configuration', async () => {
    const b = await lockedBucket();
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, 'Enabled');
    const conf = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: b }));
    assert.equal(conf.ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled');
    await expectS3Error(
      s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Suspended' } })),
      'InvalidBucketState',
      409,
    );
    const plain = uniqueBucket('plain');
    await s3.send(new CreateBucketCommand({ Bucket: plain }));
    await expectS3Error(s3.send(new GetObjectLockConfigurationCommand({ Bucket: plain })), 'ObjectLockConfigurationNotFoundError', 404);
    await expectS3Error(
      s3.send(
        new PutObjectCommand({
          Bucket: plain,
          Key: 'k',
          Body: 'x',
          ObjectLockMode: 'GOVERNANCE',
          ObjectLockRetainUntilDate: new Date(Date.now() + DAY),
        }),
      ),
      'InvalidRequest',
      400,
    );
    // Object lock cannot be configured on a bucket without versioning.
    await expectS3Error(
      s3.send(new PutObjectLockConfigurationCommand({ Bucket: plain, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })),
      'InvalidBucketState',
      409,
    );
  });

  test('COMPLIANCE: no delete path removes the version, not even the admin with the bypass', async () => {
    const b = await lockedBucket();
    const body = randomBytes(100_000);
    const until = new Date(Date.now() + DAY);
    const v = await putLocked(b, 'k', 'COMPLIANCE', until, body);
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k', VersionId: v }));
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');
    assert.ok(Math.abs((head.ObjectLockRetainUntilDate?.getTime() ?? 0) - until.getTime()) < 1000);

    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v })), 'AccessDenied', 403);
    await expectS3Error(
      s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v, BypassGovernanceRetention: true })),
      'AccessDenied',
      403,
    );
    await expectS3Error(writer.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v })), 'AccessDenied', 403);
    const multi = await s3.send(
      new DeleteObjectsCommand({ Bucket: b, BypassGovernanceRetention: true, Delete: { Objects: [{ Key: 'k', VersionId: v }] } }),
    );
    assert.equal(multi.Deleted?.length ?? 0, 0);
    assert.equal(multi.Errors?.[0]?.Code, 'AccessDenied');
    // A plain delete only adds a marker; overwrites add versions; the locked one stays.
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    assert.equal(marker.DeleteMarker, true);
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'overwrite' }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: b })), 'BucketNotEmpty', 409);
    await admin.runGc(true);
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: v }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body), 'the locked version survives GC whole');

    // Retention: COMPLIANCE can be extended, never shortened, removed or weakened.
    const later = new Date(until.getTime() + DAY);
    await s3.send(
      new PutObjectRetentionCommand({ Bucket: b, Key: 'k', VersionId: v, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: later } }),
    );
    const r = await s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: 'k', VersionId: v }));
    assert.equal(r.Retention?.Mode, 'COMPLIANCE');
    assert.equal(r.Retention?.RetainUntilDate?.getTime(), later.getTime());
    for (const Retention of [
      { Mode: 'COMPLIANCE' as const, RetainUntilDate: until },
      { Mode: 'GOVERNANCE' as const, RetainUntilDate: new Date(later.getTime() + DAY) },
    ]) {
      await expectS3Error(
        s3.send(new PutObjectRetentionCommand({ Bucket: b, Key: 'k', VersionId: v, BypassGovernanceRetention: true, Retention })),
        'AccessDenied',
        403,
      );
    }
    await expectS3Error(
      s3.send(new PutObjectRetentionCommand({ Bucket: b, Key: 'k', VersionId: v, BypassGovernanceRetention: true, Retention: {} })),
      'AccessDenied',
      403,
    );
  });

  test('GOVERNANCE: deletion and shortening need the bypass header AND s3:BypassGovernanceRetention', async () => {
    const b = await lockedBucket();
    const until = new Date(Date.now() + DAY);
    const v = await putLocked(b, 'g', 'GOVERNANCE', until);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'g', VersionId: v })), 'AccessDenied', 403);
    // The writer may delete objects but holds no bypass permission: the header does nothing.
    await expectS3Error(
      writer.send(new DeleteObjectCommand({ Bucket: b, Key: 'g', VersionId: v, BypassGovernanceRetention: true })),
      'AccessDenied',
      403,
    );
    const multi = await writer.send(
      new DeleteObjectsCommand({ Bucket: b, BypassGovernanceRetention: true, Delete: { Objects: [{ Key: 'g', VersionId: v }] } }),
    );
    assert.equal(multi.Errors?.[0]?.Code, 'AccessDenied');
    await expectS3Error(
      writer.send(
        new PutObjectRetentionCommand({
          Bucket: b,
          Key: 'g',
          VersionId: v,
          BypassGovernanceRetention: true,
          Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 3_600_000) },
        }),
      ),
      'AccessDenied',
      403,
    );
    // Extending needs no bypass.
    await writer.send(
      new PutObjectRetentionCommand({
        Bucket: b,
        Key: 'g',
        VersionId: v,
        Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(until.getTime() + DAY) },
      }),
    );
    await stillThere(b, 'g', v);

    // A bucket policy granting the writer s3:BypassGovernanceRetention makes the header count.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: b,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: ['user:writer'] },
              Action: ['s3:BypassGovernanceRetention'],
              Resource: [`arn:aws:s3:::${b}/*`],
            },
          ],
        }),
      }),
    );
    const v2 = await putLocked(b, 'g2', 'GOVERNANCE', until);
    await expectS3Error(writer.send(new DeleteObjectCommand({ Bucket: b, Key: 'g2', VersionId: v2 })), 'AccessDenied', 403);
    await writer.send(new DeleteObjectCommand({ Bucket: b, Key: 'g2', VersionId: v2, BypassGovernanceRetention: true }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'g2', VersionId: v2 })), 'NoSuchVersion', 404);
    // The admin (owner) with the header may remove a governance version.
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'g', VersionId: v, BypassGovernanceRetention: true }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'g', VersionId: v })), 'NoSuchVersion', 404);
  });

  test('legal hold blocks deletion whatever the retention and bypass, until it is lifted', async () => {
    const b = await lockedBucket();
    const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'h', Body: 'held', ObjectLockLegalHoldStatus: 'ON' }));
    const v = put.VersionId!;
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: 'h', VersionId: v }))).LegalHold?.Status, 'ON');
    await expectS3Error(
      s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'h', VersionId: v, BypassGovernanceRetention: true })),
      'AccessDenied',
      403,
    );
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: 'h', VersionId: v, LegalHold: { Status: 'OFF' } }));
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: 'h', VersionId: v }))).LegalHold?.Status, 'OFF');
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'h', VersionId: v }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'h', VersionId: v })), 'NoSuchVersion', 404);
  });

  test('default retention applies to new versions; GetObjectRetention of an unlocked version is an error', async () => {
    const b = await lockedBucket();
    const plain = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'before', Body: 'x' }));
    await expectS3Error(
      s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: 'before', VersionId: plain.VersionId })),
      'NoSuchObjectLockConfiguration',
      404,
    );
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: b,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2 } } },
      }),
    );
    const conf = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: b }));
    assert.deepEqual(conf.ObjectLockConfiguration?.Rule?.DefaultRetention, { Mode: 'GOVERNANCE', Days: 2 });
    const t0 = Date.now();
    const v = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'after', Body: 'y' }))).VersionId!;
    const r = await s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: 'after', VersionId: v }));
    assert.equal(r.Retention?.Mode, 'GOVERNANCE');
    const until = r.Retention!.RetainUntilDate!.getTime();
    assert.ok(until >= t0 + 2 * DAY - 5000 && until <= Date.now() + 2 * DAY + 5000, `retain until ${new Date(until).toISOString()}`);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'after', VersionId: v })), 'AccessDenied', 403);
  });

  test('concurrent PutObjectRetention: a shorter "extension" racing a longer one never wins (COMPLIANCE is never shortened)', async () => {
    const b = await lockedBucket();
    const base = Date.now() + DAY;
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      const v = await putLocked(b, key, 'COMPLIANCE', new Date(base));
      const near = new Date(base + 3_600_000);
      const far = new Date(base + 10 * DAY);
      const attempts = [near, far, near, far, near, near].map((RetainUntilDate) =>
        s3
          .send(new PutObjectRetentionCommand({ Bucket: b, Key: key, VersionId: v, Retention: { Mode: 'COMPLIANCE', RetainUntilDate } }))
          .then(
            () => 'ok',
            (e: unknown) => (e instanceof S3ServiceException ? e.name : String(e)),
          ),
      );
      const results = await Promise.all(attempts);
      for (const r of results) assert.ok(r === 'ok' || r === 'AccessDenied', r);
      const final = await s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: key, VersionId: v }));
      assert.equal(final.Retention?.RetainUntilDate?.getTime(), far.getTime(), `round ${round}: ${results.join(',')}`);
    }
  });

  test('a governance-bypass delete racing a legal hold: never both succeed', async () => {
    const b = await lockedBucket();
    const outcomes = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const key = `hold-race-${round}`;
      const v = await putLocked(b, key, 'GOVERNANCE', new Date(Date.now() + DAY));
      const settle = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: unknown) => (e instanceof S3ServiceException ? e.name : String(e)),
        );
      const [del, hold] = await Promise.all([
        settle(s3.send(new DeleteObjectCommand({ Bucket: b, Key: key, VersionId: v, BypassGovernanceRetention: true }))),
        settle(s3.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: key, VersionId: v, LegalHold: { Status: 'ON' } }))),
      ]);
      outcomes.add(`${del}/${hold}`);
      if (del === 'ok') assert.equal(hold, 'NoSuchVersion', 'the hold cannot succeed on a deleted version');
      else {
        assert.equal(del, 'AccessDenied');
        assert.equal(hold, 'ok');
        await stillThere(b, key, v);
      }
    }
    assert.ok(outcomes.size >= 1);
  });

  test('lock headers on CreateMultipartUpload apply to the completed object', async () => {
    const b = await lockedBucket();
    const until = new Date(Date.now() + DAY);
    const up = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: b,
        Key: 'mp',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: until,
        ObjectLockLegalHoldStatus: 'ON',
      }),
    );
    const part = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'mp', UploadId: up.UploadId, PartNumber: 1, Body: 'part' }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: b,
        Key: 'mp',
        UploadId: up.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const r = await s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: 'mp', VersionId: done.VersionId }));
    assert.equal(r.Retention?.Mode, 'COMPLIANCE');
    assert.ok(Math.abs((r.Retention?.RetainUntilDate?.getTime() ?? 0) - until.getTime()) < 1000);
    assert.equal(
      (await s3.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: 'mp', VersionId: done.VersionId }))).LegalHold?.Status,
      'ON',
    );
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'mp', VersionId: done.VersionId })), 'AccessDenied', 403);
  });

  test('a version whose retention has expired can be deleted', async () => {
    const b = await lockedBucket();
    const v = await putLocked(b, 'soon', 'COMPLIANCE', new Date(Date.now() + 1500));
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'soon', VersionId: v })), 'AccessDenied', 403);
    await new Promise((r) => setTimeout(r, 1800));
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'soon', VersionId: v }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'soon', VersionId: v })), 'NoSuchVersion', 404);
  });
});
