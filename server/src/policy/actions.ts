/**
 * S3 action names (as bucket policies spell them) and what grants each one:
 * the ACL permission that satisfies it (per the S3 ACL overview), on which ACL it is
 * checked, and the admin-API bucket permission (`read`, `write`, `read_acp`, `write_acp`).
 */
import type { Grant } from '../metadata/types.js';

export type AclPermission = Grant['permission'];
export type BucketGrantPermission = 'read' | 'write' | 'read_acp' | 'write_acp';
export const BUCKET_GRANT_PERMISSIONS: readonly BucketGrantPermission[] = ['read', 'write', 'read_acp', 'write_acp'];

export interface ActionInfo {
  /** `service`: no bucket (ListAllMyBuckets, CreateBucket); `bucket` or `object` otherwise. */
  target: 'service' | 'bucket' | 'object';
  /** The ACL permission that allows it, or null when only owner/policy/grant can. */
  aclPermission: AclPermission | null;
  /** Which ACL is consulted: WRITE for object writes lives on the bucket's ACL. */
  aclOn: 'bucket' | 'object';
  /** The admin-API bucket permission that allows it, or null for owner-only actions. */
  grant: BucketGrantPermission | null;
}

function info(
  target: ActionInfo['target'],
  aclPermission: AclPermission | null,
  aclOn: ActionInfo['aclOn'],
  grant: BucketGrantPermission | null,
): ActionInfo {
  return { target, aclPermission, aclOn, grant };
}

/** Actions the server decides on. Names are AWS's, verbatim. */
export const S3_ACTIONS = {
  's3:ListAllMyBuckets': info('service', null, 'bucket', null),
  's3:CreateBucket': info('service', null, 'bucket', null),

  's3:ListBucket': info('bucket', 'READ', 'bucket', 'read'),
  's3:ListBucketVersions': info('bucket', 'READ', 'bucket', 'read'),
  's3:ListBucketMultipartUploads': info('bucket', 'READ', 'bucket', 'read'),
  's3:GetBucketLocation': info('bucket', null, 'bucket', 'read'),
  's3:DeleteBucket': info('bucket', null, 'bucket', null),
  's3:GetBucketAcl': info('bucket', 'READ_ACP', 'bucket', 'read_acp'),
  's3:PutBucketAcl': info('bucket', 'WRITE_ACP', 'bucket', 'write_acp'),
  's3:GetBucketPolicy': info('bucket', null, 'bucket', null),
  's3:PutBucketPolicy': info('bucket', null, 'bucket', null),
  's3:DeleteBucketPolicy': info('bucket', null, 'bucket', null),
  's3:GetBucketPolicyStatus': info('bucket', null, 'bucket', null),
  's3:GetBucketVersioning': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketVersioning': info('bucket', null, 'bucket', null),
  's3:GetBucketTagging': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketTagging': info('bucket', null, 'bucket', null),
  's3:GetBucketCORS': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketCORS': info('bucket', null, 'bucket', null),
  's3:GetLifecycleConfiguration': info('bucket', null, 'bucket', 'read'),
  's3:PutLifecycleConfiguration': info('bucket', null, 'bucket', null),
  's3:GetEncryptionConfiguration': info('bucket', null, 'bucket', 'read'),
  's3:PutEncryptionConfiguration': info('bucket', null, 'bucket', null),
  's3:GetBucketOwnershipControls': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketOwnershipControls': info('bucket', null, 'bucket', null),
  's3:GetBucketPublicAccessBlock': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketPublicAccessBlock': info('bucket', null, 'bucket', null),
  's3:GetBucketObjectLockConfiguration': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketObjectLockConfiguration': info('bucket', null, 'bucket', null),
  's3:GetBucketWebsite': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketWebsite': info('bucket', null, 'bucket', null),
  's3:DeleteBucketWebsite': info('bucket', null, 'bucket', null),
  's3:GetBucketLogging': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketLogging': info('bucket', null, 'bucket', null),
  's3:GetBucketNotification': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketNotification': info('bucket', null, 'bucket', null),
  's3:GetBucketRequestPayment': info('bucket', null, 'bucket', 'read'),
  's3:PutBucketRequestPayment': info('bucket', null, 'bucket', null),
  's3:GetAccelerateConfiguration': info('bucket', null, 'bucket', 'read'),
  's3:PutAccelerateConfiguration': info('bucket', null, 'bucket', null),
  's3:GetReplicationConfiguration': info('bucket', null, 'bucket', 'read'),
  's3:PutReplicationConfiguration': info('bucket', null, 'bucket', null),

  's3:GetObject': info('object', 'READ', 'object', 'read'),
  's3:GetObjectVersion': info('object', 'READ', 'object', 'read'),
  's3:GetObjectAttributes': info('object', 'READ', 'object', 'read'),
  's3:GetObjectTagging': info('object', 'READ', 'object', 'read'),
  's3:GetObjectVersionAttributes': info('object', 'READ', 'object', 'read'),
  's3:GetObjectVersionTagging': info('object', 'READ', 'object', 'read'),
  's3:GetObjectRetention': info('object', null, 'object', 'read'),
  's3:GetObjectLegalHold': info('object', null, 'object', 'read'),
  // Writes are governed by the bucket: AWS's WRITE on a bucket covers creating,
  // overwriting and deleting any object in it (the object may not exist yet).
  's3:PutObject': info('object', 'WRITE', 'bucket', 'write'),
  's3:DeleteObject': info('object', 'WRITE', 'bucket', 'write'),
  's3:DeleteObjectVersion': info('object', 'WRITE', 'bucket', 'write'),
  's3:AbortMultipartUpload': info('object', 'WRITE', 'bucket', 'write'),
  's3:ListMultipartUploadParts': info('object', 'WRITE', 'bucket', 'write'),
  's3:PutObjectTagging': info('object', null, 'bucket', 'write'),
  's3:DeleteObjectTagging': info('object', null, 'bucket', 'write'),
  's3:PutObjectVersionTagging': info('object', null, 'bucket', 'write'),
  's3:DeleteObjectVersionTagging': info('object', null, 'bucket', 'write'),
  's3:PutObjectRetention': info('object', null, 'bucket', 'write'),
  's3:PutObjectLegalHold': info('object', null, 'bucket', 'write'),
  // Owner, admin or a policy only: never implied by a WRITE grant.
  's3:BypassGovernanceRetention': info('object', null, 'bucket', null),
  's3:RestoreObject': info('object', null, 'bucket', 'write'),
  's3:GetObjectAcl': info('object', 'READ_ACP', 'object', 'read_acp'),
  's3:GetObjectVersionAcl': info('object', 'READ_ACP', 'object', 'read_acp'),
  's3:PutObjectAcl': info('object', 'WRITE_ACP', 'object', 'write_acp'),
  's3:PutObjectVersionAcl': info('object', 'WRITE_ACP', 'object', 'write_acp'),
} as const satisfies Record<string, ActionInfo>;

export type S3Action = keyof typeof S3_ACTIONS;

/**
 * Further AWS S3 action names a policy may mention (copied from AWS policies) that we do
 * not implement: accepted by the parser, never requested.
 */
const OTHER_AWS_ACTIONS = [
  's3:GetObjectTorrent',
  's3:GetObjectVersionTorrent',
  's3:GetObjectVersionForReplication',
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:ReplicateTags',
  's3:ObjectOwnerOverrideToBucketOwner',
  's3:GetBucketAnalyticsConfiguration',
  's3:PutBucketAnalyticsConfiguration',
  's3:GetInventoryConfiguration',
  's3:PutInventoryConfiguration',
  's3:GetMetricsConfiguration',
  's3:PutMetricsConfiguration',
  's3:GetIntelligentTieringConfiguration',
  's3:PutIntelligentTieringConfiguration',
  's3:GetBucketOwnershipControls',
  's3:ListAccessPoints',
  's3:ListJobs',
  's3:CreateJob',
  's3:PutBucketObjectLockConfiguration',
  's3:GetAccountPublicAccessBlock',
  's3:PutAccountPublicAccessBlock',
  's3:ListBucketByTags',
  's3:GetAccessPoint',
  's3:GetBucketNotificationConfiguration',
  's3:PutBucketNotificationConfiguration',
];

/** Every action name a policy may name, lowercased, for validation and wildcard checks. */
export const KNOWN_ACTIONS_LOWER: ReadonlySet<string> = new Set(
  [...Object.keys(S3_ACTIONS), ...OTHER_AWS_ACTIONS].map((a) => a.toLowerCase()),
);

export function isS3Action(name: string): name is S3Action {
  return Object.prototype.hasOwnProperty.call(S3_ACTIONS, name);
}

export function actionInfo(action: string): ActionInfo | null {
  return isS3Action(action) ? S3_ACTIONS[action] : null;
}

/** ACL permission implication: FULL_CONTROL holds all four. */
export function aclPermissionCovers(held: AclPermission, wanted: AclPermission): boolean {
  return held === wanted || held === 'FULL_CONTROL';
}

/** Whether a bucket permission grant list (from the admin API) allows `action`. */
export function grantAllows(grants: readonly string[], action: string): boolean {
  const needed = actionInfo(action)?.grant;
  return needed !== undefined && needed !== null && grants.includes(needed);
}
