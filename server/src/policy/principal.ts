/**
 * Who is asking: the identity an authorization decision is made for, and the names
 * S3 clients see for it (canonical ids in ACLs, IAM-style ARNs in bucket policies).
 */
import { createHash } from 'node:crypto';
import type { Role } from '../metadata/types.js';

export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      user: string;
      accessKey: string;
      role: Role;
      /** Permission grants on the credential itself (`read`, `write`, ...), valid on every bucket. */
      permissions?: readonly string[];
    };

/**
 * The single account every Anode user belongs to, as it appears in ARNs.
 * Fixed for now; twelve digits like a real AWS account so clients that parse ARNs cope.
 */
export const ANODE_ACCOUNT_ID = '000000000000';

/** AWS-style 64-hex canonical user id, stable per user name (ACL grants refer to it). */
export function canonicalUserId(user: string): string {
  return createHash('sha256').update(`anode-user:${user}`, 'utf8').digest('hex');
}

/** `arn:aws:iam::<account>:user/<user>`, what `aws:PrincipalArn` and policy principals use. */
export function principalArn(user: string): string {
  return `arn:aws:iam::${ANODE_ACCOUNT_ID}:user/${user}`;
}

/** The ARN naming the whole account (`Principal: {"AWS": "<account>"}` means the same). */
export function accountRootArn(): string {
  return `arn:aws:iam::${ANODE_ACCOUNT_ID}:root`;
}

/**
 * The principal-derived global condition keys (aws:username, aws:userid, ...), so callers
 * build a request's condition context the same way everywhere. AWS uses "Anonymous" and
 * "anonymous" for unsigned requests.
 */
export function principalContext(principal: Principal): Record<string, string> {
  if (principal.kind === 'anonymous') {
    return { 'aws:PrincipalType': 'Anonymous', 'aws:userid': 'anonymous' };
  }
  return {
    'aws:username': principal.user,
    'aws:userid': principal.user,
    'aws:PrincipalArn': principalArn(principal.user),
    'aws:PrincipalAccount': ANODE_ACCOUNT_ID,
    'aws:PrincipalType': 'User',
  };
}
