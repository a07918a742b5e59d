/**
 * Sub-resources of any version (issue 10): tagging, ACL and GetObjectAttributes with
 * ?versionId= (x-amz-version-id, NoSuchVersion, 405 on a delete marker, the *Version IAM
 * actions, s3:ExistingObjectTag of the addressed version, object lock not in the way), and
 * per-part checksums in ListParts and GetObjectAttributes, with the SDK and boto3.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectTaggingCommand,
  ListPartsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { REPO_ROOT, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';
import { isolatedClientEnv, requireTool, runOk } from '../helpers/run-command.js';

const PYTHON = '/usr/bin/python3';
const AWS = '/usr/bin/aws';
let node: AnodeNode;
let s3: S3Client;
let bob: S3Client;

before(async () => {
  node = await startNode();
  s3 = sdkClient(node);
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  const made = await admin.createCredential({ user: 'bob' });
  bob = sdkClient(node, { credentials: { accessKeyId: made.access_key, secretAccessKey: made.secret_key } });
});
after(async () => node?.cleanup());

async function versionedBucket(prefix: string, lock = false): Promise<string> {
  const b = uniqueBucket(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: b, ...(lock ? { ObjectLockEnabledForBucket: true } : {}) }));
  if (!lock) await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
  return b;
}

const tagsOf = async (client: S3Client, Bucket: string, Key: string, VersionId?: string) =>
  (await client.send(new GetObjectTaggingCommand({ Bucket, Key, ...(VersionId ? { VersionId } : {}) }))).TagSet;

function headerOf(err: unknown, name: string): string | undefined {
  return (err as { $response?: { headers?: Record<string, string> } }).$response?.headers?.[name];
}

describe('tagging, ACL and attributes of a non-current version', { timeout: 120_000 }, () => {
  it('Get/Put/DeleteObjectTagging by version id act on that version only and answer its x-amz-version-id', async () => {
    const b = await versionedBucket('vtag');
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'one', Tagging: 'gen=1' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'two', Tagging: 'gen=2' }))).VersionId!;
    const got = await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v1 }));
    assert.deepEqual(got.TagSet, [{ Key: 'gen', Value: '1' }]);
    assert.equal(got.VersionId, v1);
    const put = await s3.send(
      new PutObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v1, Tagging: { TagSet: [{ Key: 'gen', Value: 'old' }] } }),
    );
    assert.equal(put.VersionId, v1);
    assert.deepEqual(await tagsOf(s3, b, 'k', v1), [{ Key: 'gen', Value: 'old' }]);
    assert.deepEqual(await tagsOf(s3, b, 'k'), [{ Key: 'gen', Value: '2' }], 'the current version keeps its tags');
    assert.equal((await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k' }))).VersionId, v2);
    const del = await s3.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v1 }));
    assert.equal(del.VersionId, v1);
    assert.deepEqual(await tagsOf(s3, b, 'k', v1), []);
    assert.deepEqual(await tagsOf(s3, b, 'k', v2), [{ Key: 'gen', Value: '2' }]);

    // The patched version, current again once the newer one is deleted, keeps what was set.
    await s3.send(
      new PutObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v1, Tagging: { TagSet: [{ Key: 'back', Value: 'yes' }] } }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v2 }));
    assert.deepEqual(await tagsOf(s3, b, 'k'), [{ Key: 'back', Value: 'yes' }]);

    // Unknown, malformed, delete marker.
    const unknown = 'A'.repeat(32);
    await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: unknown })), 'NoSuchVersion', 404);
    await expectS3Error(
      s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: unknown, Tagging: { TagSet: [] } })),
      'NoSuchVersion',
      404,
    );
    await expectS3Error(s3.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: 'bad!' })), 'InvalidArgument', 400);
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }))).VersionId!;
    const e = await expectS3Error(
      s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: marker })),
      'MethodNotAllowed',
      405,
    );
    assert.equal(headerOf(e, 'x-amz-delete-marker'), 'true');
    await expectS3Error(
      s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: marker, Tagging: { TagSet: [] } })),
      'MethodNotAllowed',
      405,
    );
    await expectS3Error(s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'k', VersionId: marker })), 'MethodNotAllowed', 405);
    await expectS3Error(s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k' })), 'NoSuchKey', 404);
    assert.deepEqual(await tagsOf(s3, b, 'k', v1), [{ Key: 'back', Value: 'yes' }], 'the version behind the marker is still addressable');
  });

  it('Get/PutObjectAcl and GetObjectAttributes by version id', async () => {
    const b = await versionedBucket('vacl');
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'first' }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'second!' }));
    await s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', VersionId: v1, ACL: 'public-read' }));
    const isPublic = (grants: { Grantee?: { URI?: string | undefined } | undefined }[] | undefined) =>
      (grants ?? []).some((g) => g.Grantee?.URI?.endsWith('/AllUsers'));
    assert.equal(isPublic((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'k', VersionId: v1 }))).Grants), true);
    assert.equal(isPublic((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'k' }))).Grants), false);
    // The version's own ACL is what an anonymous GET by version id is checked against.
    const anon = await fetch(`${node.s3Url}/${b}/k?versionId=${v1}`);
    assert.equal(anon.status, 200);
    assert.equal(await anon.text(), 'first');
    assert.equal((await fetch(`${node.s3Url}/${b}/k`)).status, 403);

    const attrs = await s3.send(
      new GetObjectAttributesCommand({ Bucket: b, Key: 'k', VersionId: v1, ObjectAttributes: ['ObjectSize', 'ETag'] }),
    );
    assert.equal(attrs.ObjectSize, 5);
    assert.equal(attrs.VersionId, v1);
    const cur = await s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'k', ObjectAttributes: ['ObjectSize'] }));
    assert.equal(cur.ObjectSize, 7);
    await expectS3Error(
      s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'k', VersionId: 'A'.repeat(32), ObjectAttributes: ['ObjectSize'] })),
      'NoSuchVersion',
      404,
    );
    await expectS3Error(
      s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', VersionId: 'A'.repeat(32), ACL: 'private' })),
      'NoSuchVersion',
      404,
    );
  });

  it('object lock does not stop tag or ACL changes of a locked version (as in AWS), and the version stays locked', async () => {
    const b = await versionedBucket('vlock', true);
    const until = new Date(Date.now() + 3_600_000);
    const v1 = (
      await s3.send(
        new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }),
      )
    ).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'y' }));
    await s3.send(
      new PutObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v1, Tagging: { TagSet: [{ Key: 'held', Value: 'yes' }] } }),
    );
    await s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'k', VersionId: v1, ACL: 'private' }));
    assert.deepEqual(await tagsOf(s3, b, 'k', v1), [{ Key: 'held', Value: 'yes' }]);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v1 })), 'AccessDenied', 403);
  });

  it('a version id needs the *Version actions; s3:ExistingObjectTag reads the addressed version', async () => {
    const b = await versionedBucket('vpol');
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: '1', Tagging: 'team=blue' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: '2', Tagging: 'team=red' }))).VersionId!;
    const arn = `arn:aws:s3:::${b}/*`;
    const bobArn = 'arn:aws:iam::000000000000:user/bob';
    const setPolicy = (Statement: object[]) =>
      s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify({ Version: '2012-10-17', Statement }) }));
    await setPolicy([
      { Effect: 'Allow', Principal: { AWS: bobArn }, Action: ['s3:GetObjectTagging', 's3:PutObjectTagging'], Resource: arn },
    ]);
    assert.deepEqual(await tagsOf(bob, b, 'k'), [{ Key: 'team', Value: 'red' }]);
    await expectS3Error(bob.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v1 })), 'AccessDenied', 403);
    await expectS3Error(
      bob.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v1, Tagging: { TagSet: [] } })),
      'AccessDenied',
      403,
    );
    await setPolicy([
      {
        Effect: 'Allow',
        Principal: { AWS: bobArn },
        Action: ['s3:GetObjectVersionTagging', 's3:GetObjectVersionAcl'],
        Resource: arn,
        Condition: { StringEquals: { 's3:ExistingObjectTag/team': 'blue' } },
      },
      { Effect: 'Allow', Principal: { AWS: bobArn }, Action: 's3:DeleteObjectVersionTagging', Resource: arn },
    ]);
    assert.deepEqual(await tagsOf(bob, b, 'k', v1), [{ Key: 'team', Value: 'blue' }], 'v1 is tagged blue');
    await bob.send(new GetObjectAclCommand({ Bucket: b, Key: 'k', VersionId: v1 }));
    await expectS3Error(bob.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v2 })), 'AccessDenied', 403);
    await expectS3Error(bob.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'k' })), 'AccessDenied', 403);
    await bob.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 'k', VersionId: v2 }));
    assert.deepEqual(await tagsOf(s3, b, 'k', v2), []);
    await expectS3Error(
      bob.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'k', VersionId: v1, ObjectAttributes: ['ObjectSize'] })),
      'AccessDenied',
      403,
    );
  });
});

describe('per-part checksums', { timeout: 120_000 }, () => {
  it('ListParts and GetObjectAttributes ObjectParts carry each part’s checksum; max-parts and part-number-marker page', async () => {
    const b = uniqueBucket('pcks');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp', ChecksumAlgorithm: 'SHA256' }));
    const bodies = [Buffer.alloc(5 * 1024 * 1024, 'a'), Buffer.alloc(5 * 1024 * 1024, 'b'), Buffer.from('tail')];
    const parts = [];
    for (const [i, Body] of bodies.entries()) {
      const r = await s3.send(
        new UploadPartCommand({ Bucket: b, Key: 'mp', UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: 'SHA256' }),
      );
      assert.ok(r.ChecksumSHA256);
      parts.push({ PartNumber: i + 1, ETag: r.ETag!, ChecksumSHA256: r.ChecksumSHA256 });
    }
    const listed = await s3.send(new ListPartsCommand({ Bucket: b, Key: 'mp', UploadId }));
    assert.deepEqual(
      listed.Parts?.map((p) => p.ChecksumSHA256),
      parts.map((p) => p.ChecksumSHA256),
    );
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId, MultipartUpload: { Parts: parts } }));
    const page1 = await s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'mp', ObjectAttributes: ['ObjectParts'], MaxParts: 2 }));
    const op = page1.ObjectParts!;
    assert.equal(op.TotalPartsCount, 3);
    assert.equal(op.MaxParts, 2);
    assert.equal(op.IsTruncated, true);
    assert.equal(op.NextPartNumberMarker, '2');
    assert.deepEqual(
      op.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA256]),
      [
        [1, bodies[0]!.length, parts[0]!.ChecksumSHA256],
        [2, bodies[1]!.length, parts[1]!.ChecksumSHA256],
      ],
    );
    const page2 = await s3.send(
      new GetObjectAttributesCommand({ Bucket: b, Key: 'mp', ObjectAttributes: ['ObjectParts'], MaxParts: 2, PartNumberMarker: '2' }),
    );
    assert.equal(page2.ObjectParts?.PartNumberMarker, '2');
    assert.equal(page2.ObjectParts?.IsTruncated, false);
    assert.deepEqual(
      page2.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA256]),
      [[3, 4, parts[2]!.ChecksumSHA256]],
    );

    // Without a checksum algorithm on the upload, the parts carry none.
    const plain = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'plain' }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'plain', UploadId: plain.UploadId, PartNumber: 1, Body: 'x' }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: b,
        Key: 'plain',
        UploadId: plain.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag! }] },
      }),
    );
    const pa = await s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'plain', ObjectAttributes: ['ObjectParts'] }));
    assert.deepEqual(
      pa.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.ChecksumSHA256, p.ChecksumCRC32]),
      [[1, undefined, undefined]],
    );
  });
});

describe('boto3', { timeout: 120_000 }, () => {
  it('version sub-resources and per-part checksums through boto3', async () => {
    requireTool(PYTHON, 'python3');
    const env = { ...(await isolatedClientEnv(node)), ANODE_ENDPOINT: node.s3Url };
    const r = await runOk(PYTHON, [join(REPO_ROOT, 'test', 'fixtures', 'boto3_version_subresources.py'), uniqueBucket('boto-vsub')], {
      env,
      timeoutMs: 120_000,
    });
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    assert.equal(out['put_version'], true);
    assert.deepEqual(out['old_tags'], [{ Key: 'gen', Value: 'one' }]);
    assert.equal(out['old_version'], true);
    assert.deepEqual(out['current_tags'], [{ Key: 'gen', Value: '2' }]);
    assert.deepEqual(out['old_tags_after_delete'], []);
    assert.equal(out['old_acl_public'], true);
    assert.equal(out['current_acl_public'], false);
    assert.equal(out['old_size'], 3);
    assert.equal(out['attrs_version'], true);
    assert.deepEqual(out['unknown'], { code: 'NoSuchVersion', status: 404 });
    assert.deepEqual(out['marker'], { code: 'MethodNotAllowed', status: 405 });
    assert.equal(out['listed_crc32'], true);
    assert.deepEqual(out['object_parts'], { total: 2, marker: 1, next: 2, max: 1, truncated: false, parts: [[2, 4, true]] });
  });
});

describe('aws-cli', { timeout: 120_000 }, () => {
  it('s3api put-object-tagging / get-object-tagging / get-object-attributes with --version-id', async () => {
    requireTool(AWS, 'awscli');
    const env = await isolatedClientEnv(node);
    await writeFile(env['AWS_CONFIG_FILE'] ?? '', '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
    try {
      const b = await versionedBucket('cli-vsub');
      const v1 = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'one', Tagging: 'gen=1' }))).VersionId!;
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'second' }));
      const aws = async (args: string[]) => {
        const r = await runOk(AWS, ['--endpoint-url', node.s3Url, '--output', 'json', 's3api', ...args], { env, timeoutMs: 60_000 });
        return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as Record<string, unknown>;
      };
      const put = await aws([
        'put-object-tagging',
        '--bucket',
        b,
        '--key',
        'k',
        '--version-id',
        v1,
        '--tagging',
        'TagSet=[{Key=cli,Value=yes}]',
      ]);
      assert.equal(put['VersionId'], v1);
      const got = await aws(['get-object-tagging', '--bucket', b, '--key', 'k', '--version-id', v1]);
      assert.deepEqual(got['TagSet'], [{ Key: 'cli', Value: 'yes' }]);
      assert.equal(got['VersionId'], v1);
      const attrs = await aws([
        'get-object-attributes',
        '--bucket',
        b,
        '--key',
        'k',
        '--version-id',
        v1,
        '--object-attributes',
        'ObjectSize',
      ]);
      assert.equal(attrs['ObjectSize'], 3);
      assert.deepEqual(await tagsOf(s3, b, 'k'), [], 'the current version was not touched');
    } finally {
      if (env['HOME']) await rm(env['HOME'], { recursive: true, force: true });
    }
  });
});
