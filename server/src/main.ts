#!/usr/bin/env node
/**
 * `anode`: the server binary. The only file that picks concrete adapters (SQLite, local
 * chunk files) and wires them into the S3 and admin planes.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { isInside, nodePaths, recordedPathsFile, type RecordedPaths } from './config/paths.js';
import { VERSION } from './version.js';
import { loadConfig, parseListen, ConfigError, writeQuorumOf } from './config/load.js';
import type { Config } from './config/schema.js';
import { openChangeFeed, openMetadataStore, type LoosePermissions } from './metadata/open.js';
import { LocalChunkStore } from './chunks/local-chunk-store.js';
import { openKeyProvider } from './keys/open-provider.js';
import { KeyRegistry } from './keys/key-registry.js';
import { KeyRewrapper } from './keys/key-rewrap.js';
import { openCredentialMasterKey } from './model/credential-master-key.js';
import { BucketWrites } from './model/bucket-writes.js';
import { TokenBuckets } from './util/token-buckets.js';
import { ObjectService } from './model/object-service.js';
import { ChunksInFlight } from './model/chunks-in-flight.js';
import { chunkSizeOf } from './model/object-writer.js';
import { CredentialService } from './model/credentials.js';
import { NodeState } from './model/node-state.js';
import { LockdownState, anonymousDisabledReason } from './model/lockdown.js';
import { completeInterruptedReseal } from './model/reseal.js';
import { DenialTraces } from './obs/denials.js';
import { ensureRootCredential } from './model/root-credential.js';
import { resetRoot } from './model/reset-root.js';
import { backupNode } from './backup.js';
import { JsonLinesLog } from './obs/json-lines-log.js';
import { AuditLog } from './obs/audit-log.js';
import { loadOrCreateAuditIdentity } from './obs/audit-key.js';
import { firstSeq, verifyAuditChain } from '@anode/shared/audit-chain';
import { Metrics } from './obs/metrics.js';
import { listen, closeGracefully } from './http/listen.js';
import { handleS3 } from './s3/handle.js';
import { tuneHeapGrowth } from './util/heap-growth.js';
import { createAdminHandler } from './admin/handle.js';
import { GcScheduler } from './model/gc-scheduler.js';
import { LifecycleScheduler } from './model/lifecycle-scheduler.js';
import { anyContains, parseCidr, type Cidr } from './util/cidr.js';
import { sendBodyError } from './s3/body-error.js';
import { sendAdminBodyError } from './admin/body-error.js';
import { KeyFileError } from './keys/file-key-provider.js';
import { ObjectCrypto } from './model/object-crypto.js';
import type { ManagedChunkStore } from './chunks/chunk-store.js';
import { PostgresClusterStore } from './metadata/postgres/cluster-store.js';
import type { ClusterStore } from './metadata/cluster-types.js';
import { startCluster, type ClusterNode } from './cluster/node.js';
import { startCryptoPool, stopCryptoPool, workerCount } from './workers/crypto-pool.js';

const USAGE = `Usage:
  anode server [--config FILE] [--data DIR]      start a node
  anode admin reset-root [--config FILE] [--data DIR]
                                                 break-glass: create a new root credential (needs local access)
  anode admin backup --out DIR [--config FILE] [--data DIR]
                                                 copy metadata (SQLite online backup), master key and chunks
                                                 of the node to DIR while it runs (docs/operations.md)
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
  // Before the first large body: see heap-growth.ts for why the factor is fixed.
  tuneHeapGrowth();
  const p = nodePaths(config);
  await mkdir(p.data, { recursive: true, mode: 0o750 });
  await mkdir(join(p.data, 'metadata'), { recursive: true, mode: 0o700 });
  const loosened: LoosePermissions[] = [];
  const metadata = await openMetadataStore(
    config,
    (err) => logger.warn({ err: { message: err.message } }, 'idle PostgreSQL connection failed; the pool replaces it'),
    (found) => {
      loosened.push(found);
      logger.warn(
        { path: found.path, was: found.was.toString(8), now: found.now.toString(8) },
        'metadata file was open to group or others (someone changed it); permissions restored',
      );
    },
  );
  const accessLog = new JsonLinesLog(p.accessLog);
  const metrics = new Metrics();
  const auditIdentity = await loadOrCreateAuditIdentity(p.data);
  // Check the chain the node is about to continue (before it writes): a break shows as
  // anode_audit_chain_ok 0 and an error line; the node still starts (the log is evidence).
  let chainOk = true;
  if (p.auditLog !== null && existsSync(p.auditLog)) {
    const first = await firstSeq(p.auditLog);
    if (first !== null) {
      const r = await verifyAuditChain({
        files: [p.auditLog],
        publicKeyPem: auditIdentity.publicKeyPem,
        ...(first > 0 ? { fromSeq: first } : {}),
      });
      if (!r.ok) {
        chainOk = false;
        logger.error({ problem: r.problem }, 'audit chain check at start-up failed: run anodectl audit verify');
      }
    }
  }
  const audit = AuditLog.open(p.auditLog, auditIdentity, {
    onCheckpoint: () => {
      metrics.auditCheckpoints.inc();
      metrics.auditLastCheckpoint.set(Date.now() / 1000);
    },
    onFailure: (err) => {
      metrics.auditFailures.inc();
      metrics.auditChainOk.set(0);
      logger.error({ err: { message: err.message } }, 'audit log write failed: the chain may have a hole');
    },
  });
  metrics.auditChainOk.set(audit.healthy && chainOk ? 1 : 0);
  audit.startCheckpoints(config.audit.sign_interval_seconds);
  // The key provider holds the KEKs (key file or HSM); the registry records named keys and versions.
  const keyProvider = await openKeyProvider(config);
  const keyRegistry = keyProvider === null ? null : await KeyRegistry.open(metadata, keyProvider);
  // What model/ wraps and unwraps data keys with: the registry's named keys and versions.
  const keyRing = keyRegistry;
  const master = await openCredentialMasterKey({
    paths: p,
    metadata,
    keys: keyRegistry,
    audit: (action, details) => audit.write('system', action, details),
  });
  if (master.migratedFrom !== null)
    logger.info({ from: master.migratedFrom, to: master.where }, 'credential master key moved out of the data directory');
  if (!master.where.startsWith('provider:') && isInside(master.where, p.data))
    logger.warn({ master_key: master.where }, 'the credential master key is inside the data directory: a copy of it unseals every secret');
  let keys: { registry: KeyRegistry; rewrapper: KeyRewrapper } | null = null;
  if (keyRegistry !== null) {
    const rewrapper = new KeyRewrapper(keyRegistry);
    rewrapper.onFinish = (s) =>
      audit.write('system', 'keys.rewrap.finish', {
        key: s.keyId,
        to_version: s.toVersion,
        rewrapped: s.rewrapped,
        skipped: s.skipped,
        failed: s.failed,
        ...(s.lastError !== null ? { error: s.lastError } : {}),
      });
    const refreshKeyMetrics = async (): Promise<void> => {
      const counts = await metadata.countWrappedKeys();
      metrics.objectsByKeyVersion.reset();
      for (const k of await metadata.listKeys())
        for (const v of k.versions) metrics.objectsByKeyVersion.set({ key: k.keyId, version: String(v.version) }, 0);
      for (const c of counts) metrics.objectsByKeyVersion.set({ key: c.keyId, version: String(c.version) }, c.count);
    };
    const refresh = (): void => void refreshKeyMetrics().catch((err: unknown) => logger.warn({ err }, 'key metrics refresh failed'));
    keyRegistry.onChange = refresh;
    refresh();
    setInterval(refresh, 60_000).unref();
    keys = { registry: keyRegistry, rewrapper };
  }
  const localChunks = await LocalChunkStore.open(p.data);
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
  // A master-key re-seal interrupted by a stop is finished before any secret is read
  // (re-seal rewrites the key file; a provider-wrapped master key is not re-sealed that way).
  const masterKey = master.where.startsWith('provider:') ? master.key : await completeInterruptedReseal(metadata, master.where, master.key);
  const credentials = new CredentialService(metadata, masterKey);
  await ensureRootCredential({ metadata, credentials, dataDir: p.data, env: process.env, logger });
  const lockdown = await LockdownState.load(metadata);
  const node = await NodeState.load(metadata, (state) => metrics.readOnly.set(state.readOnly ? 1 : 0));
  metrics.readOnly.set(node.readOnly ? 1 : 0);
  // Cluster-wide state: follow what other nodes sharing the store change (issue 8 item 6).
  const changes = await openChangeFeed(config, {
    onError: (message) => logger.warn(message),
    onListening: () => logger.debug('change feed listening'),
  });
  const unfollowNode = node.follow(changes, (err) =>
    logger.warn({ err: { message: (err as Error).message } }, 're-reading node state failed; keeping the previous values'),
  );
  const unfollowCredentials = credentials.follow(changes);
  const unfollowLockdown = lockdown.follow(changes, (err) =>
    logger.warn({ err: { message: (err as Error).message } }, 're-reading the lockdown state failed; keeping the previous one'),
  );
  const unfollow = (): void => {
    unfollowNode();
    unfollowCredentials();
    unfollowLockdown();
  };
  metrics.lockdown.set(lockdown.active ? 1 : 0);
  metrics.anonymousAllowed.set(anonymousDisabledReason(config.auth.anonymous, lockdown) === null ? 1 : 0);
  metrics.lockdown.set(lockdown.active ? 1 : 0);
  metrics.anonymousAllowed.set(anonymousDisabledReason(config.auth.anonymous, lockdown) === null ? 1 : 0);
  // `anode admin reset-root` writes its audit line where this node writes (one audit log),
  // whatever config or environment the operator runs it with.
  const recorded: RecordedPaths = {
    audit_log: p.auditLog,
    access_log: p.accessLog,
    pid: process.pid,
    started_at: new Date().toISOString(),
  };
  const recordFile = recordedPathsFile(p.data);
  await writeFile(`${recordFile}.tmp`, JSON.stringify(recorded) + '\n', { mode: 0o600 });
  await rename(`${recordFile}.tmp`, recordFile);
  const trustedProxies = config.server.trusted_proxies.map((t) => parseCidr(t)).filter((c): c is Cidr => c !== null);
  const tls = config.tls.cert !== '' ? { cert: config.tls.cert, key: config.tls.key } : null;
  const inFlight = new ChunksInFlight();
  const gc = new GcScheduler({
    metadata,
    chunks,
    inFlight,
    // Cluster mode: GC also reclaims replicas no record names, on every node (a coordinator's crash leftovers).
    ...(cluster !== null ? { strays: cluster.chunks } : {}),
    metrics,
    audit,
    logger,
    config: config.gc,
  });

  const bucketWrites = new BucketWrites();
  const clientLimits = {
    authFailures: new TokenBuckets(config.limits.auth_failures_per_second, config.limits.auth_failure_burst),
    anonymous: new TokenBuckets(config.limits.anonymous_per_second, config.limits.anonymous_burst),
  };
  // Hashing and AES of large bodies off the request thread ([server] workers).
  const cryptoWorkers = startCryptoPool(workerCount(config.server.workers))?.size ?? 0;
  const objects = new ObjectService({
    metadata,
    chunks,
    bucketWrites,
    bytesReceived: (n) => metrics.bytesIn.inc(n),
    chunkSize: chunkSizeOf(config),
    inlineMax: config.storage.inline_max_kib * 1024,
    inFlight,
    crypto: new ObjectCrypto({
      keyRing,
      encryptByDefault: config.storage.encryption,
      onTampered: (err) => {
        metrics.decryptFailures.inc();
        logger.error({ chunk: err.chunkId, reason: err.message }, 'chunk failed authentication (altered, swapped or cut); read refused');
      },
    }),
  });
  const clockOffsetSeconds = Number(process.env['ANODE_TEST_LIFECYCLE_CLOCK_OFFSET_SECONDS'] ?? '0');
  if (!Number.isFinite(clockOffsetSeconds)) throw new Error('ANODE_TEST_LIFECYCLE_CLOCK_OFFSET_SECONDS must be a number of seconds');
  if (clockOffsetSeconds !== 0) logger.warn({ clockOffsetSeconds }, 'lifecycle rules run on a shifted test clock');
  const lifecycle = new LifecycleScheduler({
    metadata,
    objects,
    metrics,
    audit,
    logger,
    intervalSeconds: config.lifecycle.interval_seconds,
    clockOffsetMs: clockOffsetSeconds * 1000,
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
    lockdown,
    denials: new DenialTraces(),
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
      keys,
      masterKeyWhere: master.where,
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
  lifecycle.start();
  const scheme = tls ? 'https' : 'http';
  logger.info(
    {
      s3: `${scheme}://${config.server.s3_listen}`,
      admin: `${scheme}://${config.server.admin_listen}`,
      data: p.data,
      readOnly: node.readOnly,
      cryptoWorkers,
    },
    'anode started',
  );
  audit.write('system', 'node.start', {
    data_dir: p.data,
    s3_listen: config.server.s3_listen,
    admin_listen: config.server.admin_listen,
    tls: tls !== null,
  });
  for (const found of loosened) {
    audit.write('system', 'metadata.permissions_restored', { path: found.path, was: found.was.toString(8), now: found.now.toString(8) });
  }

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
    lifecycle.stop();
    const timeout = config.server.shutdown_timeout_seconds * 1000;
    await Promise.all([closeGracefully(s3, timeout), closeGracefully(admin, timeout)]);
    await gc.idle();
    await lifecycle.idle();
    await cluster?.stop(timeout);
    await clusterStore?.close();
    audit.write('system', 'node.stop', { signal });
    await Promise.all([accessLog.close(), audit.close()]);
    unfollow();
    await changes.close();
    await keyProvider?.close();
    await metadata.close();
    await stopCryptoPool();
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
      out: { type: 'string', short: 'o' },
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
    const r = await resetRoot({ config, auditLogPath: nodePaths(config).auditLog });
    if (r.auditLog !== nodePaths(config).auditLog)
      process.stdout.write(`anode: audit line written to the node's audit log ${r.auditLog ?? '(off)'}\n`);
    return 0;
  }
  if (command === 'admin' && sub === 'backup') {
    if (values.out === undefined || values.out === '') throw new ConfigError('anode admin backup needs --out DIR (a new, empty directory)');
    const m = await backupNode(config, values.out);
    process.stdout.write(
      `anode: backup of ${m.data_dir} written to ${values.out}: ${m.metadata.map((f) => f.name).join(', ')}, master.key, ${m.chunks} chunks (${m.chunk_bytes} bytes)\n`,
    );
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
    process.exit(
      err instanceof ConfigError || err instanceof KeyFileError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? 2
        : 1,
    );
  },
);
