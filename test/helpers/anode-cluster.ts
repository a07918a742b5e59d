/**
 * A real cluster for integration tests: N `anode` processes on loopback sharing one
 * private PostgreSQL database and one master key, gRPC over mutual TLS with certificates
 * from `anodectl certs` (node<i>), R and W as asked.
 */
import { join } from 'node:path';
import { freePort, masterKeyFileOf, startNode, type AnodeNode } from './anode-node.js';
import { makeClusterCa, type ClusterCa } from './cluster-certs.js';
import { postgresNodeEnv, startPostgresCluster, type PostgresCluster } from './postgres.js';

export interface TestCluster {
  nodes: AnodeNode[];
  grpcPorts: number[];
  pg: PostgresCluster;
  ca: ClusterCa;
  database: string;
  cleanup(): Promise<void>;
}

export async function startAnodeCluster(
  opts: { nodes?: number; r?: number; w?: number; env?: Record<string, string> } = {},
): Promise<TestCluster> {
  const n = opts.nodes ?? 3;
  const [pg, ca] = await Promise.all([startPostgresCluster(), makeClusterCa()]);
  for (let i = 1; i <= n; i++) await ca.issue(`node${i}`);
  const database = await pg.createDatabase('anode_cluster');
  const nodes: AnodeNode[] = [];
  const grpcPorts: number[] = [];
  try {
    for (let i = 1; i <= n; i++) {
      const port = await freePort();
      grpcPorts.push(port);
      const env: Record<string, string> = {
        ...postgresNodeEnv(pg, database),
        ANODE_CLUSTER_ENABLED: 'true',
        ANODE_CLUSTER_GRPC_LISTEN: `127.0.0.1:${port}`,
        ANODE_CLUSTER_ADVERTISE: `127.0.0.1:${port}`,
        ANODE_CLUSTER_TLS_CERT: join(ca.dir, 'nodes', `node${i}.crt`),
        ANODE_CLUSTER_TLS_KEY: join(ca.dir, 'nodes', `node${i}.key`),
        ANODE_CLUSTER_TLS_CA: ca.caCert,
        ANODE_CLUSTER_REPLICATION_FACTOR: String(opts.r ?? 3),
        ANODE_CLUSTER_WRITE_QUORUM: String(opts.w ?? 2),
        ANODE_CLUSTER_HEARTBEAT_INTERVAL_MS: '250',
        ANODE_CLUSTER_DOWN_AFTER_SECONDS: '5',
        ANODE_STORAGE_CHUNK_SIZE_MIB: '1',
        ...opts.env,
      };
      if (i > 1) env['ANODE_AUTH_MASTER_KEY_FILE'] = masterKeyFileOf(nodes[0]!);
      nodes.push(await startNode({ env }));
    }
  } catch (err) {
    await Promise.all(nodes.map((x) => x.cleanup()));
    await pg.stop();
    await ca.cleanup();
    throw err;
  }
  return {
    nodes,
    grpcPorts,
    pg,
    ca,
    database,
    async cleanup() {
      await Promise.all(nodes.map((x) => x.cleanup()));
      await pg.stop();
      await ca.cleanup();
    },
  };
}
