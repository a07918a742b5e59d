/**
 * Orphan replicas in a real three-node cluster (R=3, W=2, 1 MiB chunks): the coordinating
 * node is killed with SIGKILL in the middle of a PUT, so its peers hold replicas of an
 * object that never committed —
 * - recorded ones (the chunk's holders were in chunk_replicas, the object row never came),
 *   which pass to the other nodes' GC once the coordinator is down past repair_grace_seconds;
 * - unrecorded ones (durable on the peers, the coordinator died before recording them):
 *   made here exactly as the dead coordinator's last calls would, PutChunk over mutual TLS
 *   with its own certificate, and nothing recorded.
 * `anodectl gc run --wait` on a survivor removes both kinds from every node, keeps an
 * unrecorded replica still inside its grace time and every chunk of a committed object,
 * and the disks are then counted: every chunk file on every node is one that
 * chunk_replicas names for that node, or the one in grace. After the coordinator comes
 * back, a repair pass and another GC run clean its own disk the same way.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type AnodeNode } from '../helpers/anode-node.js';
import { nodeCredentials, putChunk } from '../helpers/chunk-service.js';
import { startAnodeCluster, type TestCluster } from '../helpers/anode-cluster.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { isolatedEnv, runCli } from '../cli/run-cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RPC_TIMEOUT_MS = 2000;
// A replica no record names is judged only past the transfer deadline of a whole chunk
// plus a commit's deadline: 2 × 2 s + 1 MiB × 4 s/MiB (ReplicatedChunkStore.strayFloorMs).
const STRAY_FLOOR_MS = 2 * RPC_TIMEOUT_MS + 4000;

let c: TestCluster;
let bucket: string;

before(async () => {
  c = await startAnodeCluster({
    env: {
      ANODE_GC_INTERVAL_SECONDS: '0',
      ANODE_GC_ORPHAN_GRACE_SECONDS: '0',
      ANODE_CLUSTER_REPAIR_INTERVAL_SECONDS: '0',
      ANODE_CLUSTER_REPAIR_GRACE_SECONDS: '2',
      ANODE_CLUSTER_RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS),
    },
  });
  bucket = uniqueBucket('orphans');
  await sdkClient(c.nodes[1]!).send(new CreateBucketCommand({ Bucket: bucket }));
});

after(async () => {
  await c?.cleanup();
});

const cli = (node: AnodeNode, args: string[]) =>
  runCli(['--endpoint', node.adminUrl, ...args], {
    env: isolatedEnv({ ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey }),
    timeoutMs: 120_000,
  });

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return c.pg.superQuery<T & Record<string, unknown>>(text, params, c.database) as Promise<T[]>;
}

async function filesOn(node: AnodeNode): Promise<Set<string>> {
  const root = join(node.dataDir, 'chunks');
  const out = new Set<string>();
  for (const shard of await readdir(root)) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const f of await readdir(join(root, shard))) if (/^[0-9a-f]{32}$/.test(f)) out.add(f);
  }
  return out;
}

/** The chunks chunk_replicas says `nodeId` holds. */
async function recordedOn(nodeId: string): Promise<Set<string>> {
  const rows = await sql<{ chunk_id: string }>('SELECT chunk_id FROM chunk_replicas WHERE $1 = ANY(nodes)', [nodeId]);
  return new Set(rows.map((r) => r.chunk_id));
}

async function ageFile(node: AnodeNode, id: string, ms: number): Promise<void> {
  const t = new Date(Date.now() - ms);
  await utimes(join(node.dataDir, 'chunks', id.slice(0, 2), id), t, t);
}

async function gcRun(node: AnodeNode): Promise<{ orphans_removed: number; pending: { orphans_in_grace: number } }> {
  const r = await cli(node, ['--json', 'gc', 'run', '--wait']);
  assert.equal(r.code, 0, r.stderr);
  const status = JSON.parse(r.stdout) as {
    last: { orphans_removed: number; pending: { orphans_in_grace: number } } | null;
    last_error: string | null;
  };
  assert.equal(status.last_error, null);
  return status.last!;
}

test('kill -9 of the coordinator mid-PUT: GC on a survivor reclaims its orphan replicas on every node, and nothing else', async () => {
  const [n1, n2, n3] = c.nodes as [AnodeNode, AnodeNode, AnodeNode];
  // A committed object, written through node 2: its chunks must all survive.
  const keep = randomBytes(3 << 20);
  await sdkClient(n2).send(new PutObjectCommand({ Bucket: bucket, Key: 'keep', Body: keep }));

  // A slow 24 MiB PUT through node 1, killed once at least three of its chunks are recorded.
  const size = 24 << 20;
  async function* slow(): AsyncGenerator<Buffer> {
    for (let sent = 0; sent < size; sent += 256 << 10) {
      yield randomBytes(256 << 10);
      await sleep(40);
    }
  }
  const put = sdkClient(n1)
    .send(new PutObjectCommand({ Bucket: bucket, Key: 'lost', Body: Readable.from(slow()), ContentLength: size }))
    .then(
      () => 'committed',
      () => 'failed',
    );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [row] = await sql<{ n: string }>("SELECT count(*) AS n FROM chunk_replicas WHERE coordinator = 'node1'");
    if (Number(row!.n) >= 3) break;
    assert.ok(Date.now() < deadline, 'node 1 never recorded three chunks');
    await sleep(50);
  }
  await n1.kill9();
  const killedAt = Date.now();
  assert.equal(await put, 'failed', 'the PUT did not commit');
  const recordedOrphans = new Set(
    (await sql<{ chunk_id: string }>("SELECT chunk_id FROM chunk_replicas WHERE coordinator = 'node1'")).map((r) => r.chunk_id),
  );
  assert.ok(recordedOrphans.size >= 3);
  for (const id of recordedOrphans) assert.ok((await filesOn(n2)).has(id) || (await filesOn(n3)).has(id), 'on a survivor');

  // The crash window itself: replicas durable on the peers, never recorded. One old enough
  // to judge on both survivors, one on node 2 only (and below, one still inside its grace time).
  const strayOld = randomBytes(16).toString('hex');
  const strayOld2 = randomBytes(16).toString('hex');
  const strayYoung = randomBytes(16).toString('hex');
  for (const port of [c.grpcPorts[1]!, c.grpcPorts[2]!])
    await putChunk(port, nodeCredentials(c.ca, 'node1'), strayOld, randomBytes(64 << 10));
  await putChunk(c.grpcPorts[1]!, nodeCredentials(c.ca, 'node1'), strayOld2, randomBytes(1000));
  for (const n of [n2, n3]) await ageFile(n, strayOld, 3_600_000);
  await ageFile(n2, strayOld2, 3_600_000);
  assert.ok((await filesOn(n2)).has(strayOld) && (await filesOn(n3)).has(strayOld) && (await filesOn(n2)).has(strayOld2));

  // Node 1 is seen as down, and for longer than repair_grace_seconds: its chunks are the survivors' to judge.
  for (;;) {
    const r = await cli(n2, ['--json', 'cluster', 'status']);
    const nodes = (JSON.parse(r.stdout) as { nodes: { node_id: string; state: string }[] }).nodes;
    if (nodes.find((x) => x.node_id === 'node1')?.state === 'down') break;
    assert.ok(Date.now() - killedAt < 20_000, 'node 1 never seen as down');
    await sleep(250);
  }
  await sleep(2500);
  // Every survivor's replica of the crashed write is older than the floor by now (or made so above).
  while (Date.now() - killedAt < STRAY_FLOOR_MS + 500) await sleep(200);

  // ...and one made just now: a write that may still record it.
  for (const port of [c.grpcPorts[1]!, c.grpcPorts[2]!])
    await putChunk(port, nodeCredentials(c.ca, 'node1'), strayYoung, randomBytes(4096));
  const stats = await gcRun(n2);
  // Recorded orphans: one delete each (reaching every replica); unrecorded: one per replica.
  assert.ok(stats.orphans_removed >= recordedOrphans.size + 3, JSON.stringify(stats));
  assert.ok(stats.pending.orphans_in_grace >= 2, 'the young stray on two nodes is left for later');
  const [left] = await sql<{ n: string }>("SELECT count(*) AS n FROM chunk_replicas WHERE coordinator = 'node1'");
  assert.equal(Number(left!.n), 0, 'no record of the lost write is left');
  // Counted on the disks: every file is a recorded replica of that node, or the young stray.
  for (const [n, id] of [
    [n2, 'node2'],
    [n3, 'node3'],
  ] as const) {
    const files = await filesOn(n);
    const recorded = await recordedOn(id);
    const unexplained = [...files].filter((f) => !recorded.has(f) && f !== strayYoung);
    assert.deepEqual(unexplained, [], `${id}: files no record names`);
    for (const f of recorded) assert.ok(files.has(f), `${id}: recorded chunk ${f} still on disk`);
    assert.ok(files.has(strayYoung), `${id}: the stray in grace is kept`);
    for (const gone of [strayOld, strayOld2, ...recordedOrphans]) assert.ok(!files.has(gone), `${id}: ${gone} reclaimed`);
  }
  // The committed object is whole, read through the node that did not write it.
  const got = await sdkClient(n3).send(new GetObjectCommand({ Bucket: bucket, Key: 'keep' }));
  assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(keep));

  // The coordinator comes back: its own copies of the lost write are unrecorded now.
  const onN1Before = await filesOn(n1);
  assert.ok(
    [...recordedOrphans].some((id) => onN1Before.has(id)),
    'node 1 held replicas of its own write',
  );
  await n1.restart();
  for (;;) {
    const r = await cli(n2, ['--json', 'cluster', 'status']);
    const nodes = (JSON.parse(r.stdout) as { nodes: { node_id: string; state: string }[] }).nodes;
    if (nodes.find((x) => x.node_id === 'node1')?.state === 'active') break;
    assert.ok(Date.now() - killedAt < 90_000, 'node 1 never active again');
    await sleep(250);
  }
  const repair = await cli(n2, ['--json', 'cluster', 'repair', '--wait']);
  assert.equal(repair.code, 0, repair.stderr);
  await gcRun(n2);
  const files = await filesOn(n1);
  const recorded = await recordedOn('node1');
  assert.deepEqual(
    [...files].filter((f) => !recorded.has(f)),
    [],
    'node 1: every file is a recorded replica',
  );
  for (const id of recordedOrphans) assert.ok(!files.has(id));
});
