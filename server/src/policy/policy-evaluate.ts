/**
 * Evaluates a parsed bucket policy against one request: 'deny' if any applicable
 * statement denies, else 'allow' if any allows, else 'none' (the policy is silent).
 * Semantics follow IAM: wildcards, NotPrincipal/NotAction/NotResource, condition
 * operators with IfExists and ForAnyValue/ForAllValues, and policy variables.
 */
import { cidrContains, parseIp } from '../util/cidr.js';
import { normalizeConditionKey } from './condition-keys.js';
import { parsePolicyDate } from './policy-parse.js';
import { canonicalUserId, type Principal } from './principal.js';
import { matchPattern, resolvePattern, resolveText, matchTokens, type Pattern } from './pattern.js';
import type { BucketPolicy, ConditionTest, PolicyStatement, PrincipalSpec } from './policy-types.js';

/** Request values for condition keys; key names are matched case-insensitively. */
export type ConditionContext = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface PolicyRequest {
  principal: Principal;
  /** e.g. `s3:GetObject`. */
  action: string;
  /** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
  resourceArn: string;
  context: ConditionContext;
}

export type PolicyDecision = 'allow' | 'deny' | 'none';

/** The context indexed by lowercased key, each value as a list. */
type Values = ReadonlyMap<string, readonly string[]>;

function indexContext(context: ConditionContext): Values {
  const map = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) continue;
    map.set(normalizeConditionKey(key), typeof value === 'string' ? [value] : value);
  }
  return map;
}

/** A policy variable's value: single-valued keys only; a multi-valued key is not a variable. */
function variableLookup(values: Values): (key: string) => string | undefined {
  return (key) => {
    const v = values.get(normalizeConditionKey(key));
    return v !== undefined && v.length === 1 ? v[0] : undefined;
  };
}

/** How one condition evaluated (decision traces: simulate and explain). */
export interface ConditionTrace {
  operator: string;
  key: string;
  /** The policy's values, as written. */
  policy_values: string[];
  /** The request's values for the key; [] when absent. */
  request_values: string[];
  holds: boolean;
}

/** How one statement evaluated against the request. */
export interface StatementTrace {
  index: number;
  sid: string | null;
  effect: 'Allow' | 'Deny';
  principal_matches: boolean;
  action_matches: boolean;
  resource_matches: boolean;
  conditions: ConditionTrace[];
  applies: boolean;
}

function cidrText(b: { family: 4 | 6; network: bigint; prefix: number }): string {
  if (b.family === 4) {
    const n = Number(b.network);
    return `${[24, 16, 8, 0].map((sh) => (n >>> sh) & 255).join('.')}/${b.prefix}`;
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((b.network >> BigInt(i * 16)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${b.prefix}`;
}

function policyValueTexts(test: ConditionTest): string[] {
  const v = test.values;
  switch (v.type) {
    case 'string':
      return v.patterns.map((p) => p.source);
    case 'number':
      return v.numbers.map(String);
    case 'date':
      return v.times.map((t) => new Date(t).toISOString());
    case 'bool':
    case 'null':
      return v.bools.map(String);
    case 'cidr':
      return v.blocks.map(cidrText);
  }
}

/**
 * The one evaluation: 'deny' if any applicable statement denies, else 'allow' if any
 * allows, else 'none'. With `trace` (simulate/explain only) every statement is evaluated
 * in full and recorded; without it the loop stops at the first applicable Deny and no
 * trace object is built (the request hot path).
 */
export function evaluateBucketPolicy(policy: BucketPolicy, request: PolicyRequest, trace?: StatementTrace[]): PolicyDecision {
  const values = indexContext(request.context);
  let allowed = false;
  let denied = false;
  for (const statement of policy.statements) {
    if (trace === undefined) {
      if (!statementApplies(statement, request, values)) continue;
      if (statement.effect === 'Deny') return 'deny';
      allowed = true;
      continue;
    }
    const t = traceStatement(statement, request, values);
    trace.push(t);
    if (!t.applies) continue;
    if (statement.effect === 'Deny') denied = true;
    else allowed = true;
  }
  return denied ? 'deny' : allowed ? 'allow' : 'none';
}

function statementApplies(s: PolicyStatement, request: PolicyRequest, values: Values): boolean {
  const lookup = variableLookup(values);
  if (principalMatches(s.principal, request.principal) === s.notPrincipal) return false;
  const action = request.action.toLowerCase();
  if (s.actions.some((p) => matchPattern(p, action, lookup)) === s.notAction) return false;
  if (s.resources.some((p) => matchPattern(p, request.resourceArn, lookup)) === s.notResource) return false;
  return s.conditions.every((c) => conditionHolds(c, values, lookup));
}

/** statementApplies, every part evaluated and recorded (same predicates, same order). */
function traceStatement(s: PolicyStatement, request: PolicyRequest, values: Values): StatementTrace {
  const lookup = variableLookup(values);
  const principal = principalMatches(s.principal, request.principal) !== s.notPrincipal;
  const action = s.actions.some((p) => matchPattern(p, request.action.toLowerCase(), lookup)) !== s.notAction;
  const resource = s.resources.some((p) => matchPattern(p, request.resourceArn, lookup)) !== s.notResource;
  const conditions = s.conditions.map((c) => ({
    operator: c.operator,
    key: c.key,
    policy_values: policyValueTexts(c),
    request_values: [...(values.get(normalizeConditionKey(c.key)) ?? [])],
    holds: conditionHolds(c, values, lookup),
  }));
  return {
    index: s.index,
    sid: s.sid ?? null,
    effect: s.effect,
    principal_matches: principal,
    action_matches: action,
    resource_matches: resource,
    conditions,
    applies: principal && action && resource && conditions.every((c) => c.holds),
  };
}

export function principalMatches(spec: PrincipalSpec, principal: Principal): boolean {
  if (spec.kind === 'everyone') return true;
  if (principal.kind === 'anonymous') return false;
  return spec.account || spec.users.has(principal.user) || spec.canonicalIds.has(canonicalUserId(principal.user));
}

// ---------------------------------------------------------------------------
// Conditions

const NEGATED = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotEquals',
  'ArnNotLike',
]);

function conditionHolds(test: ConditionTest, values: Values, lookup: (key: string) => string | undefined): boolean {
  const requestValues = values.get(normalizeConditionKey(test.key));
  const present = requestValues !== undefined && requestValues.length > 0;

  if (test.values.type === 'null') {
    // {"Null": {"k": "true"}} holds when k is absent.
    return test.values.bools.some((wantsAbsent) => wantsAbsent === !present);
  }
  const negated = NEGATED.has(test.base);
  if (!present) {
    if (test.ifExists) return true;
    if (test.set === 'ForAllValues') return true; // vacuously true over an empty set
    if (test.set === 'ForAnyValue') return false;
    return negated;
  }
  // Each request value "matches" if it equals/fits any of the policy's values.
  const matchesOne = (v: string): boolean => positiveMatch(test, v, lookup);
  if (test.set === 'ForAllValues') {
    return requestValues.every((v) => (negated ? !matchesOne(v) : matchesOne(v)));
  }
  if (test.set === 'ForAnyValue') {
    return requestValues.some((v) => (negated ? !matchesOne(v) : matchesOne(v)));
  }
  const any = requestValues.some(matchesOne);
  return negated ? !any : any;
}

/** The operator without negation: does request value `v` match any policy value? */
function positiveMatch(test: ConditionTest, v: string, lookup: (key: string) => string | undefined): boolean {
  const pv = test.values;
  switch (pv.type) {
    case 'string':
      return pv.patterns.some((p) => stringMatch(test.base, p, v, lookup));
    case 'number': {
      if (!/^\s*-?\d+(\.\d+)?\s*$/.test(v)) return false;
      const n = Number(v);
      return pv.numbers.some((x) => compare(test.base, n, x));
    }
    case 'date': {
      const t = parsePolicyDate(v);
      if (t === null) return false;
      return pv.times.some((x) => compare(test.base, t, x));
    }
    case 'bool': {
      const lower = v.toLowerCase();
      if (lower !== 'true' && lower !== 'false') return false;
      return pv.bools.some((b) => b === (lower === 'true'));
    }
    case 'cidr': {
      const ip = parseIp(v);
      return ip !== null && pv.blocks.some((b) => cidrContains(b, ip));
    }
    case 'null':
      return false;
  }
}

function compare(base: string, a: number, b: number): boolean {
  if (base.endsWith('LessThanEquals')) return a <= b;
  if (base.endsWith('LessThan')) return a < b;
  if (base.endsWith('GreaterThanEquals')) return a >= b;
  if (base.endsWith('GreaterThan')) return a > b;
  return a === b; // Equals and NotEquals (negation applied by the caller)
}

function stringMatch(base: string, pattern: Pattern, v: string, lookup: (key: string) => string | undefined): boolean {
  if (base.startsWith('Arn')) return arnMatch(pattern, v, lookup);
  if (base === 'StringLike' || base === 'StringNotLike') return matchPattern(pattern, v, lookup);
  const text = resolveText(pattern, lookup);
  if (text === null) return false; // a missing variable matches nothing
  if (base.includes('IgnoreCase')) return text.toLowerCase() === v.toLowerCase();
  return text === v;
}

/**
 * ArnEquals/ArnLike compare the six colon-separated ARN fields one by one, each with
 * wildcards; a value that is not an ARN never matches.
 */
function arnMatch(pattern: Pattern, v: string, lookup: (key: string) => string | undefined): boolean {
  const tokens = resolvePattern(pattern, lookup);
  if (tokens === null) return false;
  const vParts = splitArn(v);
  if (!vParts) return false;
  // Re-split the resolved pattern by its literal colons.
  const patternParts: (typeof tokens)[] = [[]];
  for (const t of tokens) {
    if (t.kind !== 'text') {
      patternParts[patternParts.length - 1]?.push(t);
      continue;
    }
    const pieces = t.text.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0) patternParts.push([]);
      if (piece !== '') patternParts[patternParts.length - 1]?.push({ kind: 'text', text: piece });
    });
  }
  // The resource field may itself contain colons: fold extra fields into the sixth.
  if (patternParts.length < 6) return false;
  const head = patternParts.slice(0, 5);
  const tail = patternParts.slice(5).flatMap((part, i) => (i === 0 ? part : [{ kind: 'text' as const, text: ':' }, ...part]));
  return [...head, tail].every((part, i) => matchTokens(part, vParts[i] ?? ''));
}

function splitArn(v: string): string[] | null {
  const parts = v.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return null;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

// ---------------------------------------------------------------------------
// Policy status

/** Keys that, pinned to fixed values by a positive condition, keep a policy non-public (AWS's list). */
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceArn',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceOwner',
    'aws:SourceAccount',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
    'aws:userid',
    'aws:PrincipalArn',
    'aws:PrincipalAccount',
    'aws:PrincipalOrgID',
    'aws:username',
  ].map((k) => k.toLowerCase()),
);

/** A condition that limits who can use the statement to a fixed set (so it is not "public"). */
function restrictsToFixedSet(c: ConditionTest): boolean {
  if (c.ifExists || c.set === 'ForAllValues' || NEGATED.has(c.base)) return false;
  const key = normalizeConditionKey(c.key);
  if (key === 'aws:sourceip' && c.values.type === 'cidr') {
    // A block as wide as the whole address space restricts nothing.
    return c.values.blocks.every((b) => b.prefix >= (b.family === 4 ? 8 : 32));
  }
  if (!RESTRICTING_KEYS.has(key) || c.values.type !== 'string') return false;
  // Fixed means no wildcard: `StringLike "*"` on aws:SourceArn admits anyone.
  return c.values.patterns.every((p) => p.tokens.every((t) => t.kind === 'text'));
}

/**
 * AWS's "public" policy: some Allow statement reaches everyone (Principal "*" or any
 * NotPrincipal) without a condition pinning the caller to fixed IPs, accounts, ARNs, etc.
 */
export function getPolicyStatus(policy: BucketPolicy): { isPublic: boolean } {
  const isPublic = policy.statements.some(
    (s) => s.effect === 'Allow' && (s.principal.kind === 'everyone' || s.notPrincipal) && !s.conditions.some(restrictsToFixedSet),
  );
  return { isPublic };
}
