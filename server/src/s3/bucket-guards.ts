/**
 * Checks every bucket and object request passes on its bucket's settings before it is
 * authorized: x-amz-expected-bucket-owner, Object Ownership's "ACLs disabled", and
 * PublicAccessBlock's BlockPublicAcls (the decisions themselves live in policy/).
 */
import { S3Error } from './errors.js';
import { header, type RequestContext } from './context.js';
import type { BucketRecord } from '../metadata/types.js';
import { aclFromHeaders, parseGrantHeaders } from '../policy/acl.js';
import { publicAclBlocked } from '../policy/authorize.js';
import { ANODE_ACCOUNT_ID, canonicalUserId } from '../policy/principal.js';

/**
 * x-amz-expected-bucket-owner names the account (the one Anode account id), the owner's
 * canonical id, or the owner's user name; anything else is AccessDenied, as AWS answers.
 * x-amz-source-expected-bucket-owner is the same check on a copy's source bucket.
 */
export function checkExpectedOwner(ctx: RequestContext, bucket: BucketRecord, name = 'x-amz-expected-bucket-owner'): void {
  const expected = header(ctx, name);
  if (expected === undefined) return;
  const v = expected.trim();
  if (v === ANODE_ACCOUNT_ID || v === bucket.owner || v === canonicalUserId(bucket.owner)) return;
  throw new S3Error('AccessDenied');
}

/** Whether the request headers carry an ACL (x-amz-acl or any x-amz-grant-*). */
function carriesAcl(headers: Readonly<Record<string, string | undefined>>): boolean {
  return headers['x-amz-acl'] !== undefined || Object.keys(headers).some((h) => h.startsWith('x-amz-grant-'));
}

/** BucketOwnerEnforced: ACLs are disabled; only bucket-owner-full-control (a no-op) is accepted. */
export function refuseAclUnderEnforcedOwnership(bucket: BucketRecord, headers: Readonly<Record<string, string | undefined>>): void {
  if (bucket.settings?.ownership !== 'BucketOwnerEnforced' || !carriesAcl(headers)) return;
  const canned = headers['x-amz-acl']?.trim();
  if (canned === 'bucket-owner-full-control' && parseGrantHeaders(headers).length === 0) return;
  throw new S3Error('AccessControlListNotSupported');
}

/** BlockPublicAcls: a request that would set a public ACL is refused (403 AccessDenied). */
export function refusePublicAcl(bucket: BucketRecord, headers: Readonly<Record<string, string | undefined>>): void {
  if (!carriesAcl(headers)) return;
  const acl = aclFromHeaders({ headers, owner: bucket.owner, bucketOwner: bucket.owner, resource: 'object' });
  if (publicAclBlocked(bucket, acl)) throw new S3Error('AccessDenied');
}
