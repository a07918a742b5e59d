/**
 * Object bodies are stored as fixed-size chunks (storage.chunk_size_mib): ranges across
 * chunk boundaries, multipart parts of several chunks, and what a GET does when a chunk
 * file is gone (a clean 500 before any header, not a 200 reset mid-body).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient } from '../helpers/s3-client.js';
import { sha256 } from '../helpers/random-files.js';

const MiB = 1024 * 1024;
let node: AnodeNode;

before(async () => {
  node = await startNode({ env: { ANODE_STORAGE_CHUNK_SIZE_MIB: '1' } });
});
after(async () => node.cleanup());

async function chunkFiles(): Promise<string[]> {
  const dir = join(node.dataDir, 'chunks');
  const out: string[] = [];
  for (const shard of await readdir(dir)) {
    if (shard.startsWith('.')) continue;
    out.push(...(await readdir(join(dir, shard))).map((name) => join(dir, shard, name)));
  }
  return out.sort();
}

async function getRange(bucket: string, key: string, range?: string): Promise<Buffer> {
  const got = await sdkClient(node).send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: range } : {}) }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

test('a body is stored as chunk_size_mib chunks; ranges across their boundaries read right', async () => {
  const s3 = sdkClient(node);
  await s3.send(new CreateBucketCommand({ Bucket: 'chunked' }));
  const before = (await chunkFiles()).length;
  const body = randomBytes(3 * MiB + 5);
  await s3.send(new PutObjectCommand({ Bucket: 'chunked', Key: 'k', Body: body }));
  assert.equal((await chunkFiles()).length - before, 4, '1 MiB chunks: 3 full ones and a 5-byte tail');
  assert.equal(sha256(await getRange('chunked', 'k')), sha256(body));
  for (const [start, end] of [
    [0, 0],
    [MiB - 1, MiB],
    [MiB, MiB],
    [3 * MiB + 4, 3 * MiB + 4],
    [MiB - 10, 3 * MiB + 2],
  ] as const) {
    assert.deepEqual(await getRange('chunked', 'k', `bytes=${start}-${end}`), body.subarray(start, end + 1), `${start}-${end}`);
  }
  // An empty body leaves no chunk at all.
  const count = (await chunkFiles()).length;
  await s3.send(new PutObjectCommand({ Bucket: 'chunked', Key: 'empty', Body: Buffer.alloc(0) }));
  assert.equal((await chunkFiles()).length, count);
  assert.equal((await getRange('chunked', 'empty')).length, 0);
});

test('a multipart object of multi-chunk parts reads back whole and part by part', async () => {
  const s3 = sdkClient(node);
  await s3.send(new CreateBucketCommand({ Bucket: 'mpchunks' }));
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'mpchunks', Key: 'big' }));
  const parts = [randomBytes(5 * MiB + 3), randomBytes(MiB + 1)];
  const etags: string[] = [];
  for (const [i, p] of parts.entries()) {
    const r = await s3.send(new UploadPartCommand({ Bucket: 'mpchunks', Key: 'big', UploadId, PartNumber: i + 1, Body: p }));
    etags.push(r.ETag!);
  }
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: 'mpchunks',
      Key: 'big',
      UploadId,
      MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
    }),
  );
  assert.equal(sha256(await getRange('mpchunks', 'big')), sha256(Buffer.concat(parts)));
  const second = await s3.send(new GetObjectCommand({ Bucket: 'mpchunks', Key: 'big', PartNumber: 2 }));
  assert.equal(sha256(Buffer.from(await second.Body!.transformToByteArray())), sha256(parts[1]!));
});

test('a GET whose first chunk file is missing answers 500 InternalError, logged; other ranges still work', async () => {
  const s3 = sdkClient(node);
  await s3.send(new CreateBucketCommand({ Bucket: 'lost' }));
  const existing = new Set(await chunkFiles());
  const body = randomBytes(MiB + 1);
  await s3.send(new PutObjectCommand({ Bucket: 'lost', Key: 'k', Body: body }));
  const mine = (await chunkFiles()).filter((f) => !existing.has(f));
  assert.equal(mine.length, 2);
  // The first chunk is the full one (1 MiB); the second holds the last byte.
  const sizes = await Promise.all(mine.map(async (f) => (await stat(f)).size));
  await unlink(mine[sizes.indexOf(MiB)]!);
  await expectS3Error(getRange('lost', 'k'), 'InternalError', 500);
  await expectS3Error(getRange('lost', 'k', 'bytes=5-10'), 'InternalError', 500);
  // A range that touches only the intact chunk never opens the missing one.
  assert.deepEqual(await getRange('lost', 'k', `bytes=${MiB}-${MiB}`), body.subarray(MiB));
  assert.match(node.output(), /internal error/);
  assert.match(node.output(), /ChunkNotFound/);
});
