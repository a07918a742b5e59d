import { nodePaths } from '../config/paths.js';
import type { S3Deps } from '../s3/deps.js';
import type { GcScheduler } from '../model/gc-scheduler.js';
import type { Config } from '../config/schema.js';
import type { KeyRegistry } from '../keys/key-registry.js';
import type { KeyRewrapper } from '../keys/key-rewrap.js';

/** The key registry side of the admin plane; null when no key provider is configured. */
export interface AdminKeys {
  registry: KeyRegistry;
  rewrapper: KeyRewrapper;
}

/** What the admin plane needs: everything the S3 plane has, plus the GC scheduler. */
export interface AdminDeps extends S3Deps {
  gc: GcScheduler;
  keys: AdminKeys | null;
  /** Where the credential master key lives ('provider:<kind>' or its file), for status. */
  masterKeyWhere: string;
  /** The audit log file GET /admin/audit reads; derived from the config when not given. */
  auditLogPath?: string | null;
}

/** The audit log path given, or the config's (config/paths.ts: the same rule as the server's). */
export function auditLogPathOf(deps: Pick<AdminDeps, 'auditLogPath'> & { config: Config }): string | null {
  if (deps.auditLogPath !== undefined) return deps.auditLogPath;
  return nodePaths(deps.config).auditLog;
}
