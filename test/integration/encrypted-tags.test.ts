/**
 * Tags of an encrypted object are sealed under its data key (issue 9), on SQLite and on
 * PostgreSQL: set by PutObject (x-amz-tagging), CreateMultipartUpload, CopyObject and later
 * PutObjectTagging, they read back (GetObjectTagging, the tag count on GET) while no
 * plaintext tag value appears anywhere under the data dir or in the metadata database;
 * s3:ExistingObjectTag and lifecycle tag filters still see them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { encryptionKeyFile, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { postgresNodeEnv, startPostgresCluster, type PostgresCluster } from '../helpers/postgres.js';

const DAY_S = 86_400;
/** Every tag value carries this, so one search finds any copy in the clear. */
const MARKER = 'TAGMARKER-c41d9e';

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

function scenario(name: string, extraEnv: () => Promise<Record<string, string>>, dbText: () => Promise<string>, stop: () => Promise<void>) {
  describe(`sealed tags (${name})`, () => {
    let keyDir: string;
    let node: AnodeNode;
    let s3: S3Client;

    before(async () => {
      const { dir, keyFile } = await encryptionKeyFile('anode-tags-key-');
      keyDir = dir;
      node = await startNode({
        env: {
          ANODE_STORAGE_ENCRYPTION: 'true',
          ANODE_STORAGE_ENCRYPTION_KEY: keyFile,
          ANODE_LIFECYCLE_INTERVAL_SECONDS: '1',
          ANODE_TEST_LIFECYCLE_CLOCK_OFFSET_SECONDS: String(10 * DAY_S),
          ...(await extraEnv()),
        },
      });
      s3 = sdkClient(node);
    });
    after(async () => {
      s3?.destroy();
      await node?.cleanup();
      await stop();
      await rm(keyDir, { recursive: true, force: true });
    });

    const tagsOf = async (Bucket: string, Key: string) =>
      (await s3.send(new GetObjectTaggingCommand({ Bucket, Key }))).TagSet?.map((t) => `${t.Key}=${t.Value}`);

    test('set every way, read back, never in the clear on disk or in the database; policies and lifecycle see them', async () => {
      const b = uniqueBucket('sealtags');
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'put', Body: 'p', Tagging: `team=${MARKER}-put&public=yes-${MARKER}` }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'later', Body: 'l' }));
      await s3.send(
        new PutObjectTaggingCommand({ Bucket: b, Key: 'later', Tagging: { TagSet: [{ Key: 'team', Value: `${MARKER}-later` }] } }),
      );
      const mpu = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mpu', Tagging: `team=${MARKER}-mpu` }));
      // The upload's tags are sealed from CreateMultipartUpload on, before Complete.
      const part = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'mpu', UploadId: mpu.UploadId, PartNumber: 1, Body: 'm' }));
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: b,
          Key: 'mpu',
          UploadId: mpu.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy', CopySource: `${b}/put` }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'gone', Body: 'g', Tagging: `expire=${MARKER}-now` }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'untagged', Body: 'u' }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'cleared', Body: 'c', Tagging: `x=${MARKER}-cleared` }));
      await s3.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 'cleared' }));

      // A non-current version's tags (PutObjectTagging ?versionId) are sealed under its own data key.
      const vb = uniqueBucket('sealtagsv');
      await s3.send(new CreateBucketCommand({ Bucket: vb }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: vb, VersioningConfiguration: { Status: 'Enabled' } }));
      const v1 = (await s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'one', Tagging: `v=${MARKER}-v1` }))).VersionId;
      await s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'two', Tagging: `v=${MARKER}-v2` }));
      await s3.send(
        new PutObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId: v1, Tagging: { TagSet: [{ Key: 'v', Value: `${MARKER}-old` }] } }),
      );
      const versionTags = async (VersionId?: string) =>
        (await s3.send(new GetObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId }))).TagSet?.map((t) => `${t.Key}=${t.Value}`);
      assert.deepEqual(await versionTags(v1), [`v=${MARKER}-old`]);
      assert.deepEqual(await versionTags(), [`v=${MARKER}-v2`], 'the current version keeps its own');

      assert.deepEqual(await tagsOf(b, 'put'), [`team=${MARKER}-put`, `public=yes-${MARKER}`]);
      assert.deepEqual(await tagsOf(b, 'later'), [`team=${MARKER}-later`]);
      assert.deepEqual(await tagsOf(b, 'mpu'), [`team=${MARKER}-mpu`]);
      assert.deepEqual(await tagsOf(b, 'copy'), [`team=${MARKER}-put`, `public=yes-${MARKER}`]);
      assert.deepEqual(await tagsOf(b, 'cleared'), []);
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'put' }));
      assert.equal(got.TagCount, 2);
      assert.equal(got.ServerSideEncryption, 'AES256');
      await got.Body?.transformToString();

      // Nothing in the clear: every file under the data dir (chunks, SQLite and its WAL) and every row.
      for (const f of await allFiles(node.dataDir)) assert.equal((await readFile(f)).includes(MARKER), false, `${MARKER} in ${f}`);
      assert.equal((await dbText()).includes(MARKER), false, `${MARKER} in the metadata database`);

      // s3:ExistingObjectTag reads the sealed tags: anonymous GET allowed only on the public one.
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: b,
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: '*',
                Action: 's3:GetObject',
                Resource: `arn:aws:s3:::${b}/*`,
                Condition: { StringEquals: { 's3:ExistingObjectTag/public': `yes-${MARKER}` } },
              },
            ],
          }),
        }),
      );
      const anon = (key: string) => fetch(`${node.s3Url}/${b}/${key}`).then(async (r) => [r.status, await r.text()] as const);
      assert.deepEqual(await anon('put'), [200, 'p']);
      assert.equal((await anon('later'))[0], 403);

      // A lifecycle tag filter matches the sealed tags (the node's clock runs 10 days ahead).
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: b,
          LifecycleConfiguration: {
            Rules: [
              { ID: 'by-tag', Status: 'Enabled', Filter: { Tag: { Key: 'expire', Value: `${MARKER}-now` } }, Expiration: { Days: 1 } },
            ],
          },
        }),
      );
      const exists = (Key: string) =>
        s3.send(new HeadObjectCommand({ Bucket: b, Key })).then(
          () => true,
          () => false,
        );
      await until('the tagged object expires', async () => !(await exists('gone')));
      assert.equal(await exists('untagged'), true, 'an object without the tag stays');
      assert.equal(await exists('put'), true);
    });
  });
}

scenario(
  'SQLite',
  async () => ({}),
  async () => '', // the SQLite database is a file under the data dir, searched with the rest
  async () => {},
);

let cluster: PostgresCluster | undefined;
let database = '';
scenario(
  'PostgreSQL',
  async () => {
    cluster = await startPostgresCluster();
    database = await cluster.createDatabase('anode_tags');
    return postgresNodeEnv(cluster, database);
  },
  async () => {
    const tables = await cluster!.superQuery<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      [],
      database,
    );
    let text = '';
    for (const { table_name } of tables) {
      const rows = await cluster!.superQuery<{ t: string }>(`SELECT row_to_json(x)::text AS t FROM "${table_name}" x`, [], database);
      text += rows.map((r) => r.t).join('\n');
    }
    assert.ok(text.includes('sealedTags'), 'the sealed tags are in the rows');
    return text;
  },
  async () => {
    await cluster?.stop();
  },
);
