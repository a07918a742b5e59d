/**
 * CopyObject of a single-part object shares the source's chunks (reference-counted):
 * deleting the source and running GC must leave the copy whole.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient } from '../helpers/s3-client.js';
import { sha256 } from '../helpers/random-files.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';

let node: AnodeNode;

before(async () => {
  // Trash is emptied at once so GC would delete a shared chunk if references were not counted.
  node = await startNode({ env: { ANODE_GC_TRASH_DELAY_SECONDS: '0', ANODE_GC_ORPHAN_GRACE_SECONDS: '0' } });
});
after(async () => node.cleanup());

test('a copy survives deletion of its source and a GC run', async () => {
  const s3 = sdkClient(node);
  await s3.send(new CreateBucketCommand({ Bucket: 'copygc' }));
  const body = randomBytes(3 * 1024 * 1024);
  await s3.send(new PutObjectCommand({ Bucket: 'copygc', Key: 'src', Body: body }));
  const copy = await s3.send(new CopyObjectCommand({ Bucket: 'copygc', Key: 'dst', CopySource: 'copygc/src' }));
  assert.match(copy.CopyObjectResult?.ETag ?? '', /^"[0-9a-f]{32}"$/);
  await s3.send(new DeleteObjectCommand({ Bucket: 'copygc', Key: 'src' }));
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  await admin.runGc(true);
  const got = await s3.send(new GetObjectCommand({ Bucket: 'copygc', Key: 'dst' }));
  assert.equal(sha256(Buffer.from(await got.Body!.transformToByteArray())), sha256(body));
  // Now the last reference goes: GC frees the chunk.
  await s3.send(new DeleteObjectCommand({ Bucket: 'copygc', Key: 'dst' }));
  await admin.runGc(true);
  assert.deepEqual(await chunkFiles(join(node.dataDir, 'chunks')), [], 'no chunk file is left once nothing references it');
});

async function chunkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const shard of await readdir(dir)) {
    if (shard.startsWith('.')) continue;
    out.push(...(await readdir(join(dir, shard))));
  }
  return out;
}
