/**
 * GC must never collect a chunk a write still needs (hardening issue §3). With
 * gc.orphan_grace_seconds = 0, GC runs back to back while 8 writers PUT objects of several
 * chunks each (1 MiB chunks, 2.5 MiB bodies): every PUT answers 200, and every object answered
 * 200 reads back byte for byte afterwards. Before the in-flight registry, GC took both the
 * temporaries being written (500s) and chunks between their write and the commit (lost objects).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AdminClient } from '../../shared/src/admin-api/client.js';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient } from '../helpers/s3-client.js';

const WRITERS = 8;
const PUTS_PER_WRITER = 6;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let node: AnodeNode;
let s3: S3Client;
before(async () => {
  node = await startNode({
    env: { ANODE_GC_ORPHAN_GRACE_SECONDS: '0', ANODE_GC_TRASH_DELAY_SECONDS: '0', ANODE_STORAGE_CHUNK_SIZE_MIB: '1' },
  });
  s3 = sdkClient(node);
  await s3.send(new CreateBucketCommand({ Bucket: 'gcrace' }));
});
after(async () => {
  s3?.destroy();
  await node?.cleanup();
});

it(`GC with grace 0 running beside ${WRITERS} writers: every PUT succeeds and every object reads back`, async () => {
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  let writing = true;
  let gcRuns = 0;
  const gcLoop = (async () => {
    while (writing) {
      await admin.runGc(true);
      gcRuns++;
    }
  })();
  const written = new Map<string, string>();
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; i < PUTS_PER_WRITER; i++) {
        const key = `w${w}/o${i}`;
        const body = randomBytes(2.5 * 1024 * 1024);
        try {
          await s3.send(new PutObjectCommand({ Bucket: 'gcrace', Key: key, Body: body }));
          written.set(key, sha(body));
        } catch (err) {
          failures.push(`${key}: ${String(err)}`);
        }
      }
    }),
  );
  writing = false;
  await gcLoop;
  assert.deepEqual(failures, [], 'every PUT answered 200');
  assert.ok(gcRuns >= 3, `GC ran during the writes (${gcRuns} runs)`);
  await admin.runGc(true);
  for (const [key, digest] of written) {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'gcrace', Key: key }));
    assert.equal(sha(await got.Body!.transformToByteArray()), digest, `${key} reads back whole`);
  }
});
