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
