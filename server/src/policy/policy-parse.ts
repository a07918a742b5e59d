/**
 * Parses and validates a bucket policy document (PutBucketPolicy body). Everything that
 * could make the policy mean something other than what it says is refused with
 * 400 MalformedPolicy naming the statement and field: duplicate keys, unknown fields,
 * unknown actions or condition keys, resources that are not S3 ARNs, partial principal
 * wildcards, malformed values.
 */
import { PolicyError } from './errors.js';
import { KNOWN_ACTIONS_LOWER } from './actions.js';
import { parseCidr } from '../util/cidr.js';
import { isKnownConditionKey } from './condition-keys.js';
import { ANODE_ACCOUNT_ID, accountRootArn } from './principal.js';
import { compilePattern, hasWildcards, matchTokens, PatternSyntaxError, type Pattern, type ResolvedToken } from './pattern.js';
import { findStrictJsonProblem } from './strict-json.js';
import type {
  BaseOperator,
  BucketPolicy,
  ConditionTest,
  ConditionValues,
  PolicyStatement,
  PolicyVersion,
  PrincipalSpec,
} from './policy-types.js';

/** Checked on the raw bytes before JSON.parse ever sees them. */
export const MAX_POLICY_BYTES = 20 * 1024;
/** A real policy nests 6 deep (root, Statement, statement, Condition, operator, values). */
export const MAX_POLICY_DEPTH = 10;
const MAX_SID_LENGTH = 256;
const USER_NAME_RE = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
const CANONICAL_ID_RE = /^[0-9a-f]{64}$/;

function malformed(message: string): PolicyError {
  return new PolicyError('MalformedPolicy', { message });
}

/** A short, safe rendering of a policy value for error messages. */
function show(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string or a non-empty array of strings (the shape of Action, Resource, principal lists). */
function stringList(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw malformed(`${where} must not be empty`);
  return list.map((v) => {
    if (typeof v !== 'string' || v === '') throw malformed(`${where} must be a non-empty string or list of strings, got ${show(v)}`);
    return v;
  });
}

const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const TOP_FIELDS = new Set(['Version', 'Id', 'Statement']);

// `_bucket`: the bucket the policy is put on; unused since resources of other buckets are accepted.
export function parseBucketPolicy(json: string, _bucket: string): BucketPolicy {
  if (Buffer.byteLength(json, 'utf8') > MAX_POLICY_BYTES) {
    throw malformed(`Policies must be at most ${MAX_POLICY_BYTES} bytes`);
  }
  const text = json.trimStart();
  if (!text.startsWith('{')) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  const problem = findStrictJsonProblem(text, MAX_POLICY_DEPTH);
  if (problem?.kind === 'too-deep') throw malformed(`Policy is nested more than ${problem.maxDepth} levels deep`);
  if (problem?.kind === 'duplicate-key') throw malformed(`Policy has a duplicate key ${show(problem.key)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('Policies must be valid JSON');
  }
  if (!isRecord(doc)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  for (const key of Object.keys(doc)) {
    if (!TOP_FIELDS.has(key)) throw malformed(`Unknown field ${show(key)}`);
  }

  // AWS treats a policy without Version as 2008-10-17 (no policy variables).
  const versionValue = doc['Version'] ?? '2008-10-17';
  if (versionValue !== '2012-10-17' && versionValue !== '2008-10-17') {
    throw malformed(`Version must be "2012-10-17" or "2008-10-17", got ${show(versionValue)}`);
  }
  const version: PolicyVersion = versionValue;
  const idValue = doc['Id'];
  if (idValue !== undefined && typeof idValue !== 'string') throw malformed('Id must be a string');

  const statementValue = doc['Statement'];
  if (statementValue === undefined) throw malformed('Missing required field Statement');
  const rawStatements = Array.isArray(statementValue) ? statementValue : [statementValue];
  if (rawStatements.length === 0) throw malformed('Statement must not be empty');

  const sids = new Set<string>();
  const statements = rawStatements.map((raw, index) => {
    const statement = parseStatement(raw, index, version);
    if (statement.sid !== undefined) {
      if (sids.has(statement.sid)) throw malformed(`Statement IDs (SID) must be unique: ${show(statement.sid)} appears more than once`);
      sids.add(statement.sid);
    }
    return statement;
  });
  return { version, id: idValue, statements };
}

function parseStatement(raw: unknown, index: number, version: PolicyVersion): PolicyStatement {
  let where = `Statement[${index}]`;
  if (!isRecord(raw)) throw malformed(`${where} must be an object`);
  const sidValue = raw['Sid'];
  if (sidValue !== undefined) {
    if (typeof sidValue !== 'string' || sidValue.length > MAX_SID_LENGTH)
      throw malformed(`${where} Sid must be a string of at most ${MAX_SID_LENGTH} characters`);
    where += ` (Sid ${show(sidValue)})`;
  }
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_FIELDS.has(key)) throw malformed(`${where} has unknown field ${show(key)}`);
  }

  const effect = raw['Effect'];
  if (effect === undefined) throw malformed(`${where} is missing required field Effect`);
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed(`${where} Effect must be "Allow" or "Deny", got ${show(effect)}`);

  const principalField = exactlyOne(raw, 'Principal', 'NotPrincipal', where);
  const actionField = exactlyOne(raw, 'Action', 'NotAction', where);
  const resourceField = exactlyOne(raw, 'Resource', 'NotResource', where);
  const variables = version === '2012-10-17';

  return {
    index,
    sid: sidValue,
    effect,
    principal: parsePrincipal(raw[principalField], `${where} ${principalField}`),
    notPrincipal: principalField === 'NotPrincipal',
    actions: stringList(raw[actionField], `${where} ${actionField}`).map((a) => parseAction(a, `${where} ${actionField}`)),
    notAction: actionField === 'NotAction',
    resources: stringList(raw[resourceField], `${where} ${resourceField}`).map((r) =>
      parseResource(r, variables, `${where} ${resourceField}`),
    ),
    notResource: resourceField === 'NotResource',
    conditions: raw['Condition'] === undefined ? [] : parseConditions(raw['Condition'], variables, `${where} Condition`),
  };
}

function exactlyOne<A extends string, B extends string>(raw: Record<string, unknown>, a: A, b: B, where: string): A | B {
  const hasA = raw[a] !== undefined;
  const hasB = raw[b] !== undefined;
  if (hasA && hasB) throw malformed(`${where} must have either ${a} or ${b}, not both`);
  if (!hasA && !hasB) throw malformed(`${where} is missing required field ${a}`);
  return hasA ? a : b;
}

// ---------------------------------------------------------------------------
// Principal

function parsePrincipal(value: unknown, where: string): PrincipalSpec {
  if (value === '*') return { kind: 'everyone' };
  const spec = { account: false, users: new Set<string>(), canonicalIds: new Set<string>() };
  if (typeof value === 'string') {
    addAwsPrincipal(value, spec, where);
    return { kind: 'some', ...spec };
  }
  if (!isRecord(value) || Object.keys(value).length === 0) {
    throw malformed(`Invalid principal in policy: ${where} must be "*" or an object such as {"AWS": ...}`);
  }
  let everyone = false;
  for (const [type, entries] of Object.entries(value)) {
    const list = stringList(entries, `${where}.${type}`);
    if (type === 'AWS') {
      for (const p of list) {
        if (p === '*') everyone = true;
        else addAwsPrincipal(p, spec, where);
      }
    } else if (type === 'CanonicalUser') {
      for (const id of list) {
        if (!CANONICAL_ID_RE.test(id))
          throw malformed(`Invalid principal in policy: ${where} CanonicalUser ${show(id)} is not a 64-hex canonical id`);
        spec.canonicalIds.add(id);
      }
    } else if (type === 'Service') {
      // Service principals (e.g. logging.s3.amazonaws.com) are valid AWS policy; no Anode
      // request ever comes from one, so they match nobody.
      for (const s of list) {
        if (s.includes('*') || s.includes('?')) throw malformed(`Invalid principal in policy: ${where} Service ${show(s)} has a wildcard`);
      }
    } else {
      throw malformed(`Invalid principal in policy: ${where} has unsupported principal type ${show(type)}`);
    }
  }
  return everyone ? { kind: 'everyone' } : { kind: 'some', ...spec };
}

function addAwsPrincipal(p: string, spec: { account: boolean; users: Set<string> }, where: string): void {
  if (p.includes('*') || p.includes('?')) {
    throw malformed(`Invalid principal in policy: ${where} ${show(p)} has a wildcard; only "*" on its own means everyone`);
  }
  if (p.startsWith('user:')) {
    const name = p.slice('user:'.length);
    if (!USER_NAME_RE.test(name)) throw malformed(`Invalid principal in policy: ${where} ${show(p)} is not a valid user name`);
    spec.users.add(name);
    return;
  }
  if (/^\d{12}$/.test(p) || p === accountRootArn()) {
    if (p !== ANODE_ACCOUNT_ID && p !== accountRootArn()) throw unknownAccount(p, where);
    spec.account = true;
    return;
  }
  const m = /^arn:aws:iam::(\d{12}):(root|user\/(.+))$/.exec(p);
  if (!m) throw malformed(`Invalid principal in policy: ${where} ${show(p)} is not an account id, account root ARN, user ARN or user:NAME`);
  if (m[1] !== ANODE_ACCOUNT_ID) throw unknownAccount(p, where);
  if (m[2] === 'root') {
    spec.account = true;
    return;
  }
  const name = m[3] ?? '';
  if (!USER_NAME_RE.test(name)) throw malformed(`Invalid principal in policy: ${where} ${show(p)} is not a valid user name`);
  spec.users.add(name);
}

function unknownAccount(p: string, where: string): PolicyError {
  return malformed(`Invalid principal in policy: ${where} ${show(p)} names an account other than ${ANODE_ACCOUNT_ID}`);
}

// ---------------------------------------------------------------------------
// Action and Resource

const KNOWN_ACTION_LIST = [...KNOWN_ACTIONS_LOWER];

function parseAction(action: string, where: string): Pattern {
  const lower = action.toLowerCase();
  if (lower === '*') return compilePattern('*', { wildcards: true, variables: false });
  if (!/^s3:[a-z0-9*?]+$/.test(lower)) throw malformed(`Policy has invalid action: ${where} ${show(action)}`);
  const pattern = compilePattern(lower, { wildcards: true, variables: false });
  if (hasWildcards(pattern)) {
    const tokens = pattern.tokens as ResolvedToken[];
    if (!KNOWN_ACTION_LIST.some((a) => matchTokens(tokens, a)))
      throw malformed(`Policy has invalid action: ${where} ${show(action)} matches no S3 action`);
  } else if (!KNOWN_ACTIONS_LOWER.has(lower)) {
    throw malformed(`Policy has invalid action: ${where} ${show(action)}`);
  }
  return pattern;
}

const S3_ARN_PREFIX = 'arn:aws:s3:::';

function parseResource(resource: string, variables: boolean, where: string): Pattern {
  if (!resource.startsWith(S3_ARN_PREFIX)) {
    throw malformed(
      `Policy has invalid resource: ${where} ${show(resource)} must be an S3 ARN (arn:aws:s3:::BUCKET or arn:aws:s3:::BUCKET/KEY)`,
    );
  }
  // A resource of another bucket is accepted and simply never matches, as S3 does: one
  // policy document is often applied to several buckets.
  try {
    return compilePattern(resource, { wildcards: true, variables });
  } catch (err) {
    if (err instanceof PatternSyntaxError) throw malformed(`Policy has invalid resource: ${where} ${err.message}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Condition

const STRING_OPS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
];
const NUMERIC_OPS = [
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
];
const DATE_OPS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'];
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];
const OTHER_OPS = ['Bool', 'IpAddress', 'NotIpAddress', 'Null'];
const BASE_OPERATORS: ReadonlySet<string> = new Set([...STRING_OPS, ...NUMERIC_OPS, ...DATE_OPS, ...ARN_OPS, ...OTHER_OPS]);

function isBaseOperator(name: string): name is BaseOperator {
  return BASE_OPERATORS.has(name);
}

interface OperatorParts {
  base: BaseOperator;
  set: ConditionTest['set'];
  ifExists: boolean;
}

function parseOperator(operator: string, where: string): OperatorParts {
  let rest = operator;
  let set: ConditionTest['set'] = null;
  for (const prefix of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
    }
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!isBaseOperator(rest)) throw malformed(`${where} has unknown condition operator ${show(operator)}`);
  if (rest === 'Null' && (ifExists || set !== null))
    throw malformed(`${where} operator ${show(operator)} is not valid: Null takes no prefix or IfExists`);
  return { base: rest, set, ifExists };
}

/** Epoch seconds or an ISO 8601 date/time, as milliseconds; null if neither. */
export function parsePolicyDate(value: string): number | null {
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function scalarText(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  throw malformed(`${where} values must be strings, numbers or booleans, got ${show(v)}`);
}

function parseValues(base: BaseOperator, raw: unknown, variables: boolean, where: string): ConditionValues {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw malformed(`${where} must have at least one value`);
  const texts = list.map((v) => scalarText(v, where));
  if (STRING_OPS.includes(base) || ARN_OPS.includes(base)) {
    const wildcards = base.endsWith('Like') || ARN_OPS.includes(base);
    try {
      return { type: 'string', patterns: texts.map((t) => compilePattern(t, { wildcards, variables })) };
    } catch (err) {
      if (err instanceof PatternSyntaxError) throw malformed(`${where} ${err.message}`);
      throw err;
    }
  }
  if (NUMERIC_OPS.includes(base)) {
    return {
      type: 'number',
      numbers: texts.map((t) => {
        if (!/^-?\d+(\.\d+)?$/.test(t.trim())) throw malformed(`${where} value ${show(t)} is not a number`);
        return Number(t);
      }),
    };
  }
  if (DATE_OPS.includes(base)) {
    return {
      type: 'date',
      times: texts.map((t) => {
        const ms = parsePolicyDate(t);
        if (ms === null) throw malformed(`${where} value ${show(t)} is not an ISO 8601 date or epoch seconds`);
        return ms;
      }),
    };
  }
  if (base === 'IpAddress' || base === 'NotIpAddress') {
    return {
      type: 'cidr',
      blocks: texts.map((t) => {
        const block = parseCidr(t);
        if (!block) throw malformed(`${where} value ${show(t)} is not an IP address or CIDR block`);
        return block;
      }),
    };
  }
  // Bool and Null take "true"/"false".
  const bools = texts.map((t) => {
    const lower = t.toLowerCase();
    if (lower !== 'true' && lower !== 'false') throw malformed(`${where} value ${show(t)} must be "true" or "false"`);
    return lower === 'true';
  });
  return base === 'Null' ? { type: 'null', bools } : { type: 'bool', bools };
}

function parseConditions(raw: unknown, variables: boolean, where: string): ConditionTest[] {
  if (!isRecord(raw)) throw malformed(`${where} must be an object`);
  const tests: ConditionTest[] = [];
  for (const [operator, block] of Object.entries(raw)) {
    const parts = parseOperator(operator, where);
    if (!isRecord(block) || Object.keys(block).length === 0)
      throw malformed(`${where}.${operator} must be a non-empty object of condition keys`);
    for (const [key, values] of Object.entries(block)) {
      if (!isKnownConditionKey(key)) throw malformed(`Policy has an invalid condition key: ${where}.${operator} ${show(key)}`);
      tests.push({ operator, ...parts, key, values: parseValues(parts.base, values, variables, `${where}.${operator}.${key}`) });
    }
  }
  return tests;
}
