/**
 * Gathers what the host items need: the anode process, file owners and modes, the
 * systemd unit, the TLS certificate and a bounded tail of the access log. Only I/O here;
 * host-checks.ts judges the facts.
 */
import { X509Certificate } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { AnodeProcess } from './anode-process.js';
import type { DeploymentConfig } from './deployment-config.js';

export interface FileFact {
  path: string;
  exists: boolean;
  /** Permission bits (mode & 0o7777) when it exists. */
  mode?: number;
  uid?: number;
  isDirectory?: boolean;
  /** Why we could not stat it (other than "does not exist"). */
  error?: string;
}

export interface CertFact {
  path: string;
  validTo?: Date;
  error?: string;
}

export interface UnitFact {
  path: string;
  text?: string;
  error?: string;
}

export interface RootUseFact {
  /** The access log we read, or undefined when there was none to read. */
  logPath: string | undefined;
  /** Distinct non-loopback addresses root's key was used from (newest lines only). */
  addresses: string[];
  error?: string;
}

export interface HostFacts {
  /** The CLI's own uid (undefined off Linux/POSIX). */
  cliUid: number | undefined;
  process: AnodeProcess | undefined;
  /** Why no process was picked (none running, several and none matches, ...). */
  processNote: string;
  dataDir: string;
  dataDirFact: FileFact;
  credentialsDb: FileFact[];
  /** The credential master key file; undefined when the key provider wraps it (no file). */
  masterKey: FileFact | undefined;
  /** Where older nodes kept it: <data>/metadata/master.key (a start migrates it away). */
  legacyMasterKey: FileFact;
  /** The key provider in effect ('file', 'pkcs11'), or null. */
  keyProvider: string | null;
  /** The key file of the "file" provider (storage.encryption_key), when that provider is in effect. */
  encryptionKeyPath: string | undefined;
  /** Private keys named by the config: [tls] key, [cluster] tls_key, storage.encryption_key. */
  keyFiles: { key: string; fact: FileFact }[];
  rootCredentialsFile: FileFact;
  logFiles: FileFact[];
  unit: UnitFact;
  tlsCert: CertFact | undefined;
  clusterFiles: FileFact[];
  rootUse: RootUseFact;
  /** The anode process's environment holds ANODE_ROOT_SECRET_KEY. */
  rootSecretInProcessEnv: boolean | undefined;
}

export async function fileFact(path: string): Promise<FileFact> {
  try {
    const s = await stat(path);
    return { path, exists: true, mode: s.mode & 0o7777, uid: s.uid, isDirectory: s.isDirectory() };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path, exists: false };
    return { path, exists: false, error: code ?? String(err) };
  }
}

async function certFact(path: string): Promise<CertFact> {
  try {
    const cert = new X509Certificate(await readFile(path));
    return { path, validTo: new Date(cert.validTo) };
  } catch (err) {
    return { path, error: (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

async function unitFact(path: string): Promise<UnitFact> {
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (err) {
    return { path, error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
}

const TAIL_BYTES = 8 * 1024 * 1024;

function isLoopbackText(addr: string): boolean {
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}

/** Reads at most the last 8 MiB of the access log and collects root's non-loopback client addresses. */
export async function scanRootUse(logPath: string | undefined): Promise<RootUseFact> {
  if (logPath === undefined) return { logPath, addresses: [] };
  let text: string;
  try {
    const fh = await open(logPath, 'r');
    try {
      const { size } = await fh.stat();
      const start = Math.max(0, size - TAIL_BYTES);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      text = buf.toString('utf8');
      // The first line of a tail is usually cut in half.
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { logPath: undefined, addresses: [] };
    return { logPath, addresses: [], error: code ?? String(err) };
  }
  const addresses = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.includes('"root"')) continue;
    try {
      const entry = JSON.parse(line) as { user?: unknown; remote_addr?: unknown };
      if (entry.user === 'root' && typeof entry.remote_addr === 'string' && entry.remote_addr !== '' && !isLoopbackText(entry.remote_addr))
        addresses.add(entry.remote_addr);
    } catch {
      /* a torn or foreign line */
    }
  }
  return { logPath, addresses: [...addresses] };
}

/** A log path as the server resolves it: "off" → none, "" → <data>/logs/<name>. */
export function logPath(value: string, dataDir: string, name: string): string | undefined {
  if (value === 'off') return undefined;
  return value === '' ? join(dataDir, 'logs', name) : value;
}

export interface HostGatherInput {
  config: DeploymentConfig;
  /** Whether a [cluster] section is configured. */
  cluster: boolean;
  dataDir: string;
  process: AnodeProcess | undefined;
  processNote: string;
  unitPath: string;
  cliUid: number | undefined;
}

/** True when `path` is `dir` or lies under it. */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The key provider the node uses (the server's rule: "" = "file" when encryption is on). */
export function keyProviderOf(config: DeploymentConfig): string | null {
  if (config.storage.key_provider !== '') return config.storage.key_provider;
  return config.storage.encryption ? 'file' : null;
}

/**
 * The credential master key file the node uses with no key provider: auth.master_key_file,
 * else storage.master_key, else its default in the node's XDG config directory (the
 * server's rule in config/paths.ts, repeated because the CLI must not import the server).
 */
export function masterKeyPath(
  config: DeploymentConfig,
  env: Readonly<Record<string, string | undefined>>,
  abs: (p: string) => string,
): string {
  const configured = config.auth.master_key_file !== '' ? config.auth.master_key_file : config.storage.master_key;
  if (configured !== '') return abs(configured);
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'anode', 'master.key');
  const home = env['HOME'];
  if (home !== undefined && home !== '' && home !== '/' && isAbsolute(home)) return join(home, '.config', 'anode', 'master.key');
  return '/etc/anode/master.key';
}

export async function gatherHostFacts(input: HostGatherInput): Promise<HostFacts> {
  const { config, dataDir } = input;
  // Relative paths in the config are relative to the server's working directory.
  const base = input.process?.cwd ?? process.cwd();
  const abs = (p: string) => resolve(base, p);
  const metadata = join(dataDir, 'metadata');
  const keyFiles: { key: string; fact: FileFact }[] = [];
  if (config.tls.key !== '') keyFiles.push({ key: 'tls.key', fact: await fileFact(abs(config.tls.key)) });
  if (input.cluster && config.cluster.enable_tls && config.cluster.tls_key !== '')
    keyFiles.push({ key: 'cluster.tls_key', fact: await fileFact(abs(config.cluster.tls_key)) });
  if (config.storage.encryption) keyFiles.push({ key: 'storage.encryption_key', fact: await fileFact(abs(config.storage.encryption_key)) });
  const accessLog = logPath(config.logging.access_log, dataDir, 'access.log');
  const auditLog = logPath(config.logging.audit_log, dataDir, 'audit.log');
  const logFiles = await Promise.all([accessLog, auditLog].filter((p): p is string => p !== undefined).map((p) => fileFact(abs(p))));
  const clusterFiles =
    input.cluster && config.cluster.enable_tls
      ? await Promise.all(
          [config.cluster.tls_cert, config.cluster.tls_key, config.cluster.tls_ca].filter((p) => p !== '').map((p) => fileFact(abs(p))),
        )
      : [];
  const env = input.process?.env;
  const keyProvider = keyProviderOf(config);
  return {
    cliUid: input.cliUid,
    process: input.process,
    processNote: input.processNote,
    dataDir,
    dataDirFact: await fileFact(dataDir),
    credentialsDb: (
      await Promise.all(['credentials.db', 'credentials.db-wal', 'credentials.db-shm'].map((n) => fileFact(join(metadata, n))))
    ).filter((f, i) => i === 0 || f.exists),
    masterKey: keyProvider === null ? await fileFact(masterKeyPath(config, env ?? process.env, abs)) : undefined,
    legacyMasterKey: await fileFact(join(metadata, 'master.key')),
    keyProvider,
    encryptionKeyPath: keyProvider === 'file' ? abs(config.storage.encryption_key) : undefined,
    keyFiles,
    rootCredentialsFile: await fileFact(join(dataDir, 'root-credentials')),
    logFiles,
    unit: await unitFact(input.unitPath),
    tlsCert: config.tls.cert === '' ? undefined : await certFact(abs(config.tls.cert)),
    clusterFiles,
    rootUse: await scanRootUse(accessLog === undefined ? undefined : abs(accessLog)),
    rootSecretInProcessEnv: env === undefined ? undefined : (env['ANODE_ROOT_SECRET_KEY'] ?? '') !== '',
  };
}
