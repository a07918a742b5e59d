import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from './schema.js';
import { PostgresClusterStore } from './cluster-store.js';
import { startPostgresCluster, type PostgresCluster } from '../../../../test/helpers/postgres-cluster.js';

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgresCluster();
});
after(async () => {
  await cluster?.stop();
});

async function fresh(): Promise<PostgresClusterStore> {
  const url = cluster.url(await cluster.createDatabase('anode_cstore'));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await migrate(c);
  await c.end();
  return PostgresClusterStore.open(url);
}

const beat = (nodeId: string, activate: boolean) => ({
  nodeId,
  advertise: `10.0.0.1:9090`,
  zone: 'a',
  version: 't',
  chunks: 3,
  bytes: 300,
  freeDiskBytes: 1000,
  activate,
});

test('membership: joining, then active; drain/remove/isolate stick across heartbeats; down is derived', async () => {
  const s = await fresh();
  try {
    assert.equal((await s.heartbeat(beat('n1', false))).state, 'joining');
    assert.equal((await s.heartbeat(beat('n1', true))).state, 'active');
    assert.equal((await s.heartbeat(beat('n1', false))).state, 'joining', 'a restart joins again');
    assert.equal((await s.heartbeat(beat('n1', true))).state, 'active');
    await s.heartbeat(beat('n2', true));
    assert.equal((await s.setState('n2', 'draining', 'disk swap', 5000))?.state, 'draining');
    assert.equal((await s.heartbeat(beat('n2', true))).state, 'draining', 'a heartbeat never ends a drain');
    await s.setState('n2', 'removed', null, 5000);
    assert.equal((await s.heartbeat(beat('n2', true))).storedState, 'removed', 'nor revives a removed node');
    assert.equal(await s.setState('nobody', 'removed', null, 5000), null);
    await new Promise((r) => setTimeout(r, 300));
    const members = await s.listMembers(100);
    assert.deepEqual(
      members.map((m) => [m.nodeId, m.state, m.zone, m.chunks, m.bytes, m.freeDiskBytes]),
      [
        ['n1', 'down', 'a', 3, 300, 1000],
        ['n2', 'removed', 'a', 3, 300, 1000],
      ],
    );
    assert.equal((await s.listMembers(60_000))[0]!.state, 'active');
  } finally {
    await s.close();
  }
});

test('chunk replicas: record, look up, list in pages, usage, forget; misses', async () => {
  const s = await fresh();
  try {
    const ids = Array.from({ length: 1203 }, () => randomBytes(16).toString('hex')).sort();
    for (const id of ids)
      await s.recordChunk({ chunkId: id, size: 10, sha256: Buffer.alloc(32, 1), nodes: ['n1', 'n2'], coordinator: 'n1' });
    const one = await s.chunkReplicas(ids[5]!);
    assert.deepEqual([one?.size, one?.nodes, one?.sha256.length], [10, ['n1', 'n2'], 32]);
    const listed: string[] = [];
    for await (const c of s.listChunks()) listed.push(c.chunkId);
    assert.deepEqual(listed, ids);
    assert.deepEqual(await s.chunkUsage(), { bytes: 12030, chunks: 1203 });
    await s.recordMisses([{ chunkId: ids[0]!, nodeId: 'n3', kind: 'write', reason: 'down' }]);
    assert.deepEqual(
      (await s.listMisses(10)).map((m) => [m.chunkId, m.nodeId, m.kind]),
      [[ids[0], 'n3', 'write']],
    );
    assert.equal((await s.forgetChunk(ids[0]!))?.chunkId, ids[0]);
    assert.equal(await s.forgetChunk(ids[0]!), null);
    assert.deepEqual(await s.listMisses(10), [], 'a forgotten chunk needs no write repair');
    assert.equal(await s.chunkReplicas(ids[0]!), null);
  } finally {
    await s.close();
  }
});
