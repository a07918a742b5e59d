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

/** How many public object keys BucketInfo lists per bucket. */
export const PUBLIC_OBJECT_EXAMPLES = 5;

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
  /** Objects (among those counted) whose own ACL grants AllUsers or AuthenticatedUsers. */
  public_objects: number;
  /** Up to PUBLIC_OBJECT_EXAMPLES of their keys. */
  public_object_keys: string[];
  /** Users with admin-API permission grants on the bucket. */
  grants: number;
}

export interface ListBucketsResponse {
  buckets: BucketInfo[];
}

export interface CreateBucketRequest {
  name: string;
  /** The user that owns the bucket (default: the caller's user). */
  owner?: string;
}

export interface DeleteBucketResponse {
  bucket: string;
  deleted: true;
}

export interface EmptyBucketRequest {
  /** Objects (and then uploads) removed by this call at most, 1 to 1000; default 1000. */
  limit?: number;
}

/** One batch of `buckets delete --force`: call again until done. */
export interface EmptyBucketResponse {
  bucket: string;
  objects_deleted: number;
  uploads_aborted: number;
  /** True when the bucket holds no object and no multipart upload any more. */
  done: boolean;
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
  /** What the run left for later, and why; null while it runs. */
  pending: GcPendingJson | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number;
}

/**
 * Chunks a GC run did not free. A run asked for through the API frees deleted data's
 * chunks at once; a scheduled run keeps them for gc.trash_delay_seconds.
 */
export interface GcPendingJson {
  /** Deleted data's chunks still used by a write, copy or read in flight. */
  trash_in_use: number;
  /** Deleted data's chunks kept for the trash delay (scheduled runs), or deleted after the run looked. */
  trash_delayed: number;
  /** Deleted data's chunks whose file could not be removed (retried next run). */
  trash_failed: number;
  /** Unreferenced chunk files younger than gc.orphan_grace_seconds (an upload may still commit them). */
  orphans_in_grace: number;
  /** Unreferenced chunk files an upload in flight is writing. */
  orphans_in_use: number;
  /** The counts are lower bounds. */
  truncated: boolean;
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

/** One version of a named key-encryption key. */
export interface KeyVersionJson {
  version: number;
  created_at: string;
  state: 'active' | 'retired';
  /** Stored data keys wrapped by this version (objects, and the credential master key). */
  objects: number;
}

export interface KeyJson {
  name: string;
  provider: string;
  created_at: string;
  /** The version new writes use; null when every version is retired. */
  current_version: number | null;
  versions: KeyVersionJson[];
}

export interface ListKeysResponse {
  /** The key provider this node is configured with, or null (no encryption, no provider). */
  provider: string | null;
  keys: KeyJson[];
}

export interface KeyNameRequest {
  name: string;
}

export interface CreateKeyResponse {
  created: boolean;
  key: KeyJson;
}

export interface RotateKeyRequest {
  /** Default 'default'. */
  name?: string;
}

export interface RotateKeyResponse {
  version: number;
  key: KeyJson;
}

export interface RewrapKeyRequest {
  /** Default 'default'. */
  name?: string;
  /** Answer only when the rewrap has finished (default false). */
  wait?: boolean;
}

export interface RewrapStatusJson {
  name: string;
  to_version: number;
  running: boolean;
  started_at: string;
  finished_at: string | null;
  total: number;
  rewrapped: number;
  skipped: number;
  failed: number;
  last_error: string | null;
}

export interface RewrapKeyResponse {
  /** False when a rewrap of this key was already running and this call joined it. */
  started: boolean;
  status: RewrapStatusJson;
}

export interface RewrapStatusQuery {
  name?: string;
}

export interface RewrapStatusResponse {
  status: RewrapStatusJson | null;
}

export interface RetireKeyRequest {
  name: string;
  version: number;
}

export interface RetireKeyResponse {
  key: KeyJson;
}

/** Encryption at rest and its keys, as `anodectl status` shows them. */
export interface EncryptionStatus {
  /** [storage] encryption: object data encrypted at rest. */
  enabled: boolean;
  provider: string | null;
  /** null when no provider is configured. */
  provider_reachable: boolean | null;
  provider_error: string | null;
  /** Where the credential master key lives: 'provider:<kind>' or the key file's path. */
  master_key: string;
  keys: KeyJson[];
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
  audit: AuditChainStatus;
  /** The access log file on the node's host, or null when off. */
  access_log: string | null;
  encryption: EncryptionStatus;
}

/** The node's audit chain: who signs it, where its head is, whether it is intact. */
export interface AuditChainStatus {
  /** The node id the anchor and checkpoints name. */
  node_id: string | null;
  /** SPKI PEM of the Ed25519 key that signs checkpoints (pin it: anodectl audit verify --public-key). */
  public_key: string | null;
  public_key_fingerprint: string | null;
  /** The audit log file, or null when audit logging is off. */
  path: string | null;
  head_seq: number | null;
  /** False after a failed write/checkpoint or a failed start-up check (anode_audit_chain_ok 0). */
  chain_ok: boolean;
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
  /** True from lockdown until `incident unlock` (unsigned requests refused meanwhile). */
  active?: boolean;
  lifted_at?: string | null;
  lifted_by?: string | null;
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
  /** A lockdown is in force (until anodectl incident unlock). */
  lockdown_active: boolean;
  /** Public ACLs and "*" policies are honoured for unsigned requests (off in lockdown or with [auth] anonymous = false). */
  anonymous_access: boolean;
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
