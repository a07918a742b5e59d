/**
 * Tags and bucket settings (tagging, CORS, PublicAccessBlock, Object Ownership, logging) on
 * the PostgreSQL backend, kept across a restart of the node; the SQLite backend runs the
 * full suite in s3-surface-misc.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketCorsCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketTaggingCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  PutBucketCorsCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { postgresNodeEnv, startPostgresCluster, type PostgresCluster } from '../helpers/postgres.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';

let cluster: PostgresCluster;
let node: AnodeNode;
let s3: S3Client;

before(async () => {
  cluster = await startPostgresCluster();
  const database = await cluster.createDatabase('anode_misc');
  node = await startNode({ env: postgresNodeEnv(cluster, database) });
  s3 = sdkClient(node);
});
after(async () => {
  s3?.destroy();
  await node?.cleanup();
  await cluster?.stop();
});

describe('tags and bucket settings on PostgreSQL', { timeout: 180_000 }, () => {
  const bucket = uniqueBucket('pg-misc');
  const tags = async (key: string) => (await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet;

  it('object tags from PUT, Copy (COPY/REPLACE), multipart and PutObjectTagging; bucket settings; all survive a restart', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: 'a', Tagging: 'x=1&%C3%BC=%C3%B6' }));
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'b', CopySource: `${bucket}/a` }));
    await s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'c', CopySource: `${bucket}/a`, TaggingDirective: 'REPLACE', Tagging: 'y=2' }),
    );
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'd', Tagging: 'mp=1' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'd', UploadId, PartNumber: 1, Body: 'd' }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'd',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'e', Body: 'e' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'e', Tagging: { TagSet: [{ Key: 'z', Value: '3' }] } }));

    const rules = [{ AllowedOrigins: ['https://*.example.com'], AllowedMethods: ['GET'] }];
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: 'team', Value: 'pg' }] } }));
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: bucket,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      }),
    );
    await s3.send(
      new PutBucketLoggingCommand({
        Bucket: bucket,
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: bucket, TargetPrefix: 'l/' } },
      }),
    );

    await node.restart();
    s3 = sdkClient(node);

    assert.deepEqual(await tags('a'), [
      { Key: 'x', Value: '1' },
      { Key: 'ü', Value: 'ö' },
    ]);
    assert.deepEqual(await tags('b'), await tags('a'));
    assert.deepEqual(await tags('c'), [{ Key: 'y', Value: '2' }]);
    assert.deepEqual(await tags('d'), [{ Key: 'mp', Value: '1' }]);
    assert.deepEqual(await tags('e'), [{ Key: 'z', Value: '3' }]);
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet, [{ Key: 'team', Value: 'pg' }]);
    assert.deepEqual((await s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules, rules);
    assert.equal(
      (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration?.BlockPublicAcls,
      true,
    );
    assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls?.Rules, [
      { ObjectOwnership: 'BucketOwnerPreferred' },
    ]);
    assert.deepEqual((await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled, {
      TargetBucket: bucket,
      TargetPrefix: 'l/',
    });
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'p', Body: 'p', ACL: 'public-read' })), 'AccessDenied', 403);
    const preflight = await fetch(`${node.s3Url}/${bucket}/a`, {
      method: 'OPTIONS',
      headers: { origin: 'https://www.example.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://www.example.com');
  });
});
