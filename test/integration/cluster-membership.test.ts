/**
 * Membership changes through anodectl on a real three-node cluster: `cluster status`
 * (table and --json), `cluster drain` (no new chunk goes to the node; it still serves what
 * it holds), `cluster remove` (refused without a terminal unless --yes; the node's
 * certificate is refused from then on and it may not start again under that id), each
 * written to the audit log.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import * as grpc from '@grpc/grpc-js';
import { type AnodeNode } from '../helpers/anode-node.js';
import { chunkServiceHealth, nodeCredentials } from '../helpers/chunk-service.js';
import { startAnodeCluster, type TestCluster } from '../helpers/anode-cluster.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { isolatedEnv, runCli } from '../cli/run-cli.js';

let c: TestCluster;
let bucket: string;
before(async () => {
  c = await startAnodeCluster({ env: { ANODE_CLUSTER_REPAIR_INTERVAL_SECONDS: '0' } });
  bucket = uniqueBucket('members');
  await sdkClient(c.nodes[0]!).send(new CreateBucketCommand({ Bucket: bucket }));
});
after(async () => {
  await c?.cleanup();
});

function cli(node: AnodeNode, args: string[], input?: string) {
  return runCli(['--endpoint', node.adminUrl, ...args], {
    env: isolatedEnv({ ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey }),
    timeoutMs: 60_000,
    ...(input === undefined ? {} : { input }),
  });
}

async function chunkCount(node: AnodeNode): Promise<number> {
  const root = join(node.dataDir, 'chunks');
  let n = 0;
  for (const shard of await readdir(root)) if (/^[0-9a-f]{2}$/.test(shard)) n += (await readdir(join(root, shard))).length;
  return n;
}

test('cluster status: a table for people, JSON with --json', async () => {
  const table = await cli(c.nodes[0]!, ['--no-color', 'cluster', 'status']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /NODE\s+ADDRESS\s+ZONE\s+STATE\s+LAST SEEN\s+CHUNKS\s+BYTES\s+FREE DISK/);
  for (const n of ['node1', 'node2', 'node3']) assert.match(table.stdout, new RegExp(`${n}\\s+127\\.0\\.0\\.1:\\d+\\s+-\\s+active`));
  const json = await cli(c.nodes[0]!, ['--json', 'cluster', 'status']);
  const parsed = JSON.parse(json.stdout) as {
    enabled: boolean;
    replication_factor: number;
    write_quorum: number;
    nodes: Array<{ state: string }>;
  };
  assert.deepEqual([parsed.enabled, parsed.replication_factor, parsed.write_quorum], [true, 3, 2]);
  assert.deepEqual(
    parsed.nodes.map((n) => n.state),
    ['active', 'active', 'active'],
  );
});

test('cluster drain: no new chunk goes to the drained node, which still serves what it holds; audited', async () => {
  const c1 = sdkClient(c.nodes[0]!);
  const before = randomBytes(3 << 20);
  await c1.send(new PutObjectCommand({ Bucket: bucket, Key: 'before-drain', Body: before }));
  const r = await cli(c.nodes[1]!, ['cluster', 'drain', 'node3', '--reason', 'disk swap']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /node3: now draining/);
  await new Promise((res) => setTimeout(res, 1500)); // node 1 re-reads membership on its next heartbeat (250 ms)
  const held = await chunkCount(c.nodes[2]!);
  await c1.send(new PutObjectCommand({ Bucket: bucket, Key: 'after-drain', Body: randomBytes(4 << 20) }));
  assert.equal(await chunkCount(c.nodes[2]!), held, 'nothing new on node 3');
  const got = await sdkClient(c.nodes[2]!).send(new GetObjectCommand({ Bucket: bucket, Key: 'before-drain' }));
  assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(before));
  const audit = await readFile(c.nodes[1]!.auditLog, 'utf8');
  assert.match(audit, /"cluster\.drain"/);
  assert.match(audit, /disk swap/);
});

test('cluster remove: refused without a terminal, done with --yes; the node is refused and may not rejoin', async () => {
  const refused = await cli(c.nodes[0]!, ['cluster', 'remove', 'node3'], '');
  assert.equal(refused.code, 5, refused.stderr);
  assert.match(refused.stderr, /--yes/);
  await chunkServiceHealth(c.grpcPorts[0]!, nodeCredentials(c.ca, 'node3')); // still a member
  const r = await cli(c.nodes[0]!, ['--yes', 'cluster', 'remove', 'node3', '--reason', 'decommissioned']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /node3: removed/);
  await assert.rejects(
    chunkServiceHealth(c.grpcPorts[0]!, nodeCredentials(c.ca, 'node3')),
    (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED,
  );
  // Node 2 learns it on its next heartbeat.
  const deadline = Date.now() + 5000;
  let refusedBy2 = false;
  while (!refusedBy2 && Date.now() < deadline) {
    refusedBy2 = await chunkServiceHealth(c.grpcPorts[1]!, nodeCredentials(c.ca, 'node3')).then(
      () => false,
      (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED,
    );
    if (!refusedBy2) await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(refusedBy2, 'node 2 refuses the removed node within a few heartbeats');
  assert.match(await readFile(c.nodes[0]!.auditLog, 'utf8'), /"cluster\.remove"/);
  await c.nodes[2]!.stop();
  await assert.rejects(c.nodes[2]!.restart(), /node node3 is removed from the cluster/);
  // Two nodes left, W=2: writes and reads go on.
  const data = randomBytes(1 << 20);
  await sdkClient(c.nodes[1]!).send(new PutObjectCommand({ Bucket: bucket, Key: 'after-remove', Body: data }));
  const got = await sdkClient(c.nodes[0]!).send(new GetObjectCommand({ Bucket: bucket, Key: 'after-remove' }));
  assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
});
