#!/usr/bin/env node
/**
 * `anode`: the server binary. The only file that picks concrete adapters (SQLite, local
 * chunk files) and wires them into the S3 and admin planes.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { nodePaths } from './config/paths.js';
import { VERSION } from './version.js';
import { loadConfig, parseListen, ConfigError, writeQuorumOf } from './config/load.js';
import type { Config } from './config/schema.js';
import { openMetadataStore } from './metadata/open.js';
import { LocalChunkStore } from './chunks/local-chunk-store.js';
import { loadOrCreateMasterKey } from './auth/secret-box.js';
import { BucketWrites } from './model/bucket-writes.js';
import { TokenBuckets } from './util/token-buckets.js';
import { ObjectService } from './model/object-service.js';
import { ChunksInFlight } from './model/chunks-in-flight.js';
import { chunkSizeOf } from './model/object-writer.js';
import { CredentialService } from './model/credentials.js';
import { NodeState } from './model/node-state.js';
import { ensureRootCredential } from './model/root-credential.js';
import { resetRoot } from './model/reset-root.js';
import { JsonLinesLog } from './obs/json-lines-log.js';
import { AuditLog } from './obs/audit-log.js';
import { Metrics } from './obs/metrics.js';
import { listen, closeGracefully } from './http/listen.js';
import { handleS3 } from './s3/handle.js';
import { createAdminHandler } from './admin/handle.js';
import { GcScheduler } from './model/gc-scheduler.js';
import { anyContains, parseCidr, type Cidr } from './util/cidr.js';
import { sendBodyError } from './s3/body-error.js';
import { sendAdminBodyError } from './admin/body-error.js';
import type { ManagedChunkStore } from './chunks/chunk-store.js';
import { PostgresClusterStore } from './metadata/postgres/cluster-store.js';
import type { ClusterStore } from './metadata/cluster-types.js';
import { startCluster, type ClusterNode } from './cluster/node.js';

const USAGE = `Usage:
  anode server [--config FILE] [--data DIR]      start a node
  anode admin reset-root [--config FILE] [--data DIR]
                                                 break-glass: create a new root credential (needs local access)
  anode --version | --help

Every config key can be overridden by ANODE_<SECTION>_<KEY>; see anode-config(5).
`;

async function readConfig(values: { config?: string | undefined; data?: string | undefined }): Promise<Config> {
  // /etc/anode/config.toml is read when it exists and no --config is given.
  const file = values.config ?? (existsSync('/etc/anode/config.toml') ? '/etc/anode/config.toml' : undefined);
  return loadConfig({ file, dataDir: values.data });
}

/** The metadata backend named by storage.metadata_backend (validated by loadConfig). */
async function runServer(config: Config, logger: Logger): Promise<void> {
  if (config.storage.encryption)
    throw new ConfigError('storage.encryption = true is not available in this build yet; refusing to start rather than store plaintext');
  const p = nodePaths(config);
  await mkdir(p.data, { recursive: true, mode: 0o750 });
  await mkdir(join(p.data, 'metadata'), { recursive: true, mode: 0o700 });
  const masterKey = await loadOrCreateMasterKey(p.masterKey);
  const metadata = await openMetadataStore(config, (err) =>
    logger.warn({ err: { message: err.message } }, 'idle PostgreSQL connection failed; the pool replaces it'),
  );
  const localChunks = await LocalChunkStore.open(p.data);
  const metrics = new Metrics();
  // Cluster mode: chunks are replicated over the gRPC plane; this node's files are one replica.
  let cluster: ClusterNode | null = null;
  let clusterStore: ClusterStore | null = null;
  if (config.cluster.enabled) {
    clusterStore = await PostgresClusterStore.open(
      config.storage.postgres_url,
      (err) => logger.warn({ err: { message: err.message } }, 'idle PostgreSQL connection (cluster) failed; the pool replaces it'),
      config.storage.postgres_pool_size,
    );
    cluster = await startCluster({
      config,
      store: clusterStore,
      local: localChunks,
      dataDir: p.data,
      version: VERSION,
      maxChunkBytes: chunkSizeOf(config),
      logger,
      repairMetrics: {
        underReplicated: (n) => metrics.clusterUnderReplicated.set(n),
        copied: (bytes) => {
          metrics.clusterRepairedChunks.inc();
          metrics.clusterRepairBytes.inc(bytes);
        },
        failed: () => metrics.clusterRepairFailures.inc(),
        corrupt: () => metrics.clusterScrubCorrupt.inc(),
      },
    });
  }
  const chunks: ManagedChunkStore = cluster?.chunks ?? localChunks;
  const credentials = new CredentialService(metadata, masterKey);
  await ensureRootCredential({ metadata, credentials, dataDir: p.data, env: process.env, logger });
  const node = await NodeState.load(metadata);
  metrics.readOnly.set(node.readOnly ? 1 : 0);
  const accessLog = new JsonLinesLog(p.accessLog);
  const audit = new AuditLog(new JsonLinesLog(p.auditLog));
  const trustedProxies = config.server.trusted_proxies.map((t) => parseCidr(t)).filter((c): c is Cidr => c !== null);
  const tls = config.tls.cert !== '' ? { cert: config.tls.cert, key: config.tls.key } : null;
  const inFlight = new ChunksInFlight();
  const gc = new GcScheduler({ metadata, chunks, inFlight, metrics, audit, logger, config: config.gc });

  const bucketWrites = new BucketWrites();
  const clientLimits = {
    authFailures: new TokenBuckets(config.limits.auth_failures_per_second, config.limits.auth_failure_burst),
    anonymous: new TokenBuckets(config.limits.anonymous_per_second, config.limits.anonymous_burst),
  };
  const objects = new ObjectService({
    metadata,
    chunks,
    bucketWrites,
    bytesReceived: (n) => metrics.bytesIn.inc(n),
    chunkSize: chunkSizeOf(config),
    inFlight,
  });
  const s3Deps = {
    config,
    metadata,
    chunks,
    credentials,
    node,
    bucketWrites,
    clientLimits,
    objects,
    accessLog,
    audit,
    metrics,
    logger,
    trustedProxies,
    tls: tls !== null,
  };
  const timeouts = {
    idleTimeoutMs: config.server.request_timeout_seconds * 1000,
    requestDeadlineMs: config.server.request_deadline_seconds * 1000,
  };
  const limits = (api: 's3' | 'admin') => ({
    maxConnections: config.server.max_connections,
    maxPerClient: config.server.max_connections_per_client,
    exempt: (address: string) => anyContains(trustedProxies, address),
    onRefused: (reason: 'total' | 'per-client') => metrics.connectionsRefused.inc({ api, reason }),
  });
  const s3Addr = parseListen('server.s3_listen', config.server.s3_listen);
  const adminAddr = parseListen('server.admin_listen', config.server.admin_listen);
  const s3 = await listen(
    { ...s3Addr, tls, ...timeouts, limits: limits('s3'), onBodyError: sendBodyError },
    (req, res) => void handleS3(s3Deps, req, res),
  );
  const admin = await listen(
    { ...adminAddr, tls, ...timeouts, limits: limits('admin'), onBodyError: sendAdminBodyError },
    createAdminHandler({
      ...s3Deps,
      gc,
      cluster:
        cluster !== null && clusterStore !== null
          ? {
              store: clusterStore,
              nodeId: cluster.nodeId,
              replicationFactor: config.cluster.replication_factor,
              writeQuorum: writeQuorumOf(config),
              downAfterMs: config.cluster.down_after_seconds * 1000,
              refresh: () => cluster!.membership.refresh(),
              repair: cluster.repair,
            }
          : null,
    }),
  );
  gc.start();
  const scheme = tls ? 'https' : 'http';
  logger.info(
    {
      s3: `${scheme}://${config.server.s3_listen}`,
      admin: `${scheme}://${config.server.admin_listen}`,
      data: p.data,
      readOnly: node.readOnly,
    },
    'anode started',
  );
  audit.write('system', 'node.start', {
    data_dir: p.data,
    s3_listen: config.server.s3_listen,
    admin_listen: config.server.admin_listen,
    tls: tls !== null,
  });

  if (cluster !== null) {
    audit.write('system', 'cluster.join', { node: cluster.nodeId, grpc_port: cluster.grpcPort, tls: config.cluster.enable_tls });
  }
  process.on('SIGHUP', () => {
    accessLog.reopen();
    audit.reopen();
    logger.info('logs reopened (SIGHUP)');
    cluster?.reloadTls().then(
      (changed) => logger.info({ changed }, 'cluster certificates re-read (SIGHUP)'),
      (err: unknown) =>
        logger.error({ err: { message: (err as Error).message } }, 'cluster certificate reload refused; the old one stays in use'),
    );
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    gc.stop();
    const timeout = config.server.shutdown_timeout_seconds * 1000;
    await Promise.all([closeGracefully(s3, timeout), closeGracefully(admin, timeout)]);
    await gc.idle();
    await cluster?.stop(timeout);
    await clusterStore?.close();
    audit.write('system', 'node.stop', { signal });
    await Promise.all([accessLog.close(), audit.close()]);
    await metadata.close();
    logger.info('stopped');
    process.exit(0);
  };
  // One request's bug must not take every other request down with it: log it and go on.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      data: { type: 'string', short: 'd' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
  if (values.version) {
    process.stdout.write(`anode ${VERSION}\n`);
    return 0;
  }
  const [command, sub] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const config = await readConfig(values);
  const logger = pino({ level: config.logging.level, base: { service: 'anode' } });
  if (command === 'server' && sub === undefined) {
    await runServer(config, logger);
    return -1;
  }
  if (command === 'admin' && sub === 'reset-root') {
    await resetRoot({ config, masterKeyPath: nodePaths(config).masterKey, auditLogPath: nodePaths(config).auditLog });
    return 0;
  }
  process.stderr.write(`anode: unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`anode: ${message}\n`);
    process.exit(err instanceof ConfigError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1);
  },
);
