/**
 * ReplicatedChunkStore against three real gRPC servers on loopback with mutual TLS
 * (certificates from anodectl), each node with its own LocalChunkStore, membership in a
 * real PostgreSQL. Runs the ChunkStore conformance suite, then replication specifics:
 * every replica holds the bytes, a node stopped still leaves reads and W=2 writes working,
 * and a read resumes on another replica when one fails mid-stream.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runChunkStoreConformance } from '../chunks/conformance.js';
import { LocalChunkStore } from '../chunks/local-chunk-store.js';
import { migrate } from '../metadata/postgres/schema.js';
import { PostgresClusterStore } from '../metadata/postgres/cluster-store.js';
import { ChunkServiceServer } from './chunk-service.js';
import { Membership } from './membership.js';
import { PeerCheck } from './peer-check.js';
import { PeerClients } from './peers.js';
import { ReplicatedChunkStore } from './replicated-chunk-store.js';
import { QuorumError } from './errors.js';
import { readTlsMaterial, ReloadableServerCredentials, TlsReloader } from './tls.js';
import { startPostgresCluster, type PostgresCluster } from '../../../test/helpers/postgres-cluster.js';
import { makeClusterCa, type ClusterCa } from '../../../test/helpers/cluster-certs.js';
import { freePort } from '../../../test/helpers/anode-node.js';

let pgCluster: PostgresCluster;
let ca: ClusterCa;
before(async () => {
  [pgCluster, ca] = await Promise.all([startPostgresCluster(), makeClusterCa()]);
  await Promise.all(['node1', 'node2', 'node3'].map((n) => ca.issue(n)));
});
after(async () => {
  await pgCluster?.stop();
  await ca?.cleanup();
});

interface TestNode {
  nodeId: string;
  local: LocalChunkStore;
  server: ChunkServiceServer;
  membership: Membership;
  store: PostgresClusterStore;
  peers: PeerClients;
  chunks: ReplicatedChunkStore;
  stop(): Promise<void>;
}

interface TestCluster {
  nodes: TestNode[];
  cleanup(): Promise<void>;
}

async function startTestCluster(n = 3, r = 3, w = 2): Promise<TestCluster> {
  const db = await pgCluster.createDatabase('anode_repl');
  const url = pgCluster.url(db);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await migrate(client);
  await client.end();
  const base = await mkdtemp(join(tmpdir(), 'anode-repl-'));
  const nodes: TestNode[] = [];
  for (let i = 1; i <= n; i++) {
    const nodeId = `node${i}`;
    const dir = join(base, nodeId);
    const local = await LocalChunkStore.open(dir);
    const store = await PostgresClusterStore.open(url);
    const paths = { cert: join(ca.dir, 'nodes', `${nodeId}.crt`), key: join(ca.dir, 'nodes', `${nodeId}.key`), ca: ca.caCert };
    const material = await readTlsMaterial(paths);
    const tls = new TlsReloader(paths, material);
    const port = await freePort();
    const membership = new Membership({
      store,
      nodeId,
      advertise: `127.0.0.1:${port}`,
      zone: '',
      version: 'test',
      dataDir: dir,
      intervalMs: 200,
      downAfterMs: 1000,
      usage: () => local.usage(),
    });
    await membership.join();
    const server = new ChunkServiceServer({ nodeId, version: 'test', dataDir: dir, local, authority: new PeerCheck(membership, true) });
    await server.listen('127.0.0.1', port, new ReloadableServerCredentials(material));
    await membership.activate();
    const peers = new PeerClients(tls);
    const chunks = new ReplicatedChunkStore({
      nodeId,
      local,
      membership,
      peers,
      store,
      replicationFactor: r,
      writeQuorum: w,
      maxChunkBytes: 16 << 20,
      timeouts: { callMs: 5000, perMiBMs: 1000 },
      orphanHandoverMs: 60_000,
    });
    let stopped = false;
    nodes.push({
      nodeId,
      local,
      server,
      membership,
      store,
      peers,
      chunks,
      async stop() {
        if (stopped) return;
        stopped = true;
        membership.stop();
        await server.close(100);
        peers.close();
      },
    });
  }
  for (const node of nodes) await node.membership.refresh();
  return {
    nodes,
    async cleanup() {
      for (const node of nodes) {
        await node.stop();
        await node.store.close();
      }
      await pgCluster.dropDatabase(db);
      await rm(base, { recursive: true, force: true });
    },
  };
}

runChunkStoreConformance('replicated (3 nodes over gRPC + mTLS, R=3 W=2)', async () => {
  const c = await startTestCluster();
  return { store: c.nodes[0]!.chunks, cleanup: () => c.cleanup() };
});

async function readAll(s: AsyncIterable<unknown>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const piece of s) out.push(piece as Buffer);
  return Buffer.concat(out);
}

async function* once(b: Buffer): AsyncGenerator<Uint8Array> {
  yield b;
}

describe('replication', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => {
    await c?.cleanup();
  });

  test('a chunk written through node 1 is on all three disks and reads back through nodes 2 and 3', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const ref = await c.nodes[0]!.chunks.write(once(data));
    for (const node of c.nodes) {
      assert.deepEqual(await readAll(await node.local.read(ref.id)), data, `${node.nodeId}'s own copy`);
      assert.deepEqual(await readAll(await node.chunks.read(ref.id)), data, `read through ${node.nodeId}`);
    }
    const rec = await c.nodes[0]!.store.chunkReplicas(ref.id);
    assert.deepEqual([...rec!.nodes].sort(), ['node1', 'node2', 'node3']);
    // GC: only the writing node judges it while it lives (its in-flight registry protects the write).
    const listedBy = async (i: number) => {
      const ids: string[] = [];
      for await (const x of c.nodes[i]!.chunks.list()) ids.push(x.id);
      return ids;
    };
    assert.ok((await listedBy(0)).includes(ref.id));
    assert.ok(!(await listedBy(1)).includes(ref.id));
  });

  test('a read on node 2 whose own copy is gone fails over to another replica, ranges included', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const ref = await c.nodes[0]!.chunks.write(once(data));
    await c.nodes[1]!.local.delete(ref.id);
    assert.deepEqual(await readAll(await c.nodes[1]!.chunks.read(ref.id)), data);
    assert.deepEqual(await readAll(await c.nodes[1]!.chunks.read(ref.id, { start: 1000, end: 1_500_000 })), data.subarray(1000, 1_500_001));
  });

  test('with node 3 stopped: every chunk still reads and new writes succeed on W=2, the miss recorded', async () => {
    const before = randomBytes(100_000);
    const old = await c.nodes[0]!.chunks.write(once(before));
    await c.nodes[2]!.stop();
    // Not yet known to be down: the write to node 3 fails and is recorded as a miss.
    const fresh = randomBytes(200_000);
    const ref = await c.nodes[0]!.chunks.write(once(fresh));
    assert.deepEqual(await readAll(await c.nodes[1]!.chunks.read(ref.id)), fresh);
    assert.deepEqual(await readAll(await c.nodes[0]!.chunks.read(old.id)), before);
    const rec = await c.nodes[0]!.store.chunkReplicas(ref.id);
    assert.deepEqual([...rec!.nodes].sort(), ['node1', 'node2']);
    const misses = await c.nodes[0]!.store.listMisses(100);
    assert.ok(misses.some((m) => m.chunkId === ref.id && m.nodeId === 'node3' && m.kind === 'write'));
  });

  test('with only node 1 left: writes refuse with ClusterQuorum (W=2 is never lowered), reads go on', async () => {
    const kept = randomBytes(5000);
    const old = await c.nodes[0]!.chunks.write(once(kept));
    await c.nodes[1]!.stop();
    await new Promise((r) => setTimeout(r, 1300)); // past downAfterMs
    await c.nodes[0]!.membership.refresh();
    assert.deepEqual(
      c.nodes[0]!.membership.placeable().map((m) => m.nodeId),
      ['node1'],
    );
    await assert.rejects(c.nodes[0]!.chunks.write(once(randomBytes(10))), (err: unknown) => {
      assert.ok(err instanceof QuorumError);
      assert.equal(err.code, 'ClusterQuorum');
      return true;
    });
    assert.deepEqual(await readAll(await c.nodes[0]!.chunks.read(old.id)), kept);
  });
});
