import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Config } from './schema.js';

export interface NodePaths {
  data: string;
  /** The credential master key file (used when no key provider is configured); never inside `data`. */
  masterKey: string;
  /** Where master keys lived before they moved out of the data directory (migrated on start). */
  legacyMasterKey: string;
  /** null when the log is configured "off". */
  accessLog: string | null;
  auditLog: string | null;
}

/**
 * The default credential master key file: the user's config directory (XDG), so an
 * embedded `anode server` keeps working with no config and a copy of the data directory
 * alone cannot unseal the secrets. A system install names /etc/anode/master.key in its
 * config; with no home directory at all, /etc/anode/master.key is the default too.
 */
export function defaultMasterKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'anode', 'master.key');
  const home = env['HOME'] ?? safeHomedir();
  if (home !== '' && home !== '/' && isAbsolute(home)) return join(home, '.config', 'anode', 'master.key');
  return '/etc/anode/master.key';
}

function safeHomedir(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

/** True when `path` is `dir` itself or lies under it. */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Where a node keeps its files, from the config: the one rule for the server, break-glass
 * and the admin plane's audit reader. A log key "" means `<data>/logs/<name>.log`, "off" none.
 */
export function nodePaths(config: Config, env: NodeJS.ProcessEnv = process.env): NodePaths {
  const data = config.server.data_dir;
  const logs = join(data, 'logs');
  const pick = (v: string, fallback: string): string | null => (v === 'off' ? null : v === '' ? fallback : v);
  const configured = config.auth.master_key_file !== '' ? config.auth.master_key_file : config.storage.master_key;
  return {
    data,
    masterKey: configured === '' ? defaultMasterKeyFile(env) : resolve(configured),
    legacyMasterKey: join(data, 'metadata', 'master.key'),
    accessLog: pick(config.logging.access_log, join(logs, 'access.log')),
    auditLog: pick(config.logging.audit_log, join(logs, 'audit.log')),
  };
}

/** Where a running node records the log paths it uses, for `anode admin reset-root`. */
export function recordedPathsFile(dataDir: string): string {
  return join(dataDir, 'metadata', 'node-paths.json');
}

/** The logs a running node writes, as recorded at its start (0600, owner only). */
export interface RecordedPaths {
  audit_log: string | null;
  access_log: string | null;
  pid: number;
  started_at: string;
}

export function parseRecordedPaths(text: string): RecordedPaths | null {
  try {
    const v = JSON.parse(text) as Partial<RecordedPaths>;
    if ((typeof v.audit_log === 'string' || v.audit_log === null) && typeof v.pid === 'number') {
      return {
        audit_log: v.audit_log,
        access_log: typeof v.access_log === 'string' ? v.access_log : null,
        pid: v.pid,
        started_at: String(v.started_at ?? ''),
      };
    }
  } catch {
    // not ours, or truncated: ignored
  }
  return null;
}
