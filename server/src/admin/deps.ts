import { join } from 'node:path';
import type { S3Deps } from '../s3/deps.js';
import type { GcScheduler } from '../model/gc-scheduler.js';
import type { Config } from '../config/schema.js';

/** What the admin plane needs: everything the S3 plane has, plus the GC scheduler. */
export interface AdminDeps extends S3Deps {
  gc: GcScheduler;
  /** The audit log file GET /admin/audit reads; derived from the config when not given. */
  auditLogPath?: string | null;
}

/** Same rule as main.ts: logging.audit_log, "" for <data>/logs/audit.log, "off" for none. */
export function auditLogPathOf(deps: Pick<AdminDeps, 'auditLogPath'> & { config: Config }): string | null {
  if (deps.auditLogPath !== undefined) return deps.auditLogPath;
  const v = deps.config.logging.audit_log;
  if (v === 'off') return null;
  return v === '' ? join(deps.config.server.data_dir, 'logs', 'audit.log') : v;
}
