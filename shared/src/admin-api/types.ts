/**
 * The admin API's JSON shapes, shared by the server (which produces them) and the typed
 * AdminClient (which consumes them). Field names are snake_case on the wire, timestamps
 * ISO 8601 strings (or null). No response type ever holds a secret except
 * CreatedCredential, returned once by create and rotate.
 */

export type Role = 'admin' | 'user';
export const ROLES: readonly Role[] = ['admin', 'user'];

/** The bucket permission names the admin API grants (server policy/actions.ts enforces them). */
export type BucketPermission = 'read' | 'write' | 'read_acp' | 'write_acp';
export const BUCKET_PERMISSIONS: readonly BucketPermission[] = ['read', 'write', 'read_acp', 'write_acp'];

export type CredentialStatus = 'active' | 'revoked' | 'expired' | 'expiring';

export interface CredentialInfo {
  access_key: string;
  user: string;
  role: Role;
  permissions: string[];
  created: string;
  last_used: string | null;
  revoked: string | null;
  /** Set by a rotation with grace: the key stops working at this time. */
  expires: string | null;
  status: CredentialStatus;
}

/** The only shape that carries a secret: shown once, never stored by the server in plaintext. */
export interface CreatedCredential extends CredentialInfo {
  secret_key: string;
}

export interface CreateCredentialRequest {
  user: string;
  role?: Role;
  permissions?: string[];
}

export interface ListCredentialsResponse {
  credentials: CredentialInfo[];
}

export interface RevokeCredentialResponse {
  access_key: string;
  revoked: string;
  /** True when the key had already been revoked before this call. */
  already_revoked: boolean;
}

export interface RevokeAllRequest {
  /** Access keys to leave active (incident lockdown passes the caller's). */
  except?: string[];
}

export interface RevokeAllResponse {
  revoked: number;
  except: string[];
}

export interface RotateCredentialRequest {
  /** Seconds the old key keeps working; 0 or absent revokes it now. */
  grace_seconds?: number;
}

export interface RotateCredentialResponse {
  credential: CreatedCredential;
  previous: CredentialInfo;
}

/** `{"user:alice": ["read"], "user:bob": ["read", "write"]}` */
export type BucketPermissions = Record<string, string[]>;

export interface BucketPermissionsResponse {
  bucket: string;
  permissions: BucketPermissions;
  /** On PUT: granted users that hold no credential yet (allowed: keys may come later). */
  unknown_users?: string[];
}

export interface BucketInfo {
  name: string;
  owner: string;
  region: string;
  created: string;
  /** Objects counted up to OBJECT_COUNT_CAP; see object_count_truncated. */
  object_count: number;
  object_count_truncated: boolean;
  /** The bucket ACL grants something to AllUsers or AuthenticatedUsers. */
  public_acl: boolean;
  has_policy: boolean;
  /** The bucket policy allows some action to everyone (Principal "*"). */
  public_policy: boolean;
  /** Users with admin-API permission grants on the bucket. */
  grants: number;
}

export interface ListBucketsResponse {
  buckets: BucketInfo[];
}

export interface SetReadOnlyRequest {
  enabled: boolean;
}

export interface ReadOnlyResponse {
  read_only: boolean;
  since: string | null;
}

export interface GcStatsJson {
  chunks_scanned: number;
  chunks_removed: number;
  bytes_freed: number;
  uploads_expired: number;
  trashed: number;
  orphans_removed: number;
  temporary_removed: number;
  errors: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number;
}

export interface GcStatusResponse {
  running: boolean;
  current: GcStatsJson | null;
  last: GcStatsJson | null;
  last_error: string | null;
  next_scheduled_at: string | null;
}

export interface RunGcRequest {
  /** Answer only when the run has finished (default false: answer at once). */
  wait?: boolean;
}

export interface RunGcResponse {
  /** False when a run was already in flight and this call joined it. */
  started: boolean;
  running: boolean;
  /** The finished run's figures, with wait: true. */
  stats: GcStatsJson | null;
}

export interface CredentialCounts {
  active: number;
  admin: number;
  revoked: number;
  expired: number;
}

export interface StatusResponse {
  version: string;
  started_at: string;
  uptime_seconds: number;
  region: string;
  read_only: boolean;
  read_only_since: string | null;
  s3_listen: string;
  admin_listen: string;
  tls: boolean;
  credentials: CredentialCounts;
  buckets: number;
  blocklist: number;
  gc: GcStatusResponse;
}

/** One audit-log line as written (timestamp, action, user, access_key, remote_addr, request_id, details...). */
export type AuditEntry = Record<string, unknown> & { timestamp: string; action: string };

export interface AuditQuery {
  /** ISO timestamp; entries at or after it. */
  since?: string;
  /** Most recent N entries (default 100, max 10000). */
  limit?: number;
}

export interface AuditResponse {
  /** Oldest first, newest last. */
  entries: AuditEntry[];
  /** True when more entries matched than `limit` (the oldest were left out). */
  truncated: boolean;
}

export interface LockdownRequest {
  reason: string;
}

export interface LockdownRecord {
  at: string;
  user: string;
  access_key: string;
  reason: string;
  revoked: number;
}

export interface LockdownResponse extends LockdownRecord {
  read_only: boolean;
  /** The only access keys still active: the caller's. */
  kept: string[];
}

export interface IncidentStatusResponse {
  read_only: boolean;
  read_only_since: string | null;
  last_lockdown: LockdownRecord | null;
  active_credentials: number;
  blocklist: string[];
  /** Cluster mode: the nodes isolated by `incident isolate` (absent on a single node). */
  isolated_nodes?: ClusterNodeInfo[];
}

export type ClusterNodeState = 'joining' | 'active' | 'draining' | 'down' | 'removed' | 'isolated';

export interface ClusterNodeInfo {
  node_id: string;
  advertise: string;
  zone: string;
  state: ClusterNodeState;
  state_reason: string | null;
  state_changed_at: string;
  last_heartbeat: string;
  /** Seconds since the last heartbeat, by the database clock at the time of the answer. */
  last_seen_seconds: number;
  chunks: number;
  bytes: number;
  free_disk_bytes: number;
  version: string;
}

export interface ClusterStatusResponse {
  enabled: boolean;
  /** The node that answered. */
  node_id: string | null;
  replication_factor: number | null;
  write_quorum: number | null;
  nodes: ClusterNodeInfo[];
  /** Replicas a write or delete missed, waiting for repair. */
  pending_repairs: number;
}

export interface RepairStatsJson {
  kind: 'repair' | 'scrub';
  started_at: string;
  finished_at: string | null;
  chunks_scanned: number;
  /** Chunks left with fewer than R healthy replicas at the end of the pass. */
  under_replicated: number;
  replicas_copied: number;
  copy_failures: number;
  bytes_copied: number;
  deletes_retried: number;
  /** Local replicas whose SHA-256 no longer matched (scrub). */
  corrupt_found: number;
}

export interface RepairStatusResponse {
  running: boolean;
  current: RepairStatsJson | null;
  last: RepairStatsJson | null;
  last_error: string | null;
}

export interface RunRepairRequest {
  /** Re-hash this node's own replicas first (scrub). */
  scrub?: boolean;
}

export interface RunRepairResponse {
  /** False if a pass was already running (the call joined it). */
  started: boolean;
}

export interface NodeChangeRequest {
  reason?: string;
}

export interface IsolateRequest {
  node: string;
  reason: string;
}

export interface NodeChangeResponse {
  node: ClusterNodeInfo;
  /** False if the node was already in that state. */
  changed: boolean;
}

export interface BlocklistResponse {
  cidrs: string[];
}

export interface BlockRequest {
  cidr: string;
}

export interface BlockChangeResponse extends BlocklistResponse {
  cidr: string;
  /** False when the CIDR was already listed (add) or not listed (remove). */
  changed: boolean;
}

/** The error body of every non-2xx admin answer. */
export interface AdminErrorBody {
  error: { code: string; message: string; request_id?: string };
}

/** Objects counted per bucket in GET /admin/buckets before giving up (keeps the call cheap). */
export const OBJECT_COUNT_CAP = 1000;
