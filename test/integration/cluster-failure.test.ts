/**
 * Concurrent writes and reads while a node dies and comes back, in the Jepsen spirit:
 * clients write unique keys (0 B to 3 MiB) and read back acknowledged ones through every
 * live node for a bounded time; node 3 is killed with SIGKILL a few seconds in and
 * restarted later. Afterwards every acknowledged write must read back whole and
 * byte-identical through every node: none lost, none torn. The run reports its counts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startAnodeCluster, type TestCluster } from '../helpers/anode-cluster.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';

const RUN_MS = 16_000;
const KILL_AT_MS = 4_000;
const RESTART_AT_MS = 10_000;
const CLIENTS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let c: TestCluster;
let bucket: string;
before(async () => {
  c = await startAnodeCluster();
  bucket = uniqueBucket('jepsen');
  await sdkClient(c.nodes[0]!).send(new CreateBucketCommand({ Bucket: bucket }));
});
after(async () => {
  await c?.cleanup();
});

async function get(client: S3Client, key: string): Promise<Buffer> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

test('no acknowledged write is lost or torn while node 3 is killed and restarted', { timeout: 300_000 }, async (t) => {
  const acknowledged = new Map<string, string>();
  const writeFailures: string[] = [];
  const counts = { writesOk: 0, writesFailed: 0, writesCut: 0, readsOk: 0, readsFailed: 0, bytesWritten: 0 };
  const readFailures: string[] = [];
  let node3Up = true;
  const start = Date.now();
  const clients = c.nodes.map((n) => sdkClient(n, { requestHandler: { requestTimeout: 30_000 } as never }));
  const liveNodes = () => (node3Up ? [0, 1, 2] : [0, 1]);

  const chaos = (async () => {
    await sleep(KILL_AT_MS);
    node3Up = false; // the load balancer takes it out as it dies
    await c.nodes[2]!.kill9();
    await sleep(RESTART_AT_MS - KILL_AT_MS);
    await c.nodes[2]!.restart();
    node3Up = true;
  })();

  const worker = async (w: number): Promise<void> => {
    for (let i = 0; Date.now() - start < RUN_MS; i++) {
      const nodes = liveNodes();
      const via = nodes[randomInt(nodes.length)]!;
      if (i % 2 === 0) {
        const key = `w${w}/${i}`;
        const data = randomBytes(randomInt(4) === 0 ? 0 : randomInt(3 * 1024 * 1024));
        try {
          await clients[via]!.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data }));
          acknowledged.set(key, sha(data));
          counts.writesOk++;
          counts.bytesWritten += data.length;
        } catch (err) {
          // Not acknowledged: it may or may not exist, never half. Only a write through the
          // node being killed may fail; nodes 1 and 2 hold a quorum throughout.
          if (via === 2) counts.writesCut++;
          else {
            counts.writesFailed++;
            writeFailures.push(`${key} via node${via + 1}: ${String(err)}`);
          }
        }
      } else {
        const keys = [...acknowledged.keys()];
        if (keys.length === 0) continue;
        const key = keys[randomInt(keys.length)]!;
        try {
          const got = sha(await get(clients[via]!, key));
          if (got !== acknowledged.get(key)) readFailures.push(`${key} via node${via + 1}: different bytes`);
          counts.readsOk++;
        } catch (err) {
          // Only a node dying under the request may fail it; node 1 and 2 never go down.
          if (via === 2) counts.readsFailed++;
          else readFailures.push(`${key} via node${via + 1}: ${String(err)}`);
        }
      }
    }
  };
  await Promise.all([chaos, ...Array.from({ length: CLIENTS }, (_, w) => worker(w))]);

  // Every acknowledged write, through every node (node 3 included, back from the dead).
  let verified = 0;
  for (const [key, digest] of acknowledged) {
    for (const [i, client] of clients.entries()) {
      assert.equal(sha(await get(client, key)), digest, `${key} via node${i + 1}`);
      verified++;
    }
  }
  t.diagnostic(
    `writes acknowledged ${counts.writesOk} (${(counts.bytesWritten / 1048576).toFixed(1)} MiB), writes failed ${counts.writesFailed}, ` +
      `writes cut by the kill ${counts.writesCut}, ` +
      `reads ok ${counts.readsOk}, reads failed on the dying node ${counts.readsFailed}, reads verified after ${verified}`,
  );
  assert.deepEqual(readFailures, []);
  assert.ok(counts.writesOk >= 20, `only ${counts.writesOk} writes acknowledged`);
  // W=2 of R=3 with two nodes always up: a write through node 1 or 2 never needs node 3.
  assert.deepEqual(writeFailures, [], 'no write failed through the two nodes that stayed up');
});
