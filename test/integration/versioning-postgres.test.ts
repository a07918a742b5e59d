/**
 * Versioning and object lock on two anode nodes sharing one PostgreSQL metadata store:
 * versions written through both nodes at once keep one consistent history (exactly one
 * latest), and retention changes racing through different nodes are serialised by the
 * store, so COMPLIANCE is never shortened and a locked version never deleted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { masterKeyFileOf, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { postgresNodeEnv, startPostgresCluster, type PostgresCluster } from '../helpers/postgres.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';

let cluster: PostgresCluster;
let a: AnodeNode;
let b: AnodeNode;
let s3a: S3Client;
let s3b: S3Client;
const DAY = 86_400_000;

before(async () => {
  cluster = await startPostgresCluster();
  const database = await cluster.createDatabase('anode_versions');
  a = await startNode({ env: postgresNodeEnv(cluster, database) });
  // Nodes sharing one metadata store share the key that seals credential secrets.
  b = await startNode({
    env: { ...postgresNodeEnv(cluster, database), ANODE_AUTH_MASTER_KEY_FILE: masterKeyFileOf(a) },
  });
  s3a = sdkClient(a);
  s3b = sdkClient(b);
});
after(async () => {
  s3a?.destroy();
  s3b?.destroy();
  await a?.cleanup();
  await b?.cleanup();
  await cluster?.stop();
});

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof S3ServiceException ? e.name : String(e)),
  );

describe('versioning on two nodes, one PostgreSQL', { timeout: 300_000 }, () => {
  it('concurrent writes and deletes through both nodes leave one history with exactly one latest', async () => {
    const bucket = uniqueBucket('pgver');
    await s3a.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3a.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const ops: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) {
      const s3 = i % 2 === 0 ? s3a : s3b;
      ops.push(
        i % 5 === 4
          ? s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))
          : s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: `v${i}` })),
      );
    }
    await Promise.all(ops);
    const listed = await s3b.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const all = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])];
    assert.equal(all.length, 20);
    assert.equal(all.filter((e) => e.IsLatest).length, 1);
    assert.equal(new Set(all.map((e) => e.VersionId)).size, 20);
    const latest = all.find((e) => e.IsLatest)!;
    if ((listed.DeleteMarkers ?? []).some((m) => m.IsLatest)) {
      await expectS3Error(s3a.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })), 'NoSuchKey', 404);
    } else {
      // HEAD: metadata only (chunks live on the node that wrote them).
      const got = await s3a.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
      assert.equal(got.VersionId, latest.VersionId);
    }
  });

  it('retention changes racing through both nodes: COMPLIANCE ends at the furthest date, never shorter', async () => {
    const bucket = uniqueBucket('pgworm');
    await s3a.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    const base = Date.now() + DAY;
    for (let round = 0; round < 5; round++) {
      const key = `r${round}`;
      const v = (
        await s3a.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: 'x',
            ObjectLockMode: 'COMPLIANCE',
            ObjectLockRetainUntilDate: new Date(base),
          }),
        )
      ).VersionId!;
      const far = new Date(base + 10 * DAY);
      const near = new Date(base + 3_600_000);
      const results = await Promise.all(
        [far, near, near, far, near, near].map((RetainUntilDate, i) =>
          outcome(
            (i % 2 === 0 ? s3a : s3b).send(
              new PutObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: v, Retention: { Mode: 'COMPLIANCE', RetainUntilDate } }),
            ),
          ),
        ),
      );
      for (const r of results) assert.ok(r === 'ok' || r === 'AccessDenied', r);
      const final = await s3b.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: v }));
      assert.equal(final.Retention?.RetainUntilDate?.getTime(), far.getTime(), `round ${round}: ${results.join(',')}`);
      const deletes = await Promise.all(
        [s3a, s3b].map((s3) =>
          outcome(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: v, BypassGovernanceRetention: true }))),
        ),
      );
      assert.deepEqual(deletes, ['AccessDenied', 'AccessDenied']);
    }
  });
});
