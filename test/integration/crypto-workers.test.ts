/**
 * [server] workers end to end: a node hashing and encrypting in 3 worker threads and one
 * doing it all inline store the same large bodies with the same ETags and checksums, read
 * back byte-identical (whole and ranged, across segment and chunk edges); a wrong
 * Content-MD5 on a large body is still refused. (That the pooled and inline ciphers read
 * each other's chunks is tested in server/src/chunks/pooled-segments.test.ts.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encryptionKeyFile, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';

const MiB = 1024 * 1024;
const SEG = 64 * 1024;
let keyDir: string;
let keyFile: string;
const nodes: AnodeNode[] = [];

before(async () => {
  ({ dir: keyDir, keyFile } = await encryptionKeyFile('anode-workers-key-'));
});
after(async () => {
  for (const n of nodes) await n.cleanup();
  await rm(keyDir, { recursive: true, force: true });
});

async function start(workers: number): Promise<{ node: AnodeNode; s3: S3Client }> {
  const node = await startNode({
    env: {
      ANODE_SERVER_WORKERS: String(workers),
      ANODE_STORAGE_ENCRYPTION: 'true',
      ANODE_STORAGE_ENCRYPTION_KEY: keyFile,
      ANODE_STORAGE_CHUNK_SIZE_MIB: '2',
    },
  });
  nodes.push(node);
  return { node, s3: sdkClient(node) };
}

const body = async (s3: S3Client, Bucket: string, Key: string, Range?: string) =>
  Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key, ...(Range ? { Range } : {}) }))).Body!.transformToByteArray());

test('pooled and inline nodes agree on ETags and checksums and read back every range', async () => {
  const pooled = await start(3);
  const inline = await start(0);
  assert.match(pooled.node.output(), /"cryptoWorkers":3/);
  assert.match(inline.node.output(), /"cryptoWorkers":0/);
  const data = randomBytes(9 * MiB + 12345);
  const md5 = createHash('md5').update(data).digest();
  const results = [];
  for (const { s3 } of [pooled, inline]) {
    const b = uniqueBucket('workers');
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    const put = await s3.send(
      new PutObjectCommand({ Bucket: b, Key: 'big', Body: data, ContentMD5: md5.toString('base64'), ChecksumAlgorithm: 'CRC32C' }),
    );
    const sha = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'sha', Body: data, ChecksumAlgorithm: 'SHA256' }));
    results.push({ etag: put.ETag, crc: put.ChecksumCRC32C, sha: sha.ChecksumSHA256 });
    assert.ok((await body(s3, b, 'big')).equals(data));
    for (const [s, e] of [
      [0, SEG - 1],
      [SEG - 1, SEG],
      [2 * MiB - 3, 2 * MiB + 5 * SEG + 7],
      [SEG + 1, 9 * MiB],
      [9 * MiB - 1, data.length - 1],
    ] as const) {
      assert.ok((await body(s3, b, 'big', `bytes=${s}-${e}`)).equals(data.subarray(s, e + 1)), `range ${s}-${e}`);
    }
    // A wrong digest of a large body is refused (the pool's MD5 and checksums are checked).
    const wrong = createHash('md5').update('other').digest('base64');
    await expectS3Error(s3.send(new PutObjectCommand({ Bucket: b, Key: 'bad', Body: data, ContentMD5: wrong })), 'BadDigest', 400);
  }
  assert.equal(results[0]!.etag, `"${md5.toString('hex')}"`);
  assert.deepEqual(results[0], results[1]);
  assert.equal(results[0]!.sha, createHash('sha256').update(data).digest('base64'));
});

test('an upload that pauses once its first AES group is sealed is acknowledged only if it reads back (whole, tail range)', async () => {
  // The pause lets the first group's seal come back before the last bytes arrive: the pool
  // once sealed such a tail inline from segment 0, so the PUT succeeded and every GET failed
  // authentication at the chunk's final segment.
  const { s3 } = await start(2);
  const b = uniqueBucket('workers-pause');
  await s3.send(new CreateBucketCommand({ Bucket: b }));
  // [size, where the pause falls]: after the first 1 MiB group of chunk 0 (2 MiB chunks),
  // and after the first group of chunk 1; each chunk's tail is under one group.
  for (const [size, split] of [
    [MiB + SEG + 11, MiB + SEG + 1],
    [3 * MiB + 2 * SEG + 5, 3 * MiB + SEG],
  ] as const) {
    const data = randomBytes(size);
    async function* paused(): AsyncGenerator<Buffer> {
      yield data.subarray(0, split);
      await sleep(400);
      yield data.subarray(split);
    }
    const Key = `paused-${size}`;
    await s3.send(new PutObjectCommand({ Bucket: b, Key, Body: Readable.from(paused()), ContentLength: size }));
    assert.ok((await body(s3, b, Key)).equals(data), `GET of ${size}`);
    assert.ok((await body(s3, b, Key, `bytes=${size - 5}-${size - 1}`)).equals(data.subarray(size - 5)), `tail of ${size}`);
  }
});
