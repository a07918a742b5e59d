/**
 * The one authorization decision S3 handlers ask for. Order (DESIGN.md security model):
 * an explicit Deny in the bucket policy wins over everything (admins keep the bucket
 * policy actions so they can undo a lock-out); then the admin role, the bucket owner, a
 * policy Allow, a bucket permission grant, or an ACL allows; otherwise deny.
 * One deliberate difference from AWS: anonymous callers never get owner-only bucket
 * actions, whatever the policy says.
 */
import type { Acl, BucketRecord } from '../metadata/types.js';
import { aclAllowingGrant, aclAllows, isPublicAcl } from './acl.js';
import { actionInfo, grantAllows } from './actions.js';
import { parseBucketPolicy } from './policy-parse.js';
import {
  evaluateBucketPolicy,
  getPolicyStatus,
  principalMatches,
  type ConditionContext,
  type PolicyDecision,
  type StatementTrace,
} from './policy-evaluate.js';
import { matchPattern } from './pattern.js';
import type { BucketPolicy } from './policy-types.js';
import { principalContext, type Principal } from './principal.js';

export type AuthorizeReason =
  | 'admin'
  | 'owner'
  | 'policy'
  | 'grant'
  | 'acl'
  | 'explicit-deny'
  | 'implicit-deny'
  /** Anonymous access is off: `[auth] anonymous = false`, or an incident lockdown. */
  | 'anonymous-disabled';

export interface AuthorizeInput {
  principal: Principal;
  /** IAM action name, e.g. `s3:GetObject`. */
  action: string;
  /** The bucket the request targets; null for bucket-less actions (or a missing bucket). */
  bucket: BucketRecord | null;
  /** The object's ACL for object actions, when the object exists and has been loaded. */
  objectAcl?: Acl | null;
  key?: string;
  /**
   * The request's condition keys, or a function building them: only a bucket policy reads
   * them, so the request path builds them only for a bucket that has one.
   */
  context: ConditionContext | (() => ConditionContext);
  /**
   * Unsigned requests are refused whatever ACLs and policies say (lockdown, or
   * `[auth] anonymous = false`); the why is in the string, for traces.
   */
  anonymousDisabled?: string | null;
}

export interface AuthorizeResult {
  allowed: boolean;
  reason: AuthorizeReason;
}

/** Why a decision came out as it did: the deciding rule and every policy statement evaluated. */
export interface DecisionTrace extends AuthorizeResult {
  action: string;
  /** `user:NAME (AKIA...)` or `*` (anonymous). */
  principal: string;
  resource: string;
  /** One line: the statement (Sid or index), grant or ACL grant that decided, or the implicit deny. */
  decided_by: string;
  /** 'absent' (no policy), 'unparsable' (fails closed), or the policy's own verdict. */
  policy: 'absent' | 'unparsable' | PolicyDecision;
  statements: StatementTrace[];
}

/** Actions an admin may always perform, even against a Deny, to repair a bucket policy. */
const POLICY_REPAIR_ACTIONS: ReadonlySet<string> = new Set(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']);

const POLICY_CACHE_LIMIT = 1000;
const policyCache = new Map<string, BucketPolicy | null>();

/**
 * Stored policies were validated on PutBucketPolicy; parse each distinct text once.
 * A stored policy that no longer parses (e.g. after a grammar tightening) yields null,
 * which authorize treats as a Deny: fail closed.
 */
function cachedPolicy(bucket: string, text: string): BucketPolicy | null {
  const cacheKey = `${bucket}\n${text}`;
  const hit = policyCache.get(cacheKey);
  if (hit !== undefined) return hit;
  let parsed: BucketPolicy | null;
  try {
    parsed = parseBucketPolicy(text, bucket);
  } catch {
    parsed = null;
  }
  if (policyCache.size >= POLICY_CACHE_LIMIT) policyCache.clear();
  policyCache.set(cacheKey, parsed);
  return parsed;
}

function resourceArn(bucket: string, target: 'service' | 'bucket' | 'object', key: string | undefined): string {
  return target === 'object' ? `arn:aws:s3:::${bucket}/${key ?? ''}` : `arn:aws:s3:::${bucket}`;
}

const allow = (reason: AuthorizeReason): AuthorizeResult => ({ allowed: true, reason });
const deny = (reason: AuthorizeReason): AuthorizeResult => ({ allowed: false, reason });

/** Collects the why, only when a trace was asked for (simulate, explain, a denial). */
interface Tracer {
  decidedBy: string;
  policy: DecisionTrace['policy'];
  statements: StatementTrace[];
}

function statementName(s: StatementTrace): string {
  return s.sid !== null ? `statement Sid "${s.sid}" (#${s.index})` : `statement #${s.index}`;
}

/** The one authorization decision (the request hot path: no trace is built). */
export function authorize(input: AuthorizeInput): AuthorizeResult {
  return decide(input, null);
}

/** The same decision as authorize(), with its trace: what simulate and explain print. */
export function explainAuthorization(input: AuthorizeInput): DecisionTrace {
  const info = actionInfo(input.action);
  const t: Tracer = { decidedBy: '', policy: 'absent', statements: [] };
  const result = decide(input, t);
  const p = input.principal;
  return {
    ...result,
    action: input.action,
    principal: p.kind === 'anonymous' ? '*' : `user:${p.user} (${p.accessKey})`,
    resource: input.bucket === null ? '*' : resourceArn(input.bucket.name, info?.target ?? 'bucket', input.key),
    decided_by: t.decidedBy,
    policy: t.policy,
    statements: t.statements,
  };
}

function decide(input: AuthorizeInput, t: Tracer | null): AuthorizeResult {
  const { principal, action, bucket } = input;
  const info = actionInfo(action);
  // An action we do not know is never allowed: fail closed.
  if (!info) {
    if (t) t.decidedBy = `implicit deny: ${action} is not an action Anode knows`;
    return deny('implicit-deny');
  }
  const isAdmin = principal.kind === 'user' && principal.role === 'admin';
  if (principal.kind === 'anonymous' && input.anonymousDisabled) {
    if (t) t.decidedBy = `anonymous access disabled: ${input.anonymousDisabled}`;
    return deny('anonymous-disabled');
  }

  if (info.target === 'service') {
    if (principal.kind === 'anonymous') {
      if (t) t.decidedBy = 'implicit deny: service actions need a signed request';
      return deny('implicit-deny');
    }
    if (t) t.decidedBy = isAdmin ? 'admin role' : 'any signed-in user may list their buckets';
    return allow(isAdmin ? 'admin' : 'owner');
  }
  if (!bucket) {
    if (t) t.decidedBy = isAdmin ? 'admin role' : 'implicit deny: no such bucket';
    return isAdmin ? allow('admin') : deny('implicit-deny');
  }

  let decision: PolicyDecision = 'none';
  if (bucket.policy !== null) {
    const policy = cachedPolicy(bucket.name, bucket.policy);
    if (policy === null) {
      decision = 'deny';
      if (t) t.policy = 'unparsable';
    } else {
      decision = evaluateBucketPolicy(
        policy,
        {
          principal,
          action,
          resourceArn: resourceArn(bucket.name, info.target, input.key),
          // Identity keys come from the authenticated principal, never from the caller.
          context: { ...(typeof input.context === 'function' ? input.context() : input.context), ...principalContext(principal) },
        },
        t?.statements,
      );
      if (t) t.policy = decision;
    }
  }
  if (decision === 'deny') {
    if (isAdmin && POLICY_REPAIR_ACTIONS.has(action)) {
      if (t) t.decidedBy = 'admin role: the bucket policy actions stay open to admins so a lock-out can be undone';
      return allow('admin');
    }
    if (t) {
      const by = t.statements.find((s) => s.applies && s.effect === 'Deny');
      t.decidedBy =
        t.policy === 'unparsable'
          ? 'explicit deny: the stored bucket policy no longer parses (fails closed)'
          : `explicit deny: ${by ? statementName(by) : 'a Deny statement'}`;
    }
    return deny('explicit-deny');
  }
  if (isAdmin) {
    if (t) t.decidedBy = 'admin role';
    return allow('admin');
  }
  if (principal.kind === 'user' && principal.user === bucket.owner) {
    if (t) t.decidedBy = `bucket owner ${bucket.owner}`;
    return allow('owner');
  }
  const pab = bucket.settings?.publicAccessBlock;
  // RestrictPublicBuckets: a public policy's Allow reaches only signed-in users of this
  // deployment (AWS: principals of the owner's account), never anonymous callers.
  if (decision === 'allow' && pab?.restrictPublicBuckets && principal.kind === 'anonymous' && bucket.policy !== null) {
    const policy = cachedPolicy(bucket.name, bucket.policy);
    if (policy === null || getPolicyStatus(policy).isPublic) {
      decision = 'none';
      if (t) t.policy = 'none';
    }
  }
  // Bucket-management actions that no bucket grant can give (DeleteBucket, the policy
  // actions, bucket configuration writes) are never granted to unsigned callers, even by
  // a careless `"Principal": "*", "Action": "s3:*"` policy: a stranger must not be able to
  // delete a bucket or rewrite its policy.
  if (principal.kind === 'anonymous' && info.grant === null) {
    if (t) t.decidedBy = `implicit deny: ${action} is owner-only and never granted to anonymous callers`;
    return deny('implicit-deny');
  }
  if (decision === 'allow') {
    if (t) {
      const by = t.statements.find((s) => s.applies && s.effect === 'Allow');
      t.decidedBy = `allow: ${by ? statementName(by) : 'an Allow statement'}`;
    }
    return allow('policy');
  }
  if (principal.kind === 'user') {
    const grants = bucket.permissions[`user:${principal.user}`];
    if (grants && grantAllows(grants, action)) {
      if (t) t.decidedBy = `allow: bucket permission grant user:${principal.user}=[${grants.join(',')}] (needs ${info.grant ?? '?'})`;
      return allow('grant');
    }
    if (principal.permissions && grantAllows(principal.permissions, action)) {
      if (t)
        t.decidedBy = `allow: credential permission grant [${principal.permissions.join(',')}] on ${principal.accessKey}, valid on every bucket (needs ${info.grant ?? '?'})`;
      return allow('grant');
    }
  }
  // Object Ownership BucketOwnerEnforced: ACLs no longer grant anything.
  if (info.aclPermission !== null && bucket.settings?.ownership !== 'BucketOwnerEnforced') {
    const stored = info.aclOn === 'bucket' ? bucket.acl : input.objectAcl;
    const acl = stored && pab?.ignorePublicAcls ? withoutPublicGrants(stored) : stored;
    if (acl && aclAllows(acl, principal, info.aclPermission, { bucketOwner: bucket.owner })) {
      if (t)
        t.decidedBy = `allow: ${aclAllowingGrant(acl, principal, info.aclPermission, { bucketOwner: bucket.owner }) ?? 'ACL'} on the ${info.aclOn}`;
      return allow('acl');
    }
  }
  if (t) {
    t.decidedBy =
      t.policy === 'none'
        ? 'implicit deny: no statement matched, and no grant or ACL allows it'
        : t.policy === 'absent'
          ? 'implicit deny: no statement matched (the bucket has no policy), and no grant or ACL allows it'
          : 'implicit deny: no bucket policy statement, grant or ACL allows it';
  }
  return deny('implicit-deny');
}

/** IgnorePublicAcls: the ACL with its AllUsers / AuthenticatedUsers grants left out. */
function withoutPublicGrants(acl: Acl): Acl {
  return isPublicAcl(acl) ? { owner: acl.owner, grants: acl.grants.filter((g) => !isPublicAcl({ owner: acl.owner, grants: [g] })) } : acl;
}

/** BlockPublicAcls: a request setting this ACL (on the bucket or an object in it) is refused. */
export function publicAclBlocked(bucket: BucketRecord, acl: Acl | null): boolean {
  return acl !== null && bucket.settings?.publicAccessBlock?.blockPublicAcls === true && isPublicAcl(acl);
}

/** BlockPublicPolicy: PutBucketPolicy with a public policy is refused. */
export function publicPolicyBlocked(bucket: BucketRecord, policy: BucketPolicy): boolean {
  return bucket.settings?.publicAccessBlock?.blockPublicPolicy === true && getPolicyStatus(policy).isPublic;
}

/**
 * Whether a policy statement that could apply to this principal and action tests
 * s3:ExistingObjectTag/<key>: only then are the object's stored tags read for the decision.
 */
export function needsExistingObjectTags(bucket: BucketRecord | null, principal: Principal, action: string): boolean {
  if (!bucket || bucket.policy === null) return false;
  const policy = cachedPolicy(bucket.name, bucket.policy);
  if (policy === null) return false;
  const lower = action.toLowerCase();
  const none = () => undefined;
  return policy.statements.some(
    (s) =>
      s.conditions.some((c) => c.key.toLowerCase().startsWith('s3:existingobjecttag/')) &&
      principalMatches(s.principal, principal) !== s.notPrincipal &&
      s.actions.some((p) => matchPattern(p, lower, none)) !== s.notAction,
  );
}

/**
 * Whether an anonymous request could be allowed to delete anything in `bucket`, judged
 * from the bucket alone (before reading a DeleteObjects body that names the keys): only a
 * bucket policy (which may grant `*`) or an ACL granting AllUsers WRITE can allow it. A
 * private bucket refuses at once, so an unsigned caller costs no body read or XML parse.
 */
export function anonymousMayDelete(bucket: BucketRecord): boolean {
  const acl =
    bucket.settings?.publicAccessBlock?.ignorePublicAcls || bucket.settings?.ownership === 'BucketOwnerEnforced' ? null : bucket.acl;
  return bucket.policy !== null || (acl !== null && aclAllows(acl, { kind: 'anonymous' }, 'WRITE'));
}
