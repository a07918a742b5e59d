/**
 * Runs the whole checklist: finds the node on this host (if any), reads its effective
 * config, asks its admin API (if we can), and judges every item. Each source that is
 * unavailable turns its items into SKIP with the reason; nothing here throws for that.
 */
import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AdminClient } from '@anode/shared/admin-api/index';
import { findAnodeProcesses, type AnodeProcess } from './anode-process.js';
import { countStatuses, sortBySection, type CheckResult, type StatusCounts } from './checks.js';
import { configChecks } from './config-checks.js';
import { CONFIG_DEFAULTS, ConfigReadError, DEFAULT_CONFIG_FILE, effectiveConfig, type LoadedConfig } from './deployment-config.js';
import { hostChecks } from './host-checks.js';
import { gatherHostFacts, type HostFacts } from './host-facts.js';
import { liveChecks } from './live-checks.js';
import { gatherLiveFacts, liveSkipReason, type LiveFacts } from './live-facts.js';
import { manualChecks } from './manual-checks.js';
import { auditChainCheck } from './verify-chain.js';
import { addressScope, splitListen } from './address.js';
import { probeGrpcMtls, type GrpcProbe } from './grpc-probe.js';

export const DEFAULT_UNIT_FILE = '/etc/systemd/system/anode.service';

export interface LiveConnection {
  client: AdminClient;
  /** The access key the client signs with. */
  accessKey: string;
}

export interface ChecklistOptions {
  configFile?: string | undefined;
  dataDir?: string | undefined;
  unitFile?: string | undefined;
  now: Date;
  cliUid: number | undefined;
  /** Where to look for processes (tests point this elsewhere); default /proc. */
  procRoot?: string;
  /**
   * Opens the admin API. endpointHint is the node's admin_listen as a URL when this host's
   * config names one; the callback decides whether a flag, env or profile wins over it.
   */
  connect: (endpointHint: string | undefined) => Promise<LiveConnection | { skipped: string }>;
  /** Asks the gRPC listener for a session without a client certificate (tests may replace it). */
  probeGrpc?: (host: string, port: number) => Promise<GrpcProbe>;
}

export interface ChecklistReport {
  generated_at: string;
  /** What each source looked at, or why it was skipped. */
  sources: { host: string; config: string; live: string };
  summary: StatusCounts;
  items: CheckResult[];
}

/** Thrown for an explicit --config that cannot be read or parsed (a usage problem, not a finding). */
export class ChecklistInputError extends Error {
  override name = 'ChecklistInputError';
}

async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ChecklistInputError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** The config file a process reads: its --config, else /etc/anode/config.toml when that exists. */
function processConfigFile(p: AnodeProcess): string | undefined {
  return p.configFile ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
}

/** The data dir a process serves, as the server computes it (file, env, --data; relative to its cwd). */
async function servedDataDir(p: AnodeProcess): Promise<string | undefined> {
  if (p.dataDir !== undefined) return canonical(p.dataDir);
  const file = processConfigFile(p);
  let text: string | undefined;
  try {
    text = file === undefined ? undefined : await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const dir = effectiveConfig(text, file ?? 'defaults', p.env ?? {}, undefined).config.server.data_dir;
    return p.cwd === undefined && !dir.startsWith('/') ? undefined : canonical(resolve(p.cwd ?? '/', dir));
  } catch {
    return undefined;
  }
}

async function pickProcess(
  all: AnodeProcess[],
  dataDir: string | undefined,
  configFile: string | undefined,
): Promise<{ process: AnodeProcess | undefined; note: string }> {
  if (all.length === 0) return { process: undefined, note: 'no anode server process on this host' };
  if (dataDir !== undefined) {
    const want = await canonical(dataDir);
    for (const p of all) if ((await servedDataDir(p)) === want) return { process: p, note: '' };
    return { process: undefined, note: `${all.length} anode process(es) on this host, none serving ${dataDir}` };
  }
  if (configFile !== undefined) {
    const want = await canonical(configFile);
    for (const p of all) {
      const f = processConfigFile(p);
      if (f !== undefined && (await canonical(f)) === want) return { process: p, note: '' };
    }
    return { process: undefined, note: `${all.length} anode process(es) on this host, none started with ${configFile}` };
  }
  if (all.length === 1) return { process: all[0], note: '' };
  return { process: undefined, note: `${all.length} anode processes on this host: pass --data DIR to say which` };
}

/** The admin API URL for a listen address on this host (a wildcard is reached via loopback). */
export function adminUrlFor(listen: string, tls: boolean): string | undefined {
  const parts = splitListen(listen);
  if (parts === undefined) return undefined;
  let host = parts.host;
  if (addressScope(host) === 'wildcard') host = host.includes(':') ? '::1' : '127.0.0.1';
  if (host.includes(':')) host = `[${host}]`;
  return `${tls ? 'https' : 'http'}://${host}:${parts.port}`;
}

/**
 * Where to probe the gRPC plane from here. On the node's host: grpc_listen (a wildcard is
 * reached via loopback). Elsewhere, e.g. another pod or an operator's machine in
 * Kubernetes: cluster.advertise, the address the peers dial
 * (`anode-0.anode-peers.<ns>.svc:9090`), else a non-wildcard grpc_listen.
 */
export function grpcTarget(
  listen: string,
  onHost: boolean,
  advertise = '',
): { host: string; port: number; via: 'grpc_listen' | 'advertise' } | { skipped: string } {
  const parts = splitListen(listen);
  if (parts === undefined) return { skipped: `cluster.grpc_listen ${JSON.stringify(listen)} is not host:port` };
  const scope = addressScope(parts.host);
  const bare = parts.host.replace(/^\[(.*)\]$/, '$1');
  if (onHost && scope === 'wildcard') return { host: bare.includes(':') ? '::1' : '127.0.0.1', port: parts.port, via: 'grpc_listen' };
  if (!onHost && advertise !== '') {
    const adv = splitListen(advertise);
    if (adv === undefined) return { skipped: `cluster.advertise ${JSON.stringify(advertise)} is not host:port` };
    return { host: adv.host.replace(/^\[(.*)\]$/, '$1'), port: adv.port, via: 'advertise' };
  }
  if (scope === 'wildcard')
    return {
      skipped: `grpc_listen ${listen} is every interface, no advertise is set and this is not the node's host: run the checklist there`,
    };
  return { host: bare, port: parts.port, via: 'grpc_listen' };
}

/**
 * Probes the target. An advertised address that does not resolve or answer from here proves
 * nothing about the node (a NetworkPolicy letting 9090 in only from anode pods drops us, as
 * it should): that is a SKIP with where to run it instead, not a FAIL.
 */
async function probeCluster(
  target: ReturnType<typeof grpcTarget>,
  probe: (host: string, port: number) => Promise<GrpcProbe>,
): Promise<GrpcProbe | { skipped: string }> {
  if ('skipped' in target) return target;
  const result = await probe(target.host, target.port);
  if (target.via === 'advertise' && (result.kind === 'refused' || result.kind === 'timeout'))
    return {
      skipped: `the advertised address is not reachable from here (${result.detail}); run it inside a node pod, which the peers' policy admits (kubectl exec anode-0 -- node /opt/anode/cli/dist/bin.js audit checklist)`,
    };
  return result;
}

export async function runChecklist(options: ChecklistOptions): Promise<ChecklistReport> {
  const { now } = options;
  const processes = await findAnodeProcesses(options.procRoot);
  const picked = await pickProcess(processes, options.dataDir, options.configFile);
  const proc = picked.process;

  // Config: --config, else the process's, else /etc/anode/config.toml; env from the process only.
  const configFile =
    options.configFile ??
    (proc !== undefined ? processConfigFile(proc) : existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let loaded: LoadedConfig | undefined;
  let configSource: string;
  if (configFile === undefined && proc === undefined) {
    configSource = `skipped: no config (pass --config FILE; none at ${DEFAULT_CONFIG_FILE} and no anode process here)`;
  } else {
    const text = configFile === undefined ? undefined : await readText(configFile);
    const env = proc?.env ?? {};
    try {
      loaded = effectiveConfig(text, configFile ?? 'defaults', env, options.dataDir ?? proc?.dataDir);
    } catch (err) {
      if (err instanceof ConfigReadError) throw new ChecklistInputError(err.message);
      throw err;
    }
    const envNote =
      proc === undefined
        ? ''
        : proc.env === undefined
          ? ` (environment of pid ${proc.pid} unreadable)`
          : loaded.fromEnv.length > 0
            ? ` + environment of pid ${proc.pid} (${loaded.fromEnv.join(', ')})`
            : '';
    configSource = `${configFile ?? 'built-in defaults'}${envNote}`;
  }

  // Host: the data dir from --data, the process, or the config.
  const dataDirRaw =
    options.dataDir ??
    proc?.dataDir ??
    (loaded !== undefined ? resolve(proc?.cwd ?? process.cwd(), loaded.config.server.data_dir) : undefined);
  const dataDir = dataDirRaw === undefined ? undefined : resolve(dataDirRaw);
  let host: HostFacts | { skipped: string };
  if (proc === undefined && (dataDir === undefined || !existsSync(dataDir))) {
    const why = dataDir === undefined ? 'no data dir given (--data DIR)' : `${dataDir} does not exist here`;
    host = { skipped: `not on the node's host: ${picked.note}; ${why}` };
  } else {
    host = await gatherHostFacts({
      config: loaded?.config ?? CONFIG_DEFAULTS,
      cluster: loaded?.sectionsInFile.has('cluster') ?? false,
      dataDir: dataDir ?? resolve('anode-data'),
      process: proc,
      processNote: picked.note,
      unitPath: options.unitFile ?? DEFAULT_UNIT_FILE,
      cliUid: options.cliUid,
    });
  }
  const hostSource =
    'skipped' in host
      ? `skipped: ${host.skipped}`
      : `${host.dataDir}${host.process === undefined ? ` (${host.processNote})` : ` served by pid ${host.process.pid}`}`;

  // Live.
  const onHost = !('skipped' in host);
  const hint = onHost && loaded !== undefined ? adminUrlFor(loaded.config.server.admin_listen, loaded.config.tls.cert !== '') : undefined;
  let live: LiveFacts | { skipped: string };
  const conn = await options.connect(hint);
  if ('skipped' in conn) live = conn;
  else {
    try {
      live = await gatherLiveFacts(conn.client, conn.accessKey, now);
    } catch (err) {
      live = { skipped: liveSkipReason(conn.client.endpoint, err) };
    }
  }
  const liveSource = 'skipped' in live ? `skipped: ${live.skipped}` : `${live.endpoint} (anode ${live.status.version})`;

  // The live gRPC listener, when cluster mode is configured.
  let clusterProbe: GrpcProbe | { skipped: string } | undefined;
  if (loaded !== undefined && (loaded.sectionsInFile.has('cluster') || loaded.config.cluster.enabled) && loaded.config.cluster.enable_tls) {
    const target = grpcTarget(loaded.config.cluster.grpc_listen, onHost, loaded.config.cluster.advertise);
    clusterProbe = await probeCluster(target, options.probeGrpc ?? probeGrpcMtls);
  }

  // The audit hash chain, read from this host's files, with the key the node reports (else its key file).
  let chain;
  if (!onHost || loaded === undefined)
    chain = await auditChainCheck({ auditLog: undefined, publicKeyPem: undefined, skipped: "not on the node's host, or no config" });
  else {
    const h = host as HostFacts;
    const raw = loaded.config.logging.audit_log;
    const auditLog =
      raw === 'off' ? undefined : raw === '' ? join(h.dataDir, 'logs', 'audit.log') : resolve(proc?.cwd ?? process.cwd(), raw);
    let publicKeyPem = 'skipped' in live ? undefined : (live.status.audit?.public_key ?? undefined);
    publicKeyPem ??= await readFile(join(h.dataDir, 'keys', 'audit-ed25519.pub'), 'utf8').catch(() => undefined);
    chain = await auditChainCheck({ auditLog, publicKeyPem });
  }

  const items = sortBySection([
    chain,
    ...hostChecks(host, now),
    ...configChecks(
      loaded === undefined
        ? { skipped: configSource.replace(/^skipped: /, '') }
        : { loaded, source: configSource, clusterFiles: onHost ? (host as HostFacts).clusterFiles : undefined, clusterProbe },
    ),
    ...liveChecks(live, now, onHost ? (host as HostFacts).rootUse : undefined),
    ...manualChecks(),
  ]);
  return {
    generated_at: now.toISOString(),
    sources: { host: hostSource, config: configSource, live: liveSource },
    summary: countStatuses(items),
    items,
  };
}
