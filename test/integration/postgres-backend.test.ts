/**
 * A real anode node on the PostgreSQL metadata backend (a private PostgreSQL 15 cluster
 * started for this file), driven by @aws-sdk/client-s3: bucket, put, multipart, list, get,
 * delete, and a restart. Checks that the metadata really lives in PostgreSQL (no SQLite
 * file appears) and that the connection password shows up nowhere.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AdminClient } from '../../shared/src/admin-api/client.js';
import { NodeStartError, SERVER_MAIN, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { postgresNodeEnv, startPostgresCluster, type PostgresCluster } from '../helpers/postgres.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';

const MiB = 1024 * 1024;
let cluster: PostgresCluster;
let database: string;
let node: AnodeNode;
let s3: S3Client;

before(async () => {
  cluster = await startPostgresCluster();
  database = await cluster.createDatabase('anode_it');
  // Trash emptied at once, so one GC run must delete every chunk file nothing references.
  node = await startNode({ env: { ...postgresNodeEnv(cluster, database), ANODE_GC_TRASH_DELAY_SECONDS: '0' } });
  s3 = sdkClient(node);
});
after(async () => {
  s3?.destroy();
  await node?.cleanup();
  await cluster?.stop();
});

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

async function getBytes(bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  assert.ok(out.Body);
  return Buffer.from(await out.Body.transformToByteArray());
}

describe('anode on the PostgreSQL metadata backend', () => {
  const bucket = uniqueBucket('pg');
  const small = randomBytes(1000);
  const part1 = randomBytes(5 * MiB);
  const part2 = randomBytes(123_457);

  it('creates a bucket, puts and gets an object', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/small ü.bin', Body: small, Metadata: { colour: 'blue' } }));
    assert.equal(put.ETag, `"${md5(small)}"`);
    assert.deepEqual(await getBytes(bucket, 'dir/small ü.bin'), small);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dir/small ü.bin' }));
    assert.equal(head.ContentLength, small.length);
    assert.deepEqual(head.Metadata, { colour: 'blue' });
  });

  it('completes a multipart upload and serves the whole object', async () => {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big.bin' }));
    const uploadId = created.UploadId;
    assert.ok(uploadId);
    const e1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'big.bin', UploadId: uploadId, PartNumber: 1, Body: part1 }));
    const e2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'big.bin', UploadId: uploadId, PartNumber: 2, Body: part2 }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'big.bin',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: e1.ETag ?? '' },
            { PartNumber: 2, ETag: e2.ETag ?? '' },
          ],
        },
      }),
    );
    assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-2"$/);
    const body = await getBytes(bucket, 'big.bin');
    assert.equal(body.length, part1.length + part2.length);
    assert.equal(md5(body), md5(Buffer.concat([part1, part2])));
    // Completing again (a client retrying after a timeout) answers with the same object, as S3 does.
    const again = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'big.bin',
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag ?? '' }] },
      }),
    );
    assert.equal(again.ETag, done.ETag);
  });

  it('lists uploads in progress and aborts one', async () => {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'abandoned' }));
    await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'abandoned', UploadId: created.UploadId, PartNumber: 1, Body: randomBytes(1000) }),
    );
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.deepEqual(
      listed.Uploads?.map((u) => [u.Key, u.UploadId]),
      [['abandoned', created.UploadId]],
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'abandoned', UploadId: created.UploadId }));
    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.equal(after.Uploads?.length ?? 0, 0);
  });

  it('lists objects in byte order with prefix, delimiter and pagination', async () => {
    for (const k of ['a/1', 'a/2', 'B', 'é']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
    const all = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(
      all.Contents?.map((o) => o.Key),
      ['B', 'a/1', 'a/2', 'big.bin', 'dir/small ü.bin', 'é'],
    );
    const dirs = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    assert.deepEqual(
      dirs.CommonPrefixes?.map((p) => p.Prefix),
      ['a/', 'dir/'],
    );
    const page1 = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/', MaxKeys: 1 }));
    assert.deepEqual(
      page1.Contents?.map((o) => o.Key),
      ['a/1'],
    );
    assert.equal(page1.IsTruncated, true);
    const page2 = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/', ContinuationToken: page1.NextContinuationToken }));
    assert.deepEqual(
      page2.Contents?.map((o) => o.Key),
      ['a/2'],
    );
  });

  it('keeps the metadata in PostgreSQL, not in a SQLite file', async () => {
    const rows = await cluster.superQuery<{ n: string }>(
      'SELECT count(*) AS n FROM objects o JOIN buckets b ON b.id = o.bucket_id WHERE b.name = $1',
      [bucket],
      database,
    );
    assert.equal(Number(rows[0]?.n), 6);
    const creds = await cluster.superQuery<{ access_key: string }>('SELECT access_key FROM credentials', [], database);
    assert.ok(
      creds.some((c) => c.access_key === node.accessKey),
      'root credential stored in PostgreSQL',
    );
    assert.equal(existsSync(join(node.dataDir, 'metadata', 'anode.db')), false);
    assert.equal(existsSync(join(node.dataDir, 'metadata', 'credentials.db')), false);
  });

  it('survives a restart: objects and credentials come back from PostgreSQL', async () => {
    await node.restart();
    s3.destroy();
    s3 = sdkClient(node);
    assert.deepEqual(await getBytes(bucket, 'dir/small ü.bin'), small);
    assert.equal(md5(await getBytes(bucket, 'big.bin')), md5(Buffer.concat([part1, part2])));
  });

  it('anode admin reset-root writes the break-glass credential into PostgreSQL, where the node reads it', async () => {
    // As the node's own user: its HOME holds the credential master key (never the data directory).
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dirname(node.dataDir), ...postgresNodeEnv(cluster, database) };
    delete env['XDG_CONFIG_HOME'];
    const out = execFileSync(process.execPath, [SERVER_MAIN, 'admin', 'reset-root', '--data', node.dataDir], { env, encoding: 'utf8' });
    assert.match(out, /new root credential/);
    const file = await readFile(join(node.dataDir, 'root-credentials'), 'utf8');
    const accessKeyId = /aws_access_key_id = (\S+)/.exec(file)?.[1] ?? '';
    const secretAccessKey = /aws_secret_access_key = (\S+)/.exec(file)?.[1] ?? '';
    const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId, secretAccessKey } });
    const status = await admin.getStatus();
    assert.equal(typeof status, 'object');
  });

  it('deletes the objects, then the bucket', async () => {
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'BucketNotEmpty', 409);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const o of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' })), 'NoSuchKey', 404);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    const left = await cluster.superQuery('SELECT 1 FROM buckets WHERE name = $1', [bucket], database);
    assert.deepEqual(left, []);
    const trashed = await cluster.superQuery<{ n: string }>('SELECT count(*) AS n FROM chunk_trash', [], database);
    assert.ok(Number(trashed[0]?.n) > 0, 'deleted objects left their chunks in the trash for GC');
  });

  it('GC on the PostgreSQL backend empties the trash and deletes the chunk files', async () => {
    const admin = new AdminClient({
      endpoint: node.adminUrl,
      credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
    });
    await admin.runGc(true);
    const trashed = await cluster.superQuery<{ n: string }>('SELECT count(*) AS n FROM chunk_trash', [], database);
    assert.equal(Number(trashed[0]?.n), 0);
    const refs = await cluster.superQuery<{ n: string }>('SELECT count(*) AS n FROM chunk_refs', [], database);
    assert.equal(Number(refs[0]?.n), 0, 'no object or part references a chunk any more');
    const chunksDir = join(node.dataDir, 'chunks');
    const files: string[] = [];
    for (const shard of await readdir(chunksDir)) {
      if (!shard.startsWith('.')) files.push(...(await readdir(join(chunksDir, shard))));
    }
    assert.deepEqual(files, []);
  });

  it('never writes the PostgreSQL password to the output or the logs', async () => {
    const logs = [
      node.output(),
      await readFile(node.accessLog, 'utf8').catch(() => ''),
      await readFile(node.auditLog, 'utf8').catch(() => ''),
    ];
    for (const text of logs) assert.ok(!text.includes(cluster.appPassword));
  });
});

describe('anode with a bad PostgreSQL configuration', () => {
  it('refuses to start on a wrong password, naming the server but not the password', async () => {
    const secret = 'not-the-Right-passw0rd';
    const url = `postgres://${cluster.appUser}:${secret}@${cluster.host}:${cluster.port}/${database}`;
    await assert.rejects(
      startNode({ env: { ANODE_STORAGE_METADATA_BACKEND: 'postgres', ANODE_STORAGE_POSTGRES_URL: url } }),
      (err: unknown) => {
        assert.ok(err instanceof NodeStartError);
        assert.match(err.message, /password authentication failed/);
        assert.match(err.message, /\*\*\*@127\.0\.0\.1/);
        assert.ok(!err.message.includes(secret), err.message);
        return true;
      },
    );
  });

  it('refuses to start without storage.postgres_url (exit 2, config error)', async () => {
    await assert.rejects(startNode({ env: { ANODE_STORAGE_METADATA_BACKEND: 'postgres' } }), (err: unknown) => {
      assert.ok(err instanceof NodeStartError);
      assert.match(err.message, /exited \(2\)/);
      assert.match(err.message, /storage\.postgres_url is required/);
      return true;
    });
  });
});
