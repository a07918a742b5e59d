/**
 * Encryption at rest on a real node ([storage] encryption = true, a 0600 key file): no
 * plaintext of an object or its user metadata anywhere under the data dir; every size and
 * range at 64 KiB segment and 1 MiB chunk edges reads back byte-identical (single part,
 * multipart, 100 MiB); a flipped byte, swapped chunk files or a cut chunk make GET fail
 * cleanly with the node still up; SSE-C, SSE-KMS and bucket default encryption with the SDK.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { NodeStartError, encryptionKeyFile, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { sha256 } from '../helpers/random-files.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const SEG = 64 * KiB;
const MARKER = 'ANODE-PLAINTEXT-MARKER-7f3a9c';

let keyDir: string;
let keyFile: string;
let node: AnodeNode;
let s3: S3Client;

before(async () => {
  ({ dir: keyDir, keyFile } = await encryptionKeyFile('anode-enc-key-'));
  node = await startNode({
    env: {
      ANODE_STORAGE_ENCRYPTION: 'true',
      ANODE_STORAGE_ENCRYPTION_KEY: keyFile,
      ANODE_STORAGE_CHUNK_SIZE_MIB: '1',
      ANODE_STORAGE_SSE_C_REQUIRE_TLS: 'false',
    },
  });
  s3 = sdkClient(node);
});
after(async () => {
  await node?.cleanup();
  await rm(keyDir, { recursive: true, force: true });
});

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

async function chunkFiles(): Promise<string[]> {
  return (await allFiles(join(node.dataDir, 'chunks'))).filter((f) => /[0-9a-f]{32}$/.test(f));
}

async function get(bucket: string, key: string, range?: string, extra: Record<string, unknown> = {}): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: range } : {}), ...extra }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/** Bytes that spell the marker over and over, so any leaked run of plaintext shows. */
function markerBytes(size: number): Buffer {
  const unit = Buffer.from(`${MARKER}|`);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += unit.length) unit.copy(out, i, 0, Math.min(unit.length, size - i));
  return out;
}

describe('encryption at rest', { timeout: 600_000 }, () => {
  test('a node refuses to start with a key file that is missing or readable by group/others, naming the file', async () => {
    const loose = join(keyDir, 'loose.key');
    await writeFile(loose, randomBytes(32).toString('hex'));
    await chmod(loose, 0o644);
    for (const path of [loose, join(keyDir, 'missing.key')]) {
      await assert.rejects(
        startNode({ env: { ANODE_STORAGE_ENCRYPTION: 'true', ANODE_STORAGE_ENCRYPTION_KEY: path } }),
        (e: unknown) => e instanceof NodeStartError && e.message.includes(path),
      );
    }
  });

  test('no plaintext of an object body or its user metadata appears anywhere under the data dir', async () => {
    const bucket = uniqueBucket('enc-marker');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'single', Body: markerBytes(3 * MiB + 123), Metadata: { secret: `${MARKER}-meta` } }),
    );
    assert.equal(put.ServerSideEncryption, 'AES256', 'every new object is SSE-S3 with encryption on');
    // Small bodies are kept inline in the metadata row (no chunk file): sealed there too.
    const filesBefore = (await chunkFiles()).length;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'small', Body: MARKER }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'inline-16k', Body: markerBytes(16 * 1024) }));
    assert.equal((await chunkFiles()).length, filesBefore, 'the small bodies wrote no chunk file: they are inline');
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'multi', Metadata: { secret: `${MARKER}-mp` } }));
    assert.equal(up.ServerSideEncryption, 'AES256');
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'multi', UploadId: up.UploadId!, PartNumber: 1, Body: markerBytes(5 * MiB) }),
    );
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'multi', UploadId: up.UploadId!, PartNumber: 2, Body: markerBytes(10) }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'multi',
        UploadId: up.UploadId!,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag! },
            { PartNumber: 2, ETag: p2.ETag! },
          ],
        },
      }),
    );
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/single` }));
    // Readable, metadata included.
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'single' }));
    assert.equal(head.Metadata?.['secret'], `${MARKER}-meta`);
    assert.equal(head.ServerSideEncryption, 'AES256');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy' }))).Metadata?.['secret'], `${MARKER}-meta`);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'multi' }))).Metadata?.['secret'], `${MARKER}-mp`);
    assert.equal((await get(bucket, 'small')).toString(), MARKER);
    // SSE-S3 keeps the MD5 ETag, as AWS does.
    const small = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'small' }));
    assert.equal(small.ETag, `"${createHash('md5').update(MARKER).digest('hex')}"`);
    assert.deepEqual(await get(bucket, 'inline-16k'), markerBytes(16 * 1024));
    assert.deepEqual(await get(bucket, 'inline-16k', 'bytes=100-5000'), markerBytes(16 * 1024).subarray(100, 5001));
    // Every file under the data dir: chunks, the SQLite database and its WAL, keys, logs.
    const files = await allFiles(node.dataDir);
    assert.ok(files.length > 5);
    for (const f of files) {
      const bytes = await readFile(f);
      assert.equal(bytes.includes(MARKER.slice(0, 20)), false, `plaintext marker found in ${f}`);
    }
  });

  test('0 B, 1 B, segment-edge and chunk-edge sizes read back byte-identical, with every edge range', async () => {
    const bucket = uniqueBucket('enc-sizes');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const size of [0, 1, SEG - 1, SEG, SEG + 1, MiB - 1, MiB, MiB + 1, 2 * MiB + SEG + 1]) {
      const data = randomBytes(size);
      const key = `size-${size}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data }));
      assert.equal(sha256(await get(bucket, key)), sha256(data), key);
      if (size === 0) continue;
      const edges = [0, 1, SEG - 1, SEG, SEG + 1, MiB - 1, MiB, MiB + 1, size - 2, size - 1].filter((e) => e >= 0 && e < size);
      for (const s of edges) {
        for (const e of edges) {
          if (e < s) continue;
          assert.deepEqual(await get(bucket, key, `bytes=${s}-${e}`), data.subarray(s, e + 1), `${key} ${s}-${e}`);
        }
      }
      assert.deepEqual(await get(bucket, key, `bytes=-${Math.min(size, SEG + 3)}`), data.subarray(size - Math.min(size, SEG + 3)));
    }
  });

  test('multipart objects (parts of several chunks) and a 100 MiB object read back, ranges across part, chunk and segment edges', async () => {
    const bucket = uniqueBucket('enc-big');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const parts = [randomBytes(5 * MiB + 7), randomBytes(SEG + 1)];
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp' }));
    const etags: string[] = [];
    for (const [i, p] of parts.entries()) {
      etags.push(
        (await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId: up.UploadId!, PartNumber: i + 1, Body: p }))).ETag!,
      );
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: up.UploadId!,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const all = Buffer.concat(parts);
    assert.equal(sha256(await get(bucket, 'mp')), sha256(all));
    const p1 = parts[0]!.length;
    for (const [s, e] of [
      [0, 0],
      [SEG - 1, SEG],
      [MiB - 1, MiB + SEG],
      [5 * MiB - 1, 5 * MiB + 1],
      [p1 - 1, p1],
      [p1, p1 + SEG],
      [p1 - SEG, all.length - 1],
    ] as const) {
      assert.deepEqual(await get(bucket, 'mp', `bytes=${s}-${e}`), all.subarray(s, e + 1), `mp ${s}-${e}`);
    }
    const second = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp', PartNumber: 2 }));
    assert.deepEqual(Buffer.from(await second.Body!.transformToByteArray()), parts[1]);

    const big = randomBytes(100 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big', Body: big }));
    assert.equal(sha256(await get(bucket, 'big')), sha256(big));
    for (const [s, e] of [
      [50 * MiB - 1, 50 * MiB],
      [99 * MiB + SEG - 1, 100 * MiB - 1],
      [7 * MiB + 3, 9 * MiB + SEG],
    ] as const) {
      assert.deepEqual(await get(bucket, 'big', `bytes=${s}-${e}`), big.subarray(s, e + 1), `big ${s}-${e}`);
    }
  });

  test('a flipped byte, swapped chunk files or a cut chunk: GET fails cleanly (500, logged, counted); the node stays up', async () => {
    const bucket = uniqueBucket('enc-tamper');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const before = new Set(await chunkFiles());
    const newChunks = async () => (await chunkFiles()).filter((f) => !before.has(f));
    const a = randomBytes(200 * KiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: a }));
    const [fileA] = await newChunks();
    const b = randomBytes(200 * KiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'b', Body: b }));
    const fileB = (await newChunks()).find((f) => f !== fileA)!;
    const failures = await metric('anode_decrypt_failures_total');
    const origA = await readFile(fileA!);
    const origB = await readFile(fileB);

    // A flipped byte in the first segment: 500 before any byte of body.
    const flipped = Buffer.from(origA);
    flipped[40] = flipped[40]! ^ 0x01;
    await writeFile(fileA!, flipped);
    await expectS3Error(get(bucket, 'a'), 'InternalError', 500);
    // A flip in the last segment: a range touching only it fails cleanly too.
    const late = Buffer.from(origA);
    late[late.length - 30] = late[late.length - 30]! ^ 0x01;
    await writeFile(fileA!, late);
    await expectS3Error(get(bucket, 'a', `bytes=${3 * SEG}-${3 * SEG + 10}`), 'InternalError', 500);
    // ... and a whole-object GET never returns a complete-looking body: the connection is cut.
    await assert.rejects(get(bucket, 'a'));
    assert.deepEqual(await get(bucket, 'a', 'bytes=0-99'), a.subarray(0, 100), 'untouched segments still read');

    // Swapped chunk files (same size, another object's data key and AAD).
    await writeFile(fileA!, origB);
    await writeFile(fileB, origA);
    await expectS3Error(get(bucket, 'a'), 'InternalError', 500);
    await expectS3Error(get(bucket, 'b'), 'InternalError', 500);
    await writeFile(fileA!, origA);
    await writeFile(fileB, origB);
    assert.deepEqual(await get(bucket, 'a'), a);

    // Cut short: at a segment boundary and mid-segment.
    await writeFile(fileA!, origA.subarray(0, 2 * (SEG + 28)));
    await expectS3Error(get(bucket, 'a'), 'InternalError', 500);
    await writeFile(fileA!, origA.subarray(0, origA.length - 5));
    await expectS3Error(get(bucket, 'a'), 'InternalError', 500);
    await writeFile(fileA!, origA);
    assert.deepEqual(await get(bucket, 'a'), a);

    assert.ok(node.running(), 'the node stays up');
    assert.ok((await metric('anode_decrypt_failures_total')) >= failures + 4);
    assert.match(node.output(), /chunk failed authentication/);
    assert.equal((await stat(fileA!)).size, origA.length);
  });

  test('SSE-C with the SDK: put, get, head, ranges; wrong key 403, missing key 400; copy and multipart need the key', async () => {
    const bucket = uniqueBucket('enc-ssec');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const key = randomBytes(32);
    const wrong = randomBytes(32);
    const keyMd5 = createHash('md5').update(key).digest('base64');
    const ssec = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key as unknown as string };
    const data = randomBytes(3 * MiB + 5);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: data, Metadata: { m: 'v' }, ...ssec }));
    assert.equal(put.SSECustomerAlgorithm, 'AES256');
    assert.equal(put.SSECustomerKeyMD5, keyMd5);
    assert.equal(put.ServerSideEncryption, undefined);
    // As in AWS, an SSE-C object's ETag is not the MD5 of its plaintext (ListObjects shows it to
    // anyone allowed to list); it is stable for the object.
    const md5 = createHash('md5').update(data).digest('hex');
    assert.notEqual(put.ETag, `"${md5}"`);
    assert.match(put.ETag ?? '', /^"[0-9a-f]{32}"$/);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c', ...ssec }))).ETag, put.ETag);
    assert.equal(sha256(await get(bucket, 'c', undefined, ssec)), sha256(data));
    assert.deepEqual(await get(bucket, 'c', `bytes=${MiB - 1}-${MiB + SEG}`, ssec), data.subarray(MiB - 1, MiB + SEG + 1));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c', ...ssec }));
    assert.equal(head.SSECustomerKeyMD5, keyMd5);
    assert.equal(head.Metadata?.['m'], 'v');
    await expectS3Error(get(bucket, 'c'), 'InvalidRequest', 400);
    await expectS3Error(get(bucket, 'c', undefined, { SSECustomerAlgorithm: 'AES256', SSECustomerKey: wrong }), 'AccessDenied', 403);
    // HEAD has no error body: only the status tells.
    for (const [extra, status] of [
      [{ SSECustomerAlgorithm: 'AES256', SSECustomerKey: wrong as unknown as string }, 403],
      [{}, 400],
    ] as const) {
      await assert.rejects(
        s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c', ...extra })),
        (e: { $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(e.$metadata?.httpStatusCode, status);
          return true;
        },
      );
    }
    // A customer key for an object that is not SSE-C.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'plain', Body: 'x' }));
    await expectS3Error(get(bucket, 'plain', undefined, ssec), 'InvalidRequest', 400);

    // Copy: the source key is needed; the copy may be SSE-S3 or SSE-C under another key.
    await expectS3Error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'c2', CopySource: `${bucket}/c` })), 'InvalidRequest', 400);
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'c2',
        CopySource: `${bucket}/c`,
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: key as unknown as string,
      }),
    );
    assert.equal(copied.ServerSideEncryption, 'AES256');
    assert.equal(sha256(await get(bucket, 'c2')), sha256(data));
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'c3',
        CopySource: `${bucket}/c`,
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: key as unknown as string,
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: wrong as unknown as string,
      }),
    );
    assert.equal(sha256(await get(bucket, 'c3', undefined, { SSECustomerAlgorithm: 'AES256', SSECustomerKey: wrong })), sha256(data));
    await expectS3Error(get(bucket, 'c3', undefined, ssec), 'AccessDenied', 403);

    // Multipart with SSE-C: every part needs the key; UploadPartCopy from an SSE-C source.
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp', ...ssec }));
    assert.equal(up.SSECustomerAlgorithm, 'AES256');
    const part1 = randomBytes(5 * MiB);
    await expectS3Error(
      s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId: up.UploadId!, PartNumber: 1, Body: part1 })),
      'InvalidRequest',
      400,
    );
    await expectS3Error(
      s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'mp',
          UploadId: up.UploadId!,
          PartNumber: 1,
          Body: part1,
          SSECustomerAlgorithm: 'AES256',
          SSECustomerKey: wrong as unknown as string,
        }),
      ),
      'AccessDenied',
      403,
    );
    const e1 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId: up.UploadId!, PartNumber: 1, Body: part1, ...ssec }),
    );
    assert.equal(e1.SSECustomerKeyMD5, keyMd5);
    const e2 = await s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: up.UploadId!,
        PartNumber: 2,
        CopySource: `${bucket}/c3`,
        CopySourceRange: `bytes=10-${SEG + 20}`,
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: wrong as unknown as string,
        ...ssec,
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: up.UploadId!,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: e1.ETag! },
            { PartNumber: 2, ETag: e2.CopyPartResult!.ETag! },
          ],
        },
        ...ssec,
      }),
    );
    const expected = Buffer.concat([part1, data.subarray(10, SEG + 21)]);
    assert.equal(sha256(await get(bucket, 'mp', undefined, ssec)), sha256(expected));
    await expectS3Error(get(bucket, 'mp'), 'InvalidRequest', 400);
  });

  test('SSE-KMS: a known key id is used and echoed, an unknown one is 400 KMS.NotFoundException; bucket-key header echoed', async () => {
    const bucket = uniqueBucket('enc-kms');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'k',
        Body: 'kms body',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'default',
        BucketKeyEnabled: true,
      }),
    );
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, 'default');
    assert.equal(put.BucketKeyEnabled, true);
    assert.notEqual(put.ETag, `"${createHash('md5').update('kms body').digest('hex')}"`, 'an SSE-KMS ETag is not the MD5');
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    assert.equal(got.ETag, put.ETag);
    assert.equal(got.ServerSideEncryption, 'aws:kms');
    assert.equal(got.SSEKMSKeyId, 'default');
    assert.equal(await got.Body!.transformToString(), 'kms body');
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k2', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'no-such-key' })),
      'KMS.NotFoundException',
      400,
    );
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k2', Body: 'x', ServerSideEncryption: 'AES256', SSEKMSKeyId: 'default' })),
      'InvalidArgument',
      400,
    );
  });

  test('bucket default encryption: Get is 404 until Put; new objects follow it; Delete removes it; unknown KMS key refused', async () => {
    const bucket = uniqueBucket('enc-default');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await expectS3Error(s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'default' }, BucketKeyEnabled: true }],
        },
      }),
    );
    const conf = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    assert.deepEqual(conf.ServerSideEncryptionConfiguration?.Rules, [
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'default' }, BucketKeyEnabled: true },
    ]);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'o', Body: 'by default' }));
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.BucketKeyEnabled, true);
    // A request's own header wins over the default.
    assert.equal(
      (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'o2', Body: 'x', ServerSideEncryption: 'AES256' }))).ServerSideEncryption,
      'AES256',
    );
    await expectS3Error(
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'nope' } }],
          },
        }),
      ),
      'KMS.NotFoundException',
      400,
    );
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
    await expectS3Error(s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    assert.equal((await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'o3', Body: 'x' }))).ServerSideEncryption, 'AES256');
  });

  test('a bucket policy can require SSE on uploads (condition key s3:x-amz-server-side-encryption)', async () => {
    const bucket = uniqueBucket('enc-policy');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const resource = `arn:aws:s3:::${bucket}/*`;
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyWrongSse',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: resource,
              Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
            },
            {
              Sid: 'DenyNoSse',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: resource,
              Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
            },
          ],
        }),
      }),
    );
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'none', Body: 'x' })), 'AccessDenied', 403);
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'aes', Body: 'x', ServerSideEncryption: 'AES256' })),
      'AccessDenied',
      403,
    );
    const ok = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms' }));
    assert.equal(ok.ServerSideEncryption, 'aws:kms');
  });
});

describe('encryption with versioning', () => {
  test('each version keeps its own key, tags and SSE mode; an old SSE-C version is read and copied by id with its key', async () => {
    const bucket = uniqueBucket('enc-ver');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const k1 = randomBytes(32);
    const ssec1 = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: k1 as unknown as string };
    const v1Body = Buffer.from(`${MARKER}-v1-${'a'.repeat(1000)}`);
    const v2Body = Buffer.from(`${MARKER}-v2-${'b'.repeat(1000)}`);
    const v1 = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: v1Body, Tagging: 'gen=1&team=a', Metadata: { m: 'one' }, ...ssec1 }),
    );
    const v2 = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: v2Body, Tagging: 'gen=2', ServerSideEncryption: 'AES256' }),
    );
    assert.match(v1.VersionId ?? '', /^[0-9A-Za-z]{32}$/);
    assert.notEqual(v1.VersionId, v2.VersionId);
    assert.equal(v1.SSECustomerAlgorithm, 'AES256');
    assert.equal(v2.ServerSideEncryption, 'AES256');

    // The current version: SSE-S3, its own tags; no customer key asked.
    const cur = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    assert.equal(cur.VersionId, v2.VersionId);
    assert.equal(cur.ServerSideEncryption, 'AES256');
    assert.equal(cur.TagCount, 1);
    assert.deepEqual(Buffer.from(await cur.Body!.transformToByteArray()), v2Body);

    // The non-current version, by id: still SSE-C (the key is needed), its tags and sealed metadata kept.
    await expectS3Error(get(bucket, 'k', undefined, { VersionId: v1.VersionId }), 'InvalidRequest', 400);
    const old = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v1.VersionId, ...ssec1 }));
    assert.equal(old.VersionId, v1.VersionId);
    assert.equal(old.SSECustomerAlgorithm, 'AES256');
    assert.equal(old.TagCount, 2);
    assert.equal(old.Metadata?.['m'], 'one');
    assert.deepEqual(Buffer.from(await old.Body!.transformToByteArray()), v1Body);
    const wrong = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32) as unknown as string };
    await expectS3Error(get(bucket, 'k', undefined, { VersionId: v1.VersionId, ...wrong }), 'AccessDenied', 403);

    // Copy of the old version (its customer key for the source) into a new SSE-S3 object.
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy',
        CopySource: `${bucket}/k?versionId=${v1.VersionId}`,
        CopySourceSSECustomerAlgorithm: 'AES256',
        CopySourceSSECustomerKey: k1 as unknown as string,
        ServerSideEncryption: 'AES256',
      }),
    );
    assert.equal(copied.CopySourceVersionId, v1.VersionId);
    assert.match(copied.VersionId ?? '', /^[0-9A-Za-z]{32}$/);
    assert.equal(copied.ServerSideEncryption, 'AES256');
    assert.deepEqual(await get(bucket, 'copy'), v1Body);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'copy' }));
    assert.deepEqual(tags.TagSet?.map((t) => `${t.Key}=${t.Value}`).sort(), ['gen=1', 'team=a']);

    // Neither version's plaintext is anywhere under the data dir (both are small: kept inline,
    // the non-current one inside its history record in the database).
    for (const f of await allFiles(node.dataDir)) assert.equal((await readFile(f)).includes(MARKER), false, f);
  });
});
