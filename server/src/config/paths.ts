import { join } from 'node:path';
import type { Config } from './schema.js';

export interface NodePaths {
  data: string;
  masterKey: string;
  /** null when the log is configured "off". */
  accessLog: string | null;
  auditLog: string | null;
}

/**
 * Where a node keeps its files, from the config: the one rule for the server, break-glass
 * and the admin plane's audit reader. A log key "" means `<data>/logs/<name>.log`, "off" none.
 */
export function nodePaths(config: Config): NodePaths {
  const data = config.server.data_dir;
  const logs = join(data, 'logs');
  const pick = (v: string, fallback: string): string | null => (v === 'off' ? null : v === '' ? fallback : v);
  return {
    data,
    masterKey: config.storage.master_key === '' ? join(data, 'metadata', 'master.key') : config.storage.master_key,
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
