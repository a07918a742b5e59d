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

import type { ClusterStore } from '../metadata/cluster-types.js';
import type { RepairStatusResponse } from '@anode/shared/admin-api/index';

/** What the admin plane sees of cluster mode (null on a single node). */
export interface ClusterAdmin {
  store: ClusterStore;
  nodeId: string;
  replicationFactor: number;
  writeQuorum: number;
  downAfterMs: number;
  /** Re-reads membership now, so placement and the peer check follow a change at once. */
  refresh(): Promise<void>;
  repair: {
    run(opts: { all: boolean; scrub?: boolean }): { started: boolean; done: Promise<unknown> };
    status(): RepairStatusResponse;
  };
}

/** What the admin plane needs: everything the S3 plane has, plus the GC scheduler. */
export interface AdminDeps extends S3Deps {
  gc: GcScheduler;
  keys: AdminKeys | null;
  /** Where the credential master key lives ('provider:<kind>' or its file), for status. */
  masterKeyWhere: string;
  cluster?: ClusterAdmin | null;
  /** The audit log file GET /admin/audit reads; derived from the config when not given. */
  auditLogPath?: string | null;
}

/** The audit log path given, or the config's (config/paths.ts: the same rule as the server's). */
export function auditLogPathOf(deps: Pick<AdminDeps, 'auditLogPath'> & { config: Config }): string | null {
  if (deps.auditLogPath !== undefined) return deps.auditLogPath;
  return nodePaths(deps.config).auditLog;
}
