/**
 * Bucket lifecycle end to end: rules set with the SDK, applied by the node's own runner
 * (every second here, on a clock shifted ten days ahead by the test-only
 * ANODE_TEST_LIFECYCLE_CLOCK_OFFSET_SECONDS), audited, and never removing a version that
 * object lock protects.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';

let node: AnodeNode;
let s3: S3Client;
const DAY_S = 86_400;

before(async () => {
  node = await startNode({
    env: { ANODE_LIFECYCLE_INTERVAL_SECONDS: '1', ANODE_TEST_LIFECYCLE_CLOCK_OFFSET_SECONDS: String(10 * DAY_S) },
  });
  s3 = sdkClient(node);
});
after(async () => node?.cleanup());

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

async function exists(bucket: string, key: string, versionId?: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    return true;
  } catch {
    return false;
  }
}

async function auditActions(): Promise<Array<Record<string, unknown>>> {
  return (await readFile(node.auditLog, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const lifecycle = (bucket: string, Rules: LifecycleRule[]) =>
  s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules } }));

describe('lifecycle', () => {
  test('configuration round trip, and errors for what is not built or not allowed', async () => {
    const b = uniqueBucket('lc');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await expectS3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), 'NoSuchLifecycleConfiguration', 404);
    await lifecycle(b, [
      { ID: 'tmp', Status: 'Disabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 3 } },
      {
        ID: 'both',
        Status: 'Disabled',
        Filter: { And: { Prefix: 'logs/', ObjectSizeGreaterThan: 10 } },
        NoncurrentVersionExpiration: { NoncurrentDays: 2, NewerNoncurrentVersions: 1 },
      },
      { ID: 'mpu', Status: 'Disabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
    ]);
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }));
    assert.deepEqual(
      got.Rules?.map((r) => [
        r.ID,
        r.Status,
        r.Filter?.Prefix ?? r.Filter?.And?.Prefix,
        r.Expiration?.Days,
        r.NoncurrentVersionExpiration?.NoncurrentDays,
      ]),
      [
        ['tmp', 'Disabled', 'tmp/', 3, undefined],
        ['both', 'Disabled', 'logs/', undefined, 2],
        ['mpu', 'Disabled', '', undefined, undefined],
      ],
    );
    assert.equal(got.Rules?.[1]?.Filter?.And?.ObjectSizeGreaterThan, 10);
    await expectS3Error(
      lifecycle(b, [{ ID: 'x', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 0 } }]),
      'InvalidArgument',
      400,
    );
    // Tag filters (object tagging exists): stored and returned; refused beside actions on what carries no tags.
    await lifecycle(b, [
      { ID: 't', Status: 'Disabled', Filter: { Tag: { Key: 'a', Value: 'b' } }, Expiration: { Days: 1 } },
      {
        ID: 'tp',
        Status: 'Disabled',
        Filter: {
          And: {
            Prefix: 'p/',
            Tags: [
              { Key: 'x', Value: '1' },
              { Key: 'y', Value: '' },
            ],
          },
        },
        Expiration: { Days: 2 },
      },
    ]);
    const tagged = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b }));
    assert.deepEqual(tagged.Rules?.[0]?.Filter?.Tag, { Key: 'a', Value: 'b' });
    assert.equal(tagged.Rules?.[1]?.Filter?.And?.Prefix, 'p/');
    assert.deepEqual(tagged.Rules?.[1]?.Filter?.And?.Tags, [
      { Key: 'x', Value: '1' },
      { Key: 'y', Value: '' },
    ]);
    await expectS3Error(
      lifecycle(b, [
        {
          ID: 'tm',
          Status: 'Enabled',
          Filter: { Tag: { Key: 'a', Value: 'b' } },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ]),
      'InvalidRequest',
      400,
    );
    await expectS3Error(
      lifecycle(b, [{ ID: 'g', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] }]),
      'NotImplemented',
      501,
    );
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: b }));
    await expectS3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: b })), 'NoSuchLifecycleConfiguration', 404);
  });

  test('expiration by prefix and size, abort of incomplete uploads, in an unversioned bucket', async () => {
    const b = uniqueBucket('lc');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    for (const key of ['tmp/a', 'keep/a']) await s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'big/small', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'big/large', Body: 'x'.repeat(500) }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'tag/yes', Body: 'x', Tagging: 'expire=yes&team=a' }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'tag/no', Body: 'x', Tagging: 'expire=no' }));
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'tmp/upload' }));
    await lifecycle(b, [
      { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 5 } },
      { ID: 'big', Status: 'Enabled', Filter: { And: { Prefix: 'big/', ObjectSizeGreaterThan: 100 } }, Expiration: { Days: 5 } },
      { ID: 'later', Status: 'Enabled', Filter: { Prefix: 'keep/' }, Expiration: { Days: 30 } },
      { ID: 'tagged', Status: 'Enabled', Filter: { Tag: { Key: 'expire', Value: 'yes' } }, Expiration: { Days: 5 } },
      { ID: 'mpu', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
    ]);
    await until('tmp/a and big/large expire', async () => !(await exists(b, 'tmp/a')) && !(await exists(b, 'big/large')));
    assert.equal(await exists(b, 'keep/a'), true, 'a 30-day rule has not come due');
    assert.equal(await exists(b, 'big/small'), true, 'the size filter keeps small objects');
    await until('the tagged object expires', async () => !(await exists(b, 'tag/yes')));
    assert.equal(await exists(b, 'tag/no'), true, 'the tag filter keeps an object whose tag value differs');
    await until('the upload is aborted', async () => {
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: b }));
      return !(uploads.Uploads ?? []).some((u) => u.UploadId === up.UploadId);
    });
    const audit = await auditActions();
    assert.ok(audit.some((e) => e['action'] === 'lifecycle.expire' && e['bucket'] === b && e['key'] === 'tmp/a' && e['rule'] === 'tmp'));
    assert.ok(audit.some((e) => e['action'] === 'lifecycle.abort_upload' && e['bucket'] === b));
    assert.ok(audit.some((e) => e['action'] === 'lifecycle.start' && e['clock_offset_seconds'] === 10 * DAY_S));
  });

  test('versioned bucket: current versions get a marker, non-current ones go, lone markers go', async () => {
    const b = uniqueBucket('lc');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'docs/a', Body: '1' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'docs/a', Body: '2' }))).VersionId!;
    const v3 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'docs/a', Body: '3' }))).VersionId!;
    const gone = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'old/b', Body: 'b' }))).VersionId!;
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'old/b' }));
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'old/b', VersionId: gone })); // only the marker is left
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'exp/c', Body: 'c' }));
    await lifecycle(b, [
      {
        ID: 'noncurrent',
        Status: 'Enabled',
        Filter: { Prefix: 'docs/' },
        NoncurrentVersionExpiration: { NoncurrentDays: 3, NewerNoncurrentVersions: 1 },
      },
      { ID: 'markers', Status: 'Enabled', Filter: { Prefix: 'old/' }, Expiration: { ExpiredObjectDeleteMarker: true } },
      { ID: 'expire', Status: 'Enabled', Filter: { Prefix: 'exp/' }, Expiration: { Days: 5 } },
    ]);
    await until('the oldest non-current version goes', async () => !(await exists(b, 'docs/a', v1)));
    assert.equal(await exists(b, 'docs/a', v2), true, 'NewerNoncurrentVersions keeps the newest non-current one');
    assert.equal(await exists(b, 'docs/a', v3), true);
    await until('the lone delete marker goes', async () => {
      const l = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'old/' }));
      return (l.DeleteMarkers ?? []).length === 0 && (l.Versions ?? []).length === 0;
    });
    await until('the current version of exp/c is expired behind a marker', async () => {
      const l = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'exp/' }));
      return (l.DeleteMarkers ?? []).some((m) => m.IsLatest) && (l.Versions ?? []).length === 1;
    });
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'exp/c' })), 'NoSuchKey', 404);
  });

  test('object lock holds against lifecycle: locked versions are skipped, and counted', async () => {
    const b = uniqueBucket('lc-worm');
    await s3.send(new CreateBucketCommand({ Bucket: b, ObjectLockEnabledForBucket: true }));
    const retainUntil = new Date(Date.now() + 30 * DAY_S * 1000);
    const locked = (
      await s3.send(
        new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'v1', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: retainUntil }),
      )
    ).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'v2' }));
    await lifecycle(b, [{ ID: 'all', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]);
    await until('a lifecycle run has seen the locked version', async () => {
      const metrics = await (await fetch(`${node.adminUrl}/metrics`)).text();
      return /anode_lifecycle_actions_total\{action="locked_skipped"\} [1-9]/.test(metrics);
    });
    assert.equal(await exists(b, 'k', locked), true, 'the COMPLIANCE version is still there');
  });
});
