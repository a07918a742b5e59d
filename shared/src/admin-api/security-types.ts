/**
 * Admin API shapes for the security tools: policy simulate/explain, the credentials
 * report, master-key re-seal and incident unlock. No shape here holds a secret.
 */

export interface PolicySimulateRequest {
  bucket: string;
  /** `user:NAME` or `*` (an unsigned caller). */
  principal: string;
  /** IAM action, e.g. `s3:GetObject`. */
  action: string;
  /** The object key, for object actions. */
  key?: string;
  /** Condition key → request values (aws:SourceIp, aws:SecureTransport, s3:prefix, ...). */
  conditions?: Record<string, string[]>;
}

export interface ConditionTraceJson {
  operator: string;
  key: string;
  policy_values: string[];
  request_values: string[];
  holds: boolean;
}

export interface StatementTraceJson {
  index: number;
  sid: string | null;
  effect: 'Allow' | 'Deny';
  principal_matches: boolean;
  action_matches: boolean;
  resource_matches: boolean;
  conditions: ConditionTraceJson[];
  applies: boolean;
}

export interface DecisionTraceJson {
  allowed: boolean;
  /** admin, owner, policy, grant, acl, explicit-deny, implicit-deny, anonymous-disabled. */
  reason: string;
  action: string;
  principal: string;
  resource: string;
  /** One line: the deciding statement (Sid or index), grant or ACL grant, or the implicit deny. */
  decided_by: string;
  policy: 'absent' | 'unparsable' | 'allow' | 'deny' | 'none';
  statements: StatementTraceJson[];
}

export interface PolicySimulateResponse extends DecisionTraceJson {
  bucket: string;
  /** The credential whose role and permissions were used (a user may have several). */
  simulated_credential: string | null;
  /** Assumptions made: default condition values, which credential was picked. */
  notes: string[];
}

export interface DenialTraceResponse extends DecisionTraceJson {
  request_id: string;
  at: string;
  remote_addr: string;
  operation: string;
  bucket: string | null;
  key: string | null;
}

export type CredentialFinding = 'never-used' | 'unused-90-days' | 'older-than-90-days' | 'grants-on-every-bucket' | 'admin-role-unused';

export interface CredentialReportEntry {
  access_key: string;
  user: string;
  role: 'admin' | 'user';
  status: string;
  created: string;
  age_days: number;
  last_used: string | null;
  /** Buckets the key can use through a bucket permission grant, ownership or a policy naming its user. */
  buckets: string[];
  /** Credential-level permissions (valid on every bucket). */
  permissions: string[];
  findings: CredentialFinding[];
  /** One line per finding, with the fix. */
  finding_text: string[];
}

export interface CredentialsReportResponse {
  generated_at: string;
  /** Active (and expiring) credentials only: revoked and expired keys cannot be used. */
  credentials: CredentialReportEntry[];
  findings: number;
}

export interface ResealResponse {
  resealed: number;
  /** SHA-256 fingerprints (first 16 hex) of the old and new master keys, never the keys. */
  previous_key: string;
  new_key: string;
  at: string;
}

export interface UnlockRequest {
  reason?: string;
}

export interface UnlockResponse {
  /** False when no lockdown was active (read-only may still have been switched off). */
  lifted: boolean;
  at: string;
  read_only: boolean;
  anonymous_access: boolean;
}
