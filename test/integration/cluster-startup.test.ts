/**
 * Cluster mode refuses to start when it would be unsafe or cannot work, and says why:
 * on SQLite, in plaintext without insecure_dev, with a certificate file missing (the error
 * names the file) or from another CA. With insecure_dev it starts, warning that it is
 * plaintext.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, NodeStartError, startNode } from '../helpers/anode-node.js';
import { makeClusterCa, type ClusterCa } from '../helpers/cluster-certs.js';
import { postgresNodeEnv, startPostgresCluster, type PostgresCluster } from '../helpers/postgres.js';

let pg: PostgresCluster;
let ca: ClusterCa;
let other: ClusterCa;
let database: string;

before(async () => {
  [pg, ca, other] = await Promise.all([startPostgresCluster(), makeClusterCa(), makeClusterCa('Other CA')]);
  await ca.issue('node1');
  await other.issue('node1');
  database = await pg.createDatabase('anode_cluster_start');
});
after(async () => {
  await pg?.stop();
  await ca?.cleanup();
  await other?.cleanup();
});

async function clusterEnv(extra: Record<string, string>): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    ANODE_CLUSTER_ENABLED: 'true',
    ANODE_CLUSTER_GRPC_LISTEN: `127.0.0.1:${port}`,
    ANODE_CLUSTER_TLS_CERT: join(ca.dir, 'nodes', 'node1.crt'),
    ANODE_CLUSTER_TLS_KEY: join(ca.dir, 'nodes', 'node1.key'),
    ANODE_CLUSTER_TLS_CA: ca.caCert,
    ...extra,
  };
}

async function refusal(env: Record<string, string>): Promise<string> {
  const err = await startNode({ env, readyTimeoutMs: 15_000 }).then(
    async (node) => {
      await node.cleanup();
      return assert.fail('the node started');
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof NodeStartError, String(err));
  return err.message;
}

describe('cluster start-up checks', { timeout: 120_000 }, () => {
  test('refuses SQLite', async () => {
    assert.match(await refusal(await clusterEnv({})), /cluster\.enabled = true needs storage\.metadata_backend = "postgres"/);
  });

  test('refuses enable_tls = false without insecure_dev', async () => {
    const env = await clusterEnv({ ...postgresNodeEnv(pg, database), ANODE_CLUSTER_ENABLE_TLS: 'false', ANODE_CLUSTER_NODE_ID: 'node1' });
    assert.match(await refusal(env), /enable_tls = false is refused/);
  });

  test('a missing certificate file is an error naming the file', async () => {
    const missing = join(ca.dir, 'nodes', 'nope.crt');
    const env = await clusterEnv({ ...postgresNodeEnv(pg, database), ANODE_CLUSTER_TLS_CERT: missing });
    const message = await refusal(env);
    assert.ok(message.includes(`cluster.tls_cert: cannot read ${missing}: ENOENT`), message);
  });

  test('a certificate signed by another CA is refused at start', async () => {
    const env = await clusterEnv({
      ...postgresNodeEnv(pg, database),
      ANODE_CLUSTER_TLS_CERT: join(other.dir, 'nodes', 'node1.crt'),
      ANODE_CLUSTER_TLS_KEY: join(other.dir, 'nodes', 'node1.key'),
    });
    assert.match(await refusal(env), /is not signed by the CA in/);
  });

  test('insecure_dev starts in plaintext and warns at start', async () => {
    const env = await clusterEnv({
      ...postgresNodeEnv(pg, database),
      ANODE_CLUSTER_ENABLE_TLS: 'false',
      ANODE_CLUSTER_INSECURE_DEV: 'true',
      ANODE_CLUSTER_NODE_ID: 'dev1',
    });
    const node = await startNode({ env });
    try {
      assert.match(node.output(), /PLAINTEXT/);
      await node.restart();
      assert.equal(node.output().match(/PLAINTEXT/g)?.length, 2, 'the warning comes at every start');
    } finally {
      await node.cleanup();
    }
  });
});
