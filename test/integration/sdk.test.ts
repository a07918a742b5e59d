/**
 * @aws-sdk/client-s3 (current v3, default checksum behaviour: CRC32 headers for
 * buffered bodies, aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER for streams) against
 * a real node. Every expectation is AWS's documented behaviour.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type GetObjectCommandOutput,
  type UploadPartCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { checksumBase64, type ChecksumName } from '../helpers/checksums.js';
import { md5Hex, MiB } from '../helpers/random-files.js';
import { errorCode } from '../helpers/raw-http.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { presign } from '../helpers/sigv4.js';

let node: AnodeNode;
let s3: S3Client;

before(async () => {
  node = await startNode();
  s3 = sdkClient(node);
});
after(async () => {
  s3?.destroy();
  await node?.cleanup();
});

async function bodyOf(out: GetObjectCommandOutput): Promise<Buffer> {
  assert.ok(out.Body, 'GetObject returned no body');
  return Buffer.from(await out.Body.transformToByteArray());
}

async function getBytes(bucket: string, key: string): Promise<Buffer> {
  return bodyOf(await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
}

/** Awaits a request that must fail with this HTTP status (HEAD and 304 errors have no body). */
async function expectStatus(p: Promise<unknown>, status: number): Promise<void> {
  try {
    await p;
  } catch (e) {
    const meta = (e as { $metadata?: { httpStatusCode?: number } }).$metadata;
    assert.equal(meta?.httpStatusCode, status, `expected HTTP ${status}, got ${String(e)}`);
    return;
  }
  assert.fail(`expected HTTP ${status}, but the request succeeded`);
}

async function createBucket(prefix: string): Promise<string> {
  const bucket = uniqueBucket(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

function quoteMd5(data: Uint8Array | string): string {
  return `"${md5Hex(data)}"`;
}

describe('buckets', { timeout: 60_000 }, () => {
  it('creates, heads, lists and deletes a bucket', async () => {
    const bucket = uniqueBucket('sdk-bucket');
    const created = await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    assert.equal(created.$metadata.httpStatusCode, 200);
    const head = await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    const list = await s3.send(new ListBucketsCommand({}));
    const names = (list.Buckets ?? []).map((b) => b.Name);
    assert.ok(names.includes(bucket), `ListBuckets lacks ${bucket}: ${names.join(',')}`);
    const mine = list.Buckets?.find((b) => b.Name === bucket);
    assert.ok(mine?.CreationDate instanceof Date, 'CreationDate missing');
    assert.ok(list.Owner?.ID, 'ListBuckets has no Owner/ID');
    const del = await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectStatus(s3.send(new HeadBucketCommand({ Bucket: bucket })), 404);
  });

  it('refuses to re-create a bucket it owns: 409 BucketAlreadyOwnedByYou', async () => {
    const bucket = await createBucket('sdk-dup');
    await expectS3Error(s3.send(new CreateBucketCommand({ Bucket: bucket })), 'BucketAlreadyOwnedByYou', 409);
  });

  it('refuses to delete a non-empty bucket: 409 BucketNotEmpty', async () => {
    const bucket = await createBucket('sdk-nonempty');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x' }));
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'x' }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  for (const bad of ['ab', 'UPPERCASE-bucket', 'under_score', 'dots..dots', '-leading', 'trailing-', '192.168.5.123', 'x'.repeat(64)]) {
    it(`rejects bucket name ${JSON.stringify(bad)} with 400 InvalidBucketName`, async () => {
      await expectS3Error(s3.send(new CreateBucketCommand({ Bucket: bad })), 'InvalidBucketName', 400);
    });
  }

  it('answers NoSuchBucket for objects and listings in a missing bucket', async () => {
    const bucket = uniqueBucket('sdk-missing');
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new ListObjectsV2Command({ Bucket: bucket })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
    await expectS3Error(s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'NoSuchBucket', 404);
  });
});

describe('objects', { timeout: 120_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = await createBucket('sdk-objects');
  });

  it('puts and gets a string body; ETag is the MD5', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'hello.txt', Body: 'hello world' }));
    assert.equal(put.ETag, quoteMd5('hello world'));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    assert.equal(got.ETag, quoteMd5('hello world'));
    assert.equal(got.ContentLength, 11);
    assert.equal((await bodyOf(got)).toString(), 'hello world');
  });

  it('puts and gets a binary Buffer body byte for byte', async () => {
    const data = randomBytes(256 * 1024 + 13);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'bin/data.bin', Body: data }));
    assert.equal(put.ETag, quoteMd5(data));
    assert.deepEqual(await getBytes(bucket, 'bin/data.bin'), data);
  });

  it('puts a stream body (aws-chunked with a CRC32 trailer) and gets it back', async () => {
    const parts = Array.from({ length: 20 }, () => randomBytes(MiB));
    const data = Buffer.concat(parts);
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'stream.bin', Body: Readable.from(parts), ContentLength: data.length }),
    );
    assert.equal(put.ETag, quoteMd5(data));
    const back = await getBytes(bucket, 'stream.bin');
    assert.equal(back.length, data.length);
    assert.equal(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(data).digest('hex'));
  });

  it('stores an empty object', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: '' }));
    assert.equal(put.ETag, quoteMd5(''));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'empty' }));
    assert.equal(head.ContentLength, 0);
    assert.equal((await getBytes(bucket, 'empty')).length, 0);
  });

  it('overwrites an object with a new body', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'over', Body: 'first version' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'over', Body: 'second' }));
    assert.equal((await getBytes(bucket, 'over')).toString(), 'second');
  });

  it('round-trips user metadata and standard headers on GET and HEAD', async () => {
    const expires = new Date('2030-01-02T03:04:05Z');
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'meta.txt',
        Body: 'with metadata',
        ContentType: 'text/plain; charset=utf-8',
        CacheControl: 'max-age=3600',
        ContentDisposition: 'attachment; filename="meta.txt"',
        ContentEncoding: 'identity',
        ContentLanguage: 'en-GB',
        Expires: expires,
        Metadata: { color: 'blue', 'Mixed-Case': 'Value With Spaces' },
      }),
    );
    for (const out of [
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta.txt' })),
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'meta.txt' })),
    ]) {
      assert.equal(out.ContentType, 'text/plain; charset=utf-8');
      assert.equal(out.CacheControl, 'max-age=3600');
      assert.equal(out.ContentDisposition, 'attachment; filename="meta.txt"');
      assert.equal(out.ContentEncoding, 'identity');
      assert.equal(out.ContentLanguage, 'en-GB');
      assert.equal(out.ExpiresString, expires.toUTCString());
      // S3 lowercases user metadata names.
      assert.deepEqual(out.Metadata, { color: 'blue', 'mixed-case': 'Value With Spaces' });
      assert.equal(out.ContentLength, 13);
      assert.equal(out.ETag, quoteMd5('with metadata'));
      assert.ok(out.LastModified instanceof Date);
      assert.equal(out.AcceptRanges, 'bytes');
    }
  });

  it('returns the Content-Type the client sent (the SDK sends application/octet-stream for a Buffer)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ct', Body: Buffer.from('x') }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'ct' }));
    assert.equal(head.ContentType, 'application/octet-stream');
  });

  it('HEAD of a missing key is 404; GET is 404 NoSuchKey', async () => {
    await expectStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'nope' })), 404);
    const e = await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' })), 'NoSuchKey', 404);
    assert.equal((e as { Key?: string }).Key ?? 'nope', 'nope');
  });

  it('deletes an object (204), and deleting a missing key is also 204', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'gone', Body: 'bye' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'gone' })), 'NoSuchKey', 404);
    const again = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone' }));
    assert.equal(again.$metadata.httpStatusCode, 204);
  });

  it('keeps awkward keys intact: spaces, unicode, +, %, //, ..', async () => {
    const keys = ['with space', 'ünïcödé/ключ/鍵', 'plus+sign', 'per%cent', 'double//slash', 'dots/../up', 'quote"\'<&>', 'a'.repeat(1024)];
    for (const key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
      assert.equal((await getBytes(bucket, key)).toString(), `body of ${key}`, `key ${JSON.stringify(key)}`);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const names = new Set((listed.Contents ?? []).map((c) => c.Key));
    for (const key of keys) assert.ok(names.has(key), `ListObjectsV2 lacks ${JSON.stringify(key)}`);
  });
});

describe('ranges', { timeout: 60_000 }, () => {
  let bucket: string;
  const data = 'abcdefghijk'; // 11 bytes, as in the ceph range tests
  before(async () => {
    bucket = await createBucket('sdk-ranges');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'r', Body: data }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: '' }));
  });

  const cases: Array<[string, string, string]> = [
    ['bytes=4-7', 'efgh', 'bytes 4-7/11'],
    ['bytes=4-', 'efghijk', 'bytes 4-10/11'],
    ['bytes=-7', 'efghijk', 'bytes 4-10/11'],
    ['bytes=0-0', 'a', 'bytes 0-0/11'],
    ['bytes=4-100', 'efghijk', 'bytes 4-10/11'],
    ['bytes=-100', data, 'bytes 0-10/11'],
  ];
  for (const [range, body, contentRange] of cases) {
    it(`${range} gives 206 with Content-Range ${contentRange}`, async () => {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'r', Range: range }));
      assert.equal(out.$metadata.httpStatusCode, 206);
      assert.equal(out.ContentRange, contentRange);
      assert.equal(out.ContentLength, body.length);
      assert.equal((await bodyOf(out)).toString(), body);
    });
  }

  it('a range past the end is 416 InvalidRange', async () => {
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'r', Range: 'bytes=40-50' })), 'InvalidRange', 416);
  });

  it('any range on an empty object is 416 InvalidRange', async () => {
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'empty', Range: 'bytes=0-1' })), 'InvalidRange', 416);
  });

  it('HEAD honours Range too (206, Content-Length of the range)', async () => {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'r', Range: 'bytes=2-5' }));
    assert.equal(out.$metadata.httpStatusCode, 206);
    assert.equal(out.ContentLength, 4);
    assert.equal(out.ContentRange, 'bytes 2-5/11');
  });
});

describe('conditional requests', { timeout: 60_000 }, () => {
  let bucket: string;
  let etag: string;
  let lastModified: Date;
  before(async () => {
    bucket = await createBucket('sdk-cond');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: 'conditional' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c' }));
    etag = head.ETag ?? '';
    lastModified = head.LastModified ?? new Date(0);
  });
  const past = (): Date => new Date(lastModified.getTime() - 3600_000);

  it('If-Match with the ETag gives 200; with another gives 412 PreconditionFailed', async () => {
    const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfMatch: etag }));
    assert.equal(ok.$metadata.httpStatusCode, 200);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfMatch: '"0000"' })), 'PreconditionFailed', 412);
    await expectStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c', IfMatch: '"0000"' })), 412);
  });

  it('If-None-Match with the ETag gives 304; with another gives 200', async () => {
    await expectStatus(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfNoneMatch: etag })), 304);
    await expectStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c', IfNoneMatch: etag })), 304);
    const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfNoneMatch: '"0000"' }));
    assert.equal(ok.$metadata.httpStatusCode, 200);
  });

  it('If-Modified-Since: not modified since then gives 304; modified since an earlier date gives 200', async () => {
    await expectStatus(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfModifiedSince: lastModified })), 304);
    const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfModifiedSince: past() }));
    assert.equal(ok.$metadata.httpStatusCode, 200);
  });

  it('If-Unmodified-Since: modified after the date gives 412; unmodified gives 200', async () => {
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfUnmodifiedSince: past() })), 'PreconditionFailed', 412);
    const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfUnmodifiedSince: lastModified }));
    assert.equal(ok.$metadata.httpStatusCode, 200);
  });

  it('If-Match true beats If-Unmodified-Since false (200), as AWS documents', async () => {
    const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfMatch: etag, IfUnmodifiedSince: past() }));
    assert.equal(ok.$metadata.httpStatusCode, 200);
  });

  it('If-None-Match false with If-Modified-Since true gives 304, as AWS documents', async () => {
    await expectStatus(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfNoneMatch: etag, IfModifiedSince: past() })), 304);
  });
});

describe('response header overrides', { timeout: 30_000 }, () => {
  it('response-* query parameters set the GET response headers', async () => {
    const bucket = await createBucket('sdk-override');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'o', Body: 'override me', ContentType: 'text/plain' }));
    const expires = new Date('2031-05-06T07:08:09Z');
    const out = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: 'o',
        ResponseContentType: 'application/x-test',
        ResponseContentDisposition: 'attachment; filename="o.bin"',
        ResponseCacheControl: 'no-store',
        ResponseContentLanguage: 'fr',
        ResponseContentEncoding: 'x-test-enc',
        ResponseExpires: expires,
      }),
    );
    assert.equal(out.ContentType, 'application/x-test');
    assert.equal(out.ContentDisposition, 'attachment; filename="o.bin"');
    assert.equal(out.CacheControl, 'no-store');
    assert.equal(out.ContentLanguage, 'fr');
    assert.equal(out.ContentEncoding, 'x-test-enc');
    assert.equal(out.ExpiresString, expires.toUTCString());
    assert.equal((await bodyOf(out)).toString(), 'override me');
  });
});

describe('CopyObject', { timeout: 60_000 }, () => {
  let bucket: string;
  let other: string;
  let srcEtag: string;
  let srcModified: Date;
  before(async () => {
    bucket = await createBucket('sdk-copy');
    other = await createBucket('sdk-copy-dst');
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: 'copy source', ContentType: 'text/x-src', Metadata: { origin: 'src' } }),
    );
    srcEtag = put.ETag ?? '';
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'src' }));
    srcModified = head.LastModified ?? new Date(0);
  });

  it('copies body and metadata by default (MetadataDirective COPY), across buckets', async () => {
    const out = await s3.send(new CopyObjectCommand({ Bucket: other, Key: 'dst', CopySource: `${bucket}/src` }));
    assert.equal(out.CopyObjectResult?.ETag, srcEtag);
    assert.ok(out.CopyObjectResult?.LastModified instanceof Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: other, Key: 'dst' }));
    assert.equal(head.ContentType, 'text/x-src');
    assert.deepEqual(head.Metadata, { origin: 'src' });
    assert.equal((await getBytes(other, 'dst')).toString(), 'copy source');
  });

  it('replaces metadata with MetadataDirective REPLACE', async () => {
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'replaced',
        CopySource: `${bucket}/src`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/x-new',
        Metadata: { fresh: 'yes' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'replaced' }));
    assert.equal(head.ContentType, 'text/x-new');
    assert.deepEqual(head.Metadata, { fresh: 'yes' });
    assert.equal((await getBytes(bucket, 'replaced')).toString(), 'copy source');
  });

  it('copies a key with characters that need URL encoding in x-amz-copy-source', async () => {
    const key = 'dir with space/ü+%.txt';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'odd' }));
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'odd-copy', CopySource: `${bucket}/${encodeURIComponent(key)}` }));
    assert.equal((await getBytes(bucket, 'odd-copy')).toString(), 'odd');
  });

  it('copying an object onto itself without REPLACE is 400 InvalidRequest', async () => {
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'src', CopySource: `${bucket}/src` })), 'InvalidRequest', 400);
  });

  it('copying an object onto itself with REPLACE updates its metadata', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'self', Body: 'self', Metadata: { v: '1' } }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'self',
        CopySource: `${bucket}/self`,
        MetadataDirective: 'REPLACE',
        Metadata: { v: '2' },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'self' }));
    assert.deepEqual(head.Metadata, { v: '2' });
    assert.equal((await getBytes(bucket, 'self')).toString(), 'self');
  });

  it('copy-source conditions that hold let the copy through', async () => {
    const out = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'cond-ok',
        CopySource: `${bucket}/src`,
        CopySourceIfMatch: srcEtag,
        CopySourceIfUnmodifiedSince: srcModified,
      }),
    );
    assert.equal(out.CopyObjectResult?.ETag, srcEtag);
  });

  it('copy-source conditions that fail give 412 PreconditionFailed', async () => {
    const past = new Date(srcModified.getTime() - 3600_000);
    const failing = [
      { CopySourceIfMatch: '"0000"' },
      { CopySourceIfNoneMatch: srcEtag },
      { CopySourceIfModifiedSince: srcModified },
      { CopySourceIfUnmodifiedSince: past },
    ];
    for (const cond of failing) {
      await expectS3Error(
        s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'cond-fail', CopySource: `${bucket}/src`, ...cond })),
        'PreconditionFailed',
        412,
      );
    }
    await expectStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond-fail' })), 404);
  });

  it('copying a missing source is 404 NoSuchKey', async () => {
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `${bucket}/missing` })), 'NoSuchKey', 404);
  });
});

describe('listing', { timeout: 60_000 }, () => {
  let bucket: string;
  const keys = ['a/1', 'a/2', 'a/b/3', 'b/4', 'c', 'd/5', 'd/6/7', 'e'];
  before(async () => {
    bucket = await createBucket('sdk-list');
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  });

  it('ListObjectsV2 returns every key in order with size, ETag and LastModified', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(
      (out.Contents ?? []).map((c) => c.Key),
      keys,
    );
    assert.equal(out.KeyCount, keys.length);
    assert.equal(out.IsTruncated, false);
    assert.equal(out.Name, bucket);
    const first = out.Contents?.[0];
    assert.equal(first?.Size, 3);
    assert.equal(first?.ETag, quoteMd5('a/1'));
    assert.equal(first?.StorageClass, 'STANDARD');
    assert.ok(first?.LastModified instanceof Date);
    assert.equal(first?.Owner, undefined, 'ListObjectsV2 has no Owner unless fetch-owner=true');
  });

  it('ListObjectsV2 with fetch-owner=true includes the Owner', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, FetchOwner: true }));
    assert.ok(out.Contents?.[0]?.Owner?.ID, 'Owner/ID missing with fetch-owner');
  });

  it('prefix filters', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/' }));
    assert.deepEqual(
      (out.Contents ?? []).map((c) => c.Key),
      ['a/1', 'a/2', 'a/b/3'],
    );
    assert.equal(out.Prefix, 'a/');
  });

  it('delimiter rolls keys up into CommonPrefixes', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    assert.deepEqual(
      (out.Contents ?? []).map((c) => c.Key),
      ['c', 'e'],
    );
    assert.deepEqual(
      (out.CommonPrefixes ?? []).map((p) => p.Prefix),
      ['a/', 'b/', 'd/'],
    );
    assert.equal(out.KeyCount, 5, 'KeyCount counts keys and common prefixes');
    const sub = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', Prefix: 'a/' }));
    assert.deepEqual(
      (sub.Contents ?? []).map((c) => c.Key),
      ['a/1', 'a/2'],
    );
    assert.deepEqual(
      (sub.CommonPrefixes ?? []).map((p) => p.Prefix),
      ['a/b/'],
    );
  });

  it('max-keys paginates with continuation tokens and covers every key once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 3, ...(token ? { ContinuationToken: token } : {}) }));
      pages++;
      assert.ok((out.Contents ?? []).length <= 3);
      assert.equal(out.MaxKeys, 3);
      seen.push(...(out.Contents ?? []).map((c) => c.Key ?? ''));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (out.IsTruncated) assert.ok(token, 'IsTruncated without NextContinuationToken');
      assert.ok(pages < 10, 'pagination does not terminate');
    } while (token);
    assert.deepEqual(seen, keys);
    assert.equal(pages, 3);
  });

  it('paginates CommonPrefixes with a delimiter too', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', MaxKeys: 2, ...(token ? { ContinuationToken: token } : {}) }),
      );
      seen.push(...(out.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''), ...(out.Contents ?? []).map((c) => c.Key ?? ''));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    assert.deepEqual(seen.sort(), ['a/', 'b/', 'c', 'd/', 'e']);
  });

  it('start-after skips keys up to and including the given one', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'b/4' }));
    assert.deepEqual(
      (out.Contents ?? []).map((c) => c.Key),
      ['c', 'd/5', 'd/6/7', 'e'],
    );
    assert.equal(out.StartAfter, 'b/4');
  });

  it('ListObjects (v1) pages with Marker/NextMarker and always includes the Owner', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3 }));
    assert.deepEqual(
      (first.Contents ?? []).map((c) => c.Key),
      ['a/1', 'a/2', 'a/b/3'],
    );
    assert.equal(first.IsTruncated, true);
    assert.ok(first.Contents?.[0]?.Owner?.ID, 'v1 Contents carry an Owner');
    const second = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3, Marker: 'a/b/3' }));
    assert.deepEqual(
      (second.Contents ?? []).map((c) => c.Key),
      ['b/4', 'c', 'd/5'],
    );
    assert.equal(second.Marker, 'a/b/3');
    const delim = await s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 2 }));
    assert.equal(delim.IsTruncated, true);
    assert.equal(delim.NextMarker, 'b/', 'with a delimiter, NextMarker is the last key or prefix returned');
    assert.deepEqual(
      (delim.CommonPrefixes ?? []).map((p) => p.Prefix),
      ['a/', 'b/'],
    );
  });

  it('encoding-type=url encodes keys and prefixes in the response', async () => {
    const encBucket = await createBucket('sdk-list-enc');
    const key = 'enc/ü&<x>';
    await s3.send(new PutObjectCommand({ Bucket: encBucket, Key: key, Body: 'e' }));
    const out = await s3.send(new ListObjectsV2Command({ Bucket: encBucket, EncodingType: 'url' }));
    assert.equal(out.EncodingType, 'url');
    const listed = out.Contents?.[0]?.Key ?? '';
    assert.notEqual(listed, key, 'key came back unencoded');
    assert.match(listed, /^[\x21-\x7e]+$/, 'an url-encoded key is plain ASCII');
    assert.equal(decodeURIComponent(listed), key);
    const delim = await s3.send(new ListObjectsV2Command({ Bucket: encBucket, EncodingType: 'url', Delimiter: '&' }));
    assert.equal(decodeURIComponent(delim.CommonPrefixes?.[0]?.Prefix ?? ''), 'enc/ü&');
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: encBucket, EncodingType: 'url' }));
    assert.equal(decodeURIComponent(v1.Contents?.[0]?.Key ?? ''), key);
  });
});

describe('DeleteObjects', { timeout: 60_000 }, () => {
  it('reports every key as Deleted when not quiet (missing keys too)', async () => {
    const bucket = await createBucket('sdk-multidel');
    for (const k of ['x1', 'x2', 'x3']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
    const out = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'x1' }, { Key: 'x2' }, { Key: 'never-existed' }] } }),
    );
    assert.deepEqual((out.Deleted ?? []).map((d) => d.Key).sort(), ['never-existed', 'x1', 'x2']);
    assert.equal((out.Errors ?? []).length, 0);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(
      (left.Contents ?? []).map((c) => c.Key),
      ['x3'],
    );
  });

  it('reports nothing but errors when quiet', async () => {
    const bucket = await createBucket('sdk-multidel-q');
    for (const k of ['q1', 'q2']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
    const out = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: 'q1' }, { Key: 'q2' }] } }),
    );
    assert.equal((out.Deleted ?? []).length, 0);
    assert.equal((out.Errors ?? []).length, 0);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.equal(left.KeyCount, 0);
  });
});

describe('multipart uploads', { timeout: 180_000 }, () => {
  let bucket: string;
  const part1 = randomBytes(5 * MiB);
  const part2 = randomBytes(5 * MiB + 7);
  const part3 = randomBytes(1024);
  before(async () => {
    bucket = await createBucket('sdk-mpu');
  });

  function multipartEtag(parts: Uint8Array[]): string {
    const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
    return `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
  }

  async function create(key: string, extra: { ContentType?: string; Metadata?: Record<string, string> } = {}): Promise<string> {
    const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...extra }));
    assert.equal(out.Bucket, bucket);
    assert.equal(out.Key, key);
    assert.ok(out.UploadId, 'no UploadId');
    return out.UploadId;
  }

  async function upload(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string> {
    const out = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }));
    assert.equal(out.ETag, quoteMd5(body), `part ${partNumber} ETag`);
    return out.ETag ?? '';
  }

  it('uploads parts, lists them and the upload, completes with the multipart ETag', async () => {
    const key = 'big/object.bin';
    const uploadId = await create(key, { ContentType: 'application/x-mpu', Metadata: { kind: 'mpu' } });
    const e1 = await upload(key, uploadId, 1, part1);
    const e2 = await upload(key, uploadId, 2, part2);
    const e3 = await upload(key, uploadId, 3, part3);

    const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    assert.deepEqual(
      (parts.Parts ?? []).map((p) => [p.PartNumber, p.ETag, p.Size]),
      [
        [1, e1, part1.length],
        [2, e2, part2.length],
        [3, e3, part3.length],
      ],
    );
    const pagedParts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MaxParts: 2 }));
    assert.equal(pagedParts.IsTruncated, true);
    assert.equal(pagedParts.NextPartNumberMarker, '2');

    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    const mine = (uploads.Uploads ?? []).find((u) => u.UploadId === uploadId);
    assert.equal(mine?.Key, key);
    assert.ok(mine?.Initiated instanceof Date);

    await expectStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), 404);

    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: e1 },
            { PartNumber: 2, ETag: e2 },
            { PartNumber: 3, ETag: e3 },
          ],
        },
      }),
    );
    assert.equal(done.ETag, multipartEtag([part1, part2, part3]));
    assert.equal(done.Key, key);
    assert.equal(done.Bucket, bucket);

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(head.ContentLength, part1.length + part2.length + part3.length);
    assert.equal(head.ContentType, 'application/x-mpu');
    assert.deepEqual(head.Metadata, { kind: 'mpu' });
    const whole = await getBytes(bucket, key);
    assert.ok(whole.equals(Buffer.concat([part1, part2, part3])), 'completed object differs from its parts');

    // A range that straddles the part 1 / part 2 boundary.
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${5 * MiB - 3}-${5 * MiB + 2}` }));
    assert.deepEqual(await bodyOf(out), Buffer.concat([part1.subarray(-3), part2.subarray(0, 3)]));

    const after = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.ok(!(after.Uploads ?? []).some((u) => u.UploadId === uploadId), 'completed upload still listed');
    await expectS3Error(s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId })), 'NoSuchUpload', 404);
  });

  it('UploadPartCopy copies a byte range of another object into a part', async () => {
    const source = randomBytes(6 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy-src', Body: source }));
    const key = 'from-copy';
    const uploadId = await create(key);
    const copied = await s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: 1,
        CopySource: `${bucket}/copy-src`,
        CopySourceRange: `bytes=0-${5 * MiB - 1}`,
      }),
    );
    const firstPart = source.subarray(0, 5 * MiB);
    assert.equal(copied.CopyPartResult?.ETag, quoteMd5(firstPart));
    const e2 = await upload(key, uploadId, 2, part3);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: copied.CopyPartResult?.ETag ?? '' },
            { PartNumber: 2, ETag: e2 },
          ],
        },
      }),
    );
    assert.ok((await getBytes(bucket, key)).equals(Buffer.concat([firstPart, part3])));
  });

  it('aborts an upload: its parts are gone and it is no longer listed', async () => {
    const key = 'aborted';
    const uploadId = await create(key);
    await upload(key, uploadId, 1, part3);
    const out = await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    await expectS3Error(s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId })), 'NoSuchUpload', 404);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.ok(!(uploads.Uploads ?? []).some((u) => u.UploadId === uploadId));
    await expectStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), 404);
  });

  it('a part under 5 MiB that is not the last gives 400 EntityTooSmall', async () => {
    const key = 'too-small';
    const uploadId = await create(key);
    const e1 = await upload(key, uploadId, 1, part3);
    const e2 = await upload(key, uploadId, 2, part3);
    await expectS3Error(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: e1 },
              { PartNumber: 2, ETag: e2 },
            ],
          },
        }),
      ),
      'EntityTooSmall',
      400,
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  });

  it('a wrong ETag or a part never uploaded gives 400 InvalidPart', async () => {
    const key = 'invalid-part';
    const uploadId = await create(key);
    // Part 1 is full-size so that EntityTooSmall cannot be the answer.
    const e1 = await upload(key, uploadId, 1, part1);
    for (const parts of [
      [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }],
      [
        { PartNumber: 1, ETag: e1 },
        { PartNumber: 2, ETag: e1 },
      ],
    ]) {
      await expectS3Error(
        s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } })),
        'InvalidPart',
        400,
      );
    }
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  });

  it('parts listed out of order give 400 InvalidPartOrder', async () => {
    const key = 'order';
    const uploadId = await create(key);
    const e1 = await upload(key, uploadId, 1, part1);
    const e2 = await upload(key, uploadId, 2, part3);
    await expectS3Error(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 2, ETag: e2 },
              { PartNumber: 1, ETag: e1 },
            ],
          },
        }),
      ),
      'InvalidPartOrder',
      400,
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  });

  it('an unknown upload id gives 404 NoSuchUpload for every multipart call', async () => {
    const id = 'this-upload-id-does-not-exist';
    await expectS3Error(
      s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId: id, PartNumber: 1, Body: 'x' })),
      'NoSuchUpload',
      404,
    );
    await expectS3Error(s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'k', UploadId: id })), 'NoSuchUpload', 404);
    await expectS3Error(s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'k', UploadId: id })), 'NoSuchUpload', 404);
    await expectS3Error(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'k',
          UploadId: id,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] },
        }),
      ),
      'NoSuchUpload',
      404,
    );
  });
});

describe('additional checksums', { timeout: 60_000 }, () => {
  let bucket: string;
  const algorithms: ChecksumName[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];
  const field = (a: ChecksumName): `Checksum${ChecksumName}` => `Checksum${a}`;
  before(async () => {
    bucket = await createBucket('sdk-checksums');
  });

  for (const alg of algorithms) {
    it(`${alg}: stored on PUT (header) and returned by GET/HEAD with ChecksumMode ENABLED`, async () => {
      const data = randomBytes(100_000);
      const expected = checksumBase64(alg, data);
      const key = `sum-${alg}`;
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ChecksumAlgorithm: alg }));
      assert.equal(put[field(alg)], expected, 'PutObject response checksum');
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[field(alg)], expected, 'HeadObject checksum');
      const get = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(get[field(alg)], expected, 'GetObject checksum');
      assert.ok((await bodyOf(get)).equals(data));
    });

    it(`${alg}: stored from an aws-chunked trailer on a streamed PUT`, async () => {
      const chunks = [randomBytes(70_000), randomBytes(70_000), randomBytes(123)];
      const data = Buffer.concat(chunks);
      const key = `sum-stream-${alg}`;
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: Readable.from(chunks), ContentLength: data.length, ChecksumAlgorithm: alg }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[field(alg)], checksumBase64(alg, data));
    });
  }

  it('a checksum that does not match the body gives 400 BadDigest and stores nothing', async () => {
    const wrong = checksumBase64('CRC32', Buffer.from('something else'));
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'bad-sum', Body: 'the real body', ChecksumCRC32: wrong })),
      'BadDigest',
      400,
    );
    await expectStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'bad-sum' })), 404);
  });

  it('a Content-MD5 that does not match the body gives 400 BadDigest', async () => {
    const wrongMd5 = createHash('md5').update('other').digest('base64');
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'bad-md5', Body: 'the real body', ContentMD5: wrongMd5 })),
      'BadDigest',
      400,
    );
  });
});

describe('multipart checksums', { timeout: 120_000 }, () => {
  let bucket: string;
  const parts = [randomBytes(5 * MiB), randomBytes(1000)];
  before(async () => {
    bucket = await createBucket('sdk-mpu-sums');
  });

  it('SHA256 (COMPOSITE): each part checked, the object gets the checksum of checksums with -N', async () => {
    const key = 'composite';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'SHA256' }));
    assert.ok(UploadId);
    const done: Array<{ PartNumber: number; ETag: string; ChecksumSHA256: string }> = [];
    for (const [i, body] of parts.entries()) {
      const out: UploadPartCommandOutput = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'SHA256' }),
      );
      assert.equal(out.ChecksumSHA256, checksumBase64('SHA256', body), `part ${i + 1} checksum`);
      done.push({ PartNumber: i + 1, ETag: out.ETag ?? '', ChecksumSHA256: out.ChecksumSHA256 ?? '' });
    }
    const complete = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: done } }),
    );
    const raw = Buffer.concat(done.map((p) => Buffer.from(p.ChecksumSHA256, 'base64')));
    const expected = `${createHash('sha256').update(raw).digest('base64')}-${parts.length}`;
    assert.equal(complete.ChecksumSHA256, expected);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumSHA256, expected);
    assert.equal(head.ChecksumType, 'COMPOSITE');
  });

  it('CRC64NVME (FULL_OBJECT): the object gets the CRC of all its bytes, without -N', async () => {
    const key = 'full-object';
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT' }),
    );
    assert.ok(UploadId);
    const done: Array<{ PartNumber: number; ETag: string; ChecksumCRC64NVME: string }> = [];
    for (const [i, body] of parts.entries()) {
      const out: UploadPartCommandOutput = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'CRC64NVME' }),
      );
      assert.equal(out.ChecksumCRC64NVME, checksumBase64('CRC64NVME', body), `part ${i + 1} checksum`);
      done.push({ PartNumber: i + 1, ETag: out.ETag ?? '', ChecksumCRC64NVME: out.ChecksumCRC64NVME ?? '' });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: done } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC64NVME, checksumBase64('CRC64NVME', Buffer.concat(parts)));
    assert.equal(head.ChecksumType, 'FULL_OBJECT');
  });

  it('a part whose checksum does not match its body is 400 BadDigest', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'bad-part', ChecksumAlgorithm: 'SHA256' }));
    assert.ok(UploadId);
    await expectS3Error(
      s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'bad-part',
          UploadId,
          PartNumber: 1,
          Body: 'part body',
          ChecksumSHA256: checksumBase64('SHA256', Buffer.from('another body')),
        }),
      ),
      'BadDigest',
      400,
    );
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'bad-part', UploadId }));
  });
});

describe('conditional writes', { timeout: 60_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = await createBucket('sdk-cond-write');
  });

  it('If-None-Match: * creates a missing key and refuses to overwrite with 412 PreconditionFailed', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    assert.equal(first.$metadata.httpStatusCode, 200);
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'second', IfNoneMatch: '*' })),
      'PreconditionFailed',
      412,
    );
    assert.equal((await getBytes(bucket, 'once')).toString(), 'first');
  });

  it('If-Match overwrites only the expected version', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cas', Body: 'v1' }));
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cas', Body: 'v2', IfMatch: '"0000"' })),
      'PreconditionFailed',
      412,
    );
    assert.equal((await getBytes(bucket, 'cas')).toString(), 'v1');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cas', Body: 'v2', IfMatch: put.ETag ?? '' }));
    assert.equal((await getBytes(bucket, 'cas')).toString(), 'v2');
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'missing', Body: 'x', IfMatch: put.ETag ?? '' })),
      'NoSuchKey',
      404,
    );
  });
});

describe('presigned URLs (shared signer, plain fetch)', { timeout: 60_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = await createBucket('sdk-presign');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'p.txt', Body: 'presigned body' }));
  });
  const host = (): string => new URL(node.s3Url).host;
  const creds = (): { accessKey: string; secretKey: string } => ({ accessKey: node.accessKey, secretKey: node.secretKey });

  it('GET with a presigned URL returns the object', async () => {
    const url = presign({ method: 'GET', path: `/${bucket}/p.txt`, headers: [['host', host()]], creds: creds(), expiresIn: 300 });
    const res = await fetch(node.s3Url + url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'presigned body');
  });

  it('PUT with a presigned URL stores the body', async () => {
    const url = presign({ method: 'PUT', path: `/${bucket}/uploaded.txt`, headers: [['host', host()]], creds: creds(), expiresIn: 300 });
    const res = await fetch(node.s3Url + url, { method: 'PUT', body: 'uploaded via presign' });
    assert.equal(res.status, 200, await res.text());
    assert.equal((await getBytes(bucket, 'uploaded.txt')).toString(), 'uploaded via presign');
  });

  it('a tampered presigned URL gives 403 SignatureDoesNotMatch', async () => {
    const url = presign({ method: 'GET', path: `/${bucket}/p.txt`, headers: [['host', host()]], creds: creds(), expiresIn: 300 });
    const res = await fetch(node.s3Url + url.replace('/p.txt', '/other.txt'));
    assert.equal(res.status, 403);
    assert.equal(errorCode(await res.text()), 'SignatureDoesNotMatch');
  });

  it('an expired presigned URL gives 403 AccessDenied', async () => {
    const url = presign({
      method: 'GET',
      path: `/${bucket}/p.txt`,
      headers: [['host', host()]],
      creds: creds(),
      expiresIn: 60,
      now: new Date(Date.now() - 120_000),
    });
    const res = await fetch(node.s3Url + url);
    assert.equal(res.status, 403);
    const body = await res.text();
    assert.equal(errorCode(body), 'AccessDenied');
    assert.match(body, /Request has expired/);
  });
});

describe('authentication errors', { timeout: 30_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = await createBucket('sdk-auth');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'private', Body: 'secret stuff' }));
  });

  it('a wrong secret gives 403 SignatureDoesNotMatch', async () => {
    const bad = sdkClient(node, { credentials: { accessKeyId: node.accessKey, secretAccessKey: 'x'.repeat(40) } });
    await expectS3Error(bad.send(new GetObjectCommand({ Bucket: bucket, Key: 'private' })), 'SignatureDoesNotMatch', 403);
    await expectS3Error(bad.send(new ListBucketsCommand({})), 'SignatureDoesNotMatch', 403);
    bad.destroy();
  });

  it('an unknown access key gives 403 InvalidAccessKeyId', async () => {
    const bad = sdkClient(node, { credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: node.secretKey } });
    await expectS3Error(bad.send(new GetObjectCommand({ Bucket: bucket, Key: 'private' })), 'InvalidAccessKeyId', 403);
    bad.destroy();
  });

  it('anonymous requests to a private bucket get 403 AccessDenied (XML error)', async () => {
    for (const path of [`/${bucket}/private`, `/${bucket}`, '/']) {
      const res = await fetch(node.s3Url + path);
      assert.equal(res.status, 403, `anonymous GET ${path}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/xml/);
      assert.equal(errorCode(await res.text()), 'AccessDenied', `anonymous GET ${path}`);
    }
    const put = await fetch(`${node.s3Url}/${bucket}/anon-put`, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 403);
    assert.equal(errorCode(await put.text()), 'AccessDenied');
    await expectStatus(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'anon-put' })), 404);
  });
});
