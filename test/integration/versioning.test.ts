/**
 * S3 versioning end to end with the AWS SDK: the null version of objects written before
 * versioning, version ids on every write, reads/copies/deletes by version id, delete
 * markers, the Suspended state, ListObjectVersions paging, DeleteObjects with version ids,
 * and GC leaving non-current versions' chunks alone until their version is deleted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';

let node: AnodeNode;
let s3: S3Client;

before(async () => {
  node = await startNode({ env: { ANODE_GC_TRASH_DELAY_SECONDS: '0', ANODE_GC_ORPHAN_GRACE_SECONDS: '0' } });
  s3 = sdkClient(node);
});
after(async () => node?.cleanup());

async function text(bucket: string, key: string, versionId?: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
  return got.Body!.transformToString();
}

async function put(bucket: string, key: string, body: string | Buffer): Promise<string | undefined> {
  return (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).VersionId;
}

const enable = (bucket: string, Status: 'Enabled' | 'Suspended') =>
  s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status } }));

function headerOf(err: unknown, name: string): string | undefined {
  const headers = (err as { $response?: { headers?: Record<string, string> } }).$response?.headers ?? {};
  return headers[name];
}

describe('versioning', () => {
  test('Get/PutBucketVersioning: empty until enabled, then Enabled/Suspended; MFA delete is not supported', async () => {
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, undefined);
    await enable(b, 'Enabled');
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, 'Enabled');
    await enable(b, 'Suspended');
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: b }))).Status, 'Suspended');
    await expectS3Error(
      s3.send(
        new PutBucketVersioningCommand({ Bucket: b, MFA: '123 456', VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' } }),
      ),
      'NotImplemented',
      501,
    );
  });

  test('the null version, version ids, reads by id, delete markers, and undoing a delete', async () => {
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    assert.equal(await put(b, 'k', 'before'), undefined, 'an unversioned bucket sends no version id');
    await enable(b, 'Enabled');
    const v1 = await put(b, 'k', 'one');
    const v2 = await put(b, 'k', 'two');
    assert.match(v1 ?? '', /^[0-9A-Za-z]{32}$/);
    assert.notEqual(v1, v2);
    assert.ok(v2! < v1!, 'ids sort newest first');
    assert.equal(await text(b, 'k'), 'two');
    assert.equal(await text(b, 'k', v1), 'one');
    assert.equal(await text(b, 'k', 'null'), 'before', 'the object written before versioning is the null version');
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k', VersionId: v1 }));
    assert.equal(head.VersionId, v1);
    assert.equal(head.ContentLength, 3);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: 'A'.repeat(32) })), 'NoSuchVersion', 404);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: 'not-ours' })), 'InvalidArgument', 400);
    await expectS3Error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: 'not-ours' })), 'InvalidArgument', 400);

    // Copy from an old version.
    const copy = await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy', CopySource: `${b}/k?versionId=${v1}` }));
    assert.equal(copy.CopySourceVersionId, v1);
    assert.match(copy.VersionId ?? '', /^[0-9A-Za-z]{32}$/);
    assert.equal(await text(b, 'copy'), 'one');

    // A delete adds a marker; the key reads as missing, with the marker's headers.
    const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    assert.equal(del.DeleteMarker, true);
    const markerId = del.VersionId!;
    const missing = await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' })), 'NoSuchKey', 404);
    assert.equal(headerOf(missing, 'x-amz-delete-marker'), 'true');
    assert.equal(headerOf(missing, 'x-amz-version-id'), markerId);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: markerId })), 'MethodNotAllowed', 405);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: b }));
    assert.deepEqual(
      (listed.Contents ?? []).map((o) => o.Key),
      ['copy'],
    );
    // Old versions stay readable behind the marker.
    assert.equal(await text(b, 'k', v2), 'two');

    // Deleting the marker brings the key back.
    const undo = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: markerId }));
    assert.equal(undo.DeleteMarker, true);
    assert.equal(undo.VersionId, markerId);
    assert.equal(await text(b, 'k'), 'two');

    // Deleting the current version for good makes the previous one current.
    const gone = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: v2 }));
    assert.equal(gone.VersionId, v2);
    assert.equal(gone.DeleteMarker, undefined);
    assert.equal(await text(b, 'k'), 'one');
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: v2 })), 'NoSuchVersion', 404);
  });

  test('Suspended writes the null version, replacing only it', async () => {
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await enable(b, 'Enabled');
    const v1 = await put(b, 'k', 'one');
    await enable(b, 'Suspended');
    assert.equal(await put(b, 'k', 'null-a'), 'null');
    assert.equal(await put(b, 'k', 'null-b'), 'null');
    assert.equal(await text(b, 'k'), 'null-b');
    assert.equal(await text(b, 'k', v1), 'one');
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.deepEqual(
      (versions.Versions ?? []).map((v) => [v.VersionId, v.IsLatest]),
      [
        ['null', true],
        [v1, false],
      ],
    );
    const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    assert.equal(del.DeleteMarker, true);
    assert.equal(del.VersionId, 'null');
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.deepEqual(
      (after.Versions ?? []).map((v) => v.VersionId),
      [v1],
    );
    assert.deepEqual(
      (after.DeleteMarkers ?? []).map((m) => [m.VersionId, m.IsLatest]),
      [['null', true]],
    );
  });

  test('ListObjectVersions: key and version-id markers, prefix, delimiter, max-keys, encoding', async () => {
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await enable(b, 'Enabled');
    const ids: Record<string, string[]> = {};
    for (const key of ['a/x', 'a/y', 'b', 'c d']) {
      for (let i = 0; i < 3; i++) (ids[key] ??= []).unshift((await put(b, key, `${key}${i}`))!);
    }
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'b' }))).VersionId!;
    ids['b']!.unshift(marker);
    // Page through everything two entries at a time.
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 2, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
      );
      const entries = [
        ...(page.Versions ?? []).map((v) => ({ key: v.Key!, id: v.VersionId!, latest: v.IsLatest! })),
        ...(page.DeleteMarkers ?? []).map((m) => ({ key: m.Key!, id: m.VersionId!, latest: m.IsLatest! })),
      ].sort((x, y) => (x.key === y.key ? ids[x.key]!.indexOf(x.id) - ids[y.key]!.indexOf(y.id) : x.key < y.key ? -1 : 1));
      seen.push(...entries.map((e) => `${e.key}#${ids[e.key]!.indexOf(e.id)}${e.latest ? '*' : ''}`));
      if (!page.IsTruncated) break;
      assert.equal(entries.length, 2);
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
    assert.deepEqual(seen, [
      'a/x#0*',
      'a/x#1',
      'a/x#2',
      'a/y#0*',
      'a/y#1',
      'a/y#2',
      'b#0*',
      'b#1',
      'b#2',
      'b#3',
      'c d#0*',
      'c d#1',
      'c d#2',
    ]);

    const grouped = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Delimiter: '/' }));
    assert.deepEqual(
      (grouped.CommonPrefixes ?? []).map((p) => p.Prefix),
      ['a/'],
    );
    assert.deepEqual([...new Set((grouped.Versions ?? []).map((v) => v.Key))], ['b', 'c d']);
    const prefixed = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'a/y' }));
    assert.equal(prefixed.Versions?.length, 3);
    const encoded = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'c', EncodingType: 'url' }));
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'c', EncodingType: 'url' }));
    assert.equal(encoded.EncodingType, 'url');
    assert.equal(encoded.Versions?.[0]?.Key, v2.Contents?.[0]?.Key, 'keys are encoded as ListObjectsV2 encodes them');
    assert.notEqual(encoded.Versions?.[0]?.Key, 'c d');
  });

  test('DeleteObjects with and without version ids reports versions and delete markers', async () => {
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await enable(b, 'Enabled');
    const v1 = await put(b, 'one', '1');
    await put(b, 'two', '2');
    const out = await s3.send(
      new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'one', VersionId: v1 }, { Key: 'two' }] } }),
    );
    const byKey = new Map((out.Deleted ?? []).map((d) => [d.Key, d]));
    assert.equal(byKey.get('one')?.VersionId, v1);
    assert.equal(byKey.get('one')?.DeleteMarker, undefined);
    assert.equal(byKey.get('two')?.DeleteMarker, true);
    assert.match(byKey.get('two')?.DeleteMarkerVersionId ?? '', /^[0-9A-Za-z]{32}$/);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: b, Key: 'one', VersionId: v1 })), 'NoSuchVersion', 404);
    // The marker is removed by its id the same way.
    const m = byKey.get('two')!.DeleteMarkerVersionId!;
    const again = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'two', VersionId: m }] } }));
    assert.equal(again.Deleted?.[0]?.DeleteMarker, true);
    assert.equal(again.Deleted?.[0]?.DeleteMarkerVersionId, m);
    assert.equal(await text(b, 'two'), '2');
  });

  test('CompleteMultipartUpload returns a version id', async () => {
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await enable(b, 'Enabled');
    const first = await put(b, 'mp', 'small');
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'mp', UploadId: up.UploadId, PartNumber: 1, Body: 'partdata' }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: b,
        Key: 'mp',
        UploadId: up.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    assert.match(done.VersionId ?? '', /^[0-9A-Za-z]{32}$/);
    assert.equal(await text(b, 'mp'), 'partdata');
    assert.equal(await text(b, 'mp', first), 'small');
  });

  test('a retried CompleteMultipartUpload answers with the version it made, while that version is current', async () => {
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await enable(b, 'Enabled');
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp', Tagging: 'from=mpu' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'mp', UploadId: up.UploadId, PartNumber: 1, Body: 'partdata' }));
    const input = { Bucket: b, Key: 'mp', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } };
    const done = await s3.send(new CompleteMultipartUploadCommand(input));
    const again = await s3.send(new CompleteMultipartUploadCommand(input));
    assert.equal(again.VersionId, done.VersionId);
    assert.equal(again.ETag, done.ETag);
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'mp' }));
    assert.equal(head.VersionId, done.VersionId);
    // A newer version: the upload's version is no longer current, so the retry is NoSuchUpload.
    await put(b, 'mp', 'newer');
    await expectS3Error(s3.send(new CompleteMultipartUploadCommand(input)), 'NoSuchUpload', 404);
    assert.equal(await text(b, 'mp', done.VersionId), 'partdata');
  });

  test('GC keeps every version’s chunks until that version is deleted; a bucket with versions is not empty', async () => {
    const admin = new AdminClient({
      endpoint: node.adminUrl,
      credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
    });
    await admin.runGc(true);
    const chunksBefore = (await chunkFiles(join(node.dataDir, 'chunks'))).length;
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await enable(b, 'Enabled');
    const old = randomBytes(200_000);
    const v1 = await put(b, 'k', old);
    await put(b, 'k', 'new');
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    await admin.runGc(true);
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: v1 }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(old));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: b })), 'BucketNotEmpty', 409);
    // Delete every version and marker: the chunks go, and the bucket can be deleted.
    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    for (const e of [...(all.Versions ?? []), ...(all.DeleteMarkers ?? [])]) {
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: e.Key, VersionId: e.VersionId }));
    }
    await admin.runGc(true);
    await s3.send(new DeleteBucketCommand({ Bucket: b }));
    assert.equal((await chunkFiles(join(node.dataDir, 'chunks'))).length, chunksBefore, 'no chunk is left once no version references it');
  });

  test('a public-read version is readable anonymously by its id, as by GetObject', async () => {
    const b = uniqueBucket('ver');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    const v = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'pub', Body: 'hello', ACL: 'public-read' }))).VersionId!;
    const byId = await fetch(`${node.s3Url}/${b}/pub?versionId=${v}`);
    assert.equal(byId.status, 200);
    assert.equal(await byId.text(), 'hello');
    await put(b, 'private', 'secret');
    const denied = await fetch(`${node.s3Url}/${b}/private?versionId=null`);
    assert.equal(denied.status, 403);
  });

  test('the access log and metrics name the new operations', async () => {
    const log = (await readFile(node.accessLog, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { operation?: string });
    const ops = new Set(log.map((e) => e.operation));
    for (const op of ['PutBucketVersioning', 'GetBucketVersioning', 'ListObjectVersions']) assert.ok(ops.has(op), op);
    const metrics = await (await fetch(`${node.adminUrl}/metrics`)).text();
    assert.match(metrics, /operation="ListObjectVersions"/);
  });
});

async function chunkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of await readdir(dir)) {
    if (shard.startsWith('.')) continue;
    out.push(...(await readdir(join(dir, shard))));
  }
  return out;
}
