/**
 * Cluster mode start-up: reads and checks the certificates, registers this node in
 * PostgreSQL, serves the gRPC plane, turns active, and hands back the replicated chunk
 * store that replaces the local one on the S3 path. main.ts picks the adapters (the
 * PostgreSQL cluster store, the local chunk files) and passes them in.
 */
import { ServerCredentials } from '@grpc/grpc-js';
import type { Config } from '../config/schema.js';
import { ConfigError, parseListen, writeQuorumOf } from '../config/load.js';
import type { ClusterStore } from '../metadata/cluster-types.js';
import { ChunkServiceServer } from './chunk-service.js';
import type { LocalReplica } from './local-replica.js';
import { Membership } from './membership.js';
import { PeerCheck } from './peer-check.js';
import { PeerClients } from './peers.js';
import { ReplicatedChunkStore } from './replicated-chunk-store.js';
import { RepairService, type RepairMetrics } from './repair.js';
import { readTlsMaterial, ReloadableServerCredentials, TlsReloader } from './tls.js';

export interface ClusterLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface StartClusterOptions {
  config: Config;
  store: ClusterStore;
  local: LocalReplica;
  dataDir: string;
  version: string;
  maxChunkBytes: number;
  logger: ClusterLogger;
  repairMetrics?: RepairMetrics;
}

export interface ClusterNode {
  readonly nodeId: string;
  readonly grpcPort: number;
  readonly chunks: ReplicatedChunkStore;
  readonly membership: Membership;
  readonly repair: RepairService;
  /** Re-reads the certificate files now (SIGHUP); true if a new certificate is in use. */
  reloadTls(): Promise<boolean>;
  stop(graceMs: number): Promise<void>;
}

export async function startCluster(o: StartClusterOptions): Promise<ClusterNode> {
  const c = o.config.cluster;
  let reloader: TlsReloader | null = null;
  let nodeId = c.node_id;
  if (c.enable_tls) {
    const paths = { cert: c.tls_cert, key: c.tls_key, ca: c.tls_ca };
    const material = await readTlsMaterial(paths);
    if (nodeId === '') nodeId = material.commonName;
    else if (nodeId !== material.commonName)
      throw new ConfigError(
        `cluster.node_id = ${JSON.stringify(nodeId)} but ${c.tls_cert} is issued to ${JSON.stringify(material.commonName)}`,
      );
    reloader = new TlsReloader(paths, material);
  } else {
    o.logger.warn(
      { insecure_dev: true },
      'cluster.enable_tls = false (insecure_dev): nodes talk gRPC in PLAINTEXT and accept any caller; never run this outside development',
    );
  }
  const listen = parseListen('cluster.grpc_listen', c.grpc_listen);
  const advertise = c.advertise !== '' ? c.advertise : c.grpc_listen;
  const adv = parseListen('cluster.advertise', advertise);
  if (adv.host === '0.0.0.0' || adv.host === '::')
    throw new ConfigError(`cluster.advertise must be set: other nodes cannot dial ${advertise}`);

  const membership = new Membership({
    store: o.store,
    nodeId,
    advertise,
    zone: c.zone,
    version: o.version,
    dataDir: o.dataDir,
    intervalMs: c.heartbeat_interval_ms,
    downAfterMs: c.down_after_seconds * 1000,
    usage: () => o.local.usage(),
    onError: (err) => o.logger.error({ err: { message: (err as Error).message } }, 'cluster heartbeat failed'),
  });
  const self = await membership.join();
  if (self.state === 'removed' || self.state === 'isolated')
    throw new ConfigError(
      `node ${nodeId} is ${self.state} from the cluster (${self.stateReason ?? 'no reason given'}); it may not rejoin under this id`,
    );

  const server = new ChunkServiceServer({
    nodeId,
    version: o.version,
    dataDir: o.dataDir,
    local: o.local,
    authority: new PeerCheck(membership, reloader !== null, (peer, reason) => o.logger.warn({ peer, reason }, 'gRPC call refused')),
  });
  const credentials = reloader !== null ? new ReloadableServerCredentials(reloader.material) : ServerCredentials.createInsecure();
  if (reloader !== null && credentials instanceof ReloadableServerCredentials) reloader.onReload((m) => credentials.update(m));
  const grpcPort = await server.listen(listen.host, listen.port, credentials);
  if (!server.windowsRaised)
    o.logger.warn(
      { grpc: `${listen.host}:${grpcPort}` },
      'HTTP/2 receive windows left at 64 KiB (grpc-js internals changed): replication will be slow',
    );
  await membership.activate();
  reloader?.watch(1000, (err, changed) => {
    if (err !== null)
      o.logger.error({ err: { message: (err as Error).message } }, 'cluster certificate reload refused; the old one stays in use');
    else if (changed) o.logger.info({ notAfter: reloader?.material.notAfter }, 'cluster certificate reloaded');
  });

  const peers = new PeerClients(reloader);
  // 4 s per MiB: a transfer paced by an S3 client as slow as 0.25 MiB/s still finishes in time.
  const timeouts = { callMs: c.rpc_timeout_ms, perMiBMs: 4000 };
  const chunks = new ReplicatedChunkStore({
    nodeId,
    local: o.local,
    membership,
    peers,
    store: o.store,
    replicationFactor: c.replication_factor,
    writeQuorum: writeQuorumOf(o.config),
    maxChunkBytes: o.maxChunkBytes,
    timeouts,
    orphanHandoverMs: c.repair_grace_seconds * 1000,
    onReplicaError: (node, op, err) => o.logger.warn({ node, op, err: { message: (err as Error).message } }, 'replica call failed'),
  });
  const repair = new RepairService({
    nodeId,
    local: o.local,
    chunks,
    membership,
    peers,
    store: o.store,
    replicationFactor: c.replication_factor,
    maxChunkBytes: o.maxChunkBytes,
    timeouts,
    graceMs: c.repair_grace_seconds * 1000,
    bytesPerSecond: c.repair_bytes_per_second,
    ...(o.repairMetrics === undefined ? {} : { metrics: o.repairMetrics }),
    onError: (what, err) => o.logger.warn({ what, err: err === null ? undefined : { message: (err as Error).message } }, 'repair'),
  });
  repair.schedule(c.repair_interval_seconds * 1000, c.scrub_interval_seconds * 1000);
  o.logger.info(
    {
      node: nodeId,
      grpc: `${listen.host}:${grpcPort}`,
      advertise,
      tls: reloader !== null,
      r: c.replication_factor,
      w: writeQuorumOf(o.config),
    },
    'cluster node active',
  );
  return {
    nodeId,
    grpcPort,
    chunks,
    membership,
    repair,
    async reloadTls() {
      if (reloader === null) return false;
      return reloader.reload();
    },
    async stop(graceMs) {
      reloader?.stop();
      await repair.stop();
      membership.stop();
      await server.close(graceMs);
      peers.close();
    },
  };
}
