/**
 * Browser-based uploads (POST Object): the base64 policy document, its SigV4 signature and
 * its conditions, as AWS checks them. Pure functions of the form fields, so every rule is
 * tested without a socket; handlers/post-object.ts streams the file.
 */
import { timingSafeEqual } from 'node:crypto';
import { computeSignature, deriveSigningKey } from '@anode/shared/sigv4/index';
import { S3Error } from './errors.js';
import { parseCredential, type CredentialScope } from '../auth/sigv4/credential-scope.js';

/** Form fields by lowercased name (the first of repeats), in form order. */
export type FormFields = ReadonlyMap<string, string>;

export type PostCondition =
  | { kind: 'eq'; field: string; value: string }
  | { kind: 'starts-with'; field: string; prefix: string }
  | { kind: 'content-length-range'; min: number; max: number };

export interface PostPolicy {
  expiration: Date;
  conditions: PostCondition[];
}

function invalidPolicy(detail: string): S3Error {
  return new S3Error('InvalidPolicyDocument', { message: `Invalid Policy: ${detail}` });
}

function denied(detail: string): S3Error {
  return new S3Error('AccessDenied', { message: `Invalid according to Policy: ${detail}` });
}

/** "$key" → "key"; field names compare case-insensitively. */
function fieldName(raw: unknown): string {
  if (typeof raw !== 'string') throw invalidPolicy('Invalid Condition: field name must be a string.');
  return (raw.startsWith('$') ? raw.slice(1) : raw).toLowerCase();
}

function integer(raw: unknown): number {
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw invalidPolicy('Invalid content-length-range values.');
  return n;
}

/** Decodes and validates the base64 policy document. */
export function parsePostPolicy(base64: string): PostPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== 'string') throw invalidPolicy('Policy missing expiration.');
  const expires = new Date(expiration);
  if (Number.isNaN(expires.getTime())) throw invalidPolicy(`Invalid 'expiration' value: '${expiration.slice(0, 64)}'`);
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');
  const out: PostCondition[] = [];
  for (const c of conditions as unknown[]) {
    if (Array.isArray(c)) {
      const op = typeof c[0] === 'string' ? c[0].toLowerCase() : '';
      if (op === 'content-length-range' && c.length === 3) {
        out.push({ kind: 'content-length-range', min: integer(c[1]), max: integer(c[2]) });
      } else if ((op === 'eq' || op === 'starts-with') && c.length === 3 && typeof c[2] === 'string') {
        const field = fieldName(c[1]);
        out.push(op === 'eq' ? { kind: 'eq', field, value: c[2] } : { kind: 'starts-with', field, prefix: c[2] });
      } else {
        throw invalidPolicy(`Invalid Condition: ${JSON.stringify(c).slice(0, 128)}`);
      }
    } else if (typeof c === 'object' && c !== null) {
      const entries = Object.entries(c as Record<string, unknown>);
      if (entries.length !== 1 || typeof entries[0]![1] !== 'string')
        throw invalidPolicy('Invalid Simple-Condition: value must be a string.');
      out.push({ kind: 'eq', field: entries[0]![0].toLowerCase(), value: entries[0]![1] as string });
    } else {
      throw invalidPolicy('Invalid Condition.');
    }
  }
  return { expiration: expires, conditions: out };
}

/** Fields the policy never has to name (AWS: the signature, the file, the policy, x-ignore-*). */
function exempt(name: string): boolean {
  return name === 'x-amz-signature' || name === 'file' || name === 'policy' || name.startsWith('x-ignore-');
}

/**
 * Checks every condition against the fields (and the bucket), and that every field is
 * named by a condition. The content-length-range is returned for the streaming check.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  fields: FormFields,
  bucket: string,
  now: Date,
): { minLength: number; maxLength: number } | null {
  if (policy.expiration.getTime() <= now.getTime()) throw denied('Policy expired.');
  const value = (name: string) => (name === 'bucket' ? (fields.get('bucket') ?? bucket) : fields.get(name));
  const covered = new Set<string>();
  let range: { minLength: number; maxLength: number } | null = null;
  for (const c of policy.conditions) {
    if (c.kind === 'content-length-range') {
      range = { minLength: c.min, maxLength: c.max };
      continue;
    }
    covered.add(c.field);
    const v = value(c.field) ?? '';
    if (c.kind === 'eq' && v !== c.value) throw denied(`Policy Condition failed: ["eq", "$${c.field}", "${c.value}"]`);
    if (c.kind === 'starts-with') {
      // Content-Type may list several values; each must start with the prefix.
      const values = c.field === 'content-type' ? v.split(',').map((s) => s.trim()) : [v];
      if (!values.every((x) => x.startsWith(c.prefix))) {
        throw denied(`Policy Condition failed: ["starts-with", "$${c.field}", "${c.prefix}"]`);
      }
    }
  }
  for (const name of fields.keys()) {
    if (!exempt(name) && !covered.has(name)) throw denied(`Extra input fields: ${name}`);
  }
  return range;
}

/** The SigV4 form fields, checked: returns the credential scope to look the secret up by. */
export function postCredential(
  fields: FormFields,
  region: string,
  now: Date,
): { scope: CredentialScope; amzDate: string; signature: string } {
  const algorithm = fields.get('x-amz-algorithm');
  const credential = fields.get('x-amz-credential');
  const amzDate = fields.get('x-amz-date');
  const signature = fields.get('x-amz-signature');
  if (algorithm === undefined || credential === undefined || amzDate === undefined || signature === undefined) {
    throw new S3Error('InvalidRequest', {
      message: 'Bucket POST must contain the fields x-amz-algorithm, x-amz-credential, x-amz-date and x-amz-signature, or none of them.',
    });
  }
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    throw new S3Error('InvalidArgument', {
      message: 'Only AWS4-HMAC-SHA256 is supported',
      extra: { ArgumentName: 'x-amz-algorithm', ArgumentValue: algorithm.slice(0, 64) },
    });
  }
  const scope = parseCredential(credential);
  if (!scope || scope.service !== 's3' || scope.terminator !== 'aws4_request' || scope.region !== region) {
    throw new S3Error('InvalidArgument', {
      message: `Invalid credential scope; this endpoint serves ${region}/s3.`,
      extra: { ArgumentName: 'x-amz-credential', ArgumentValue: credential.slice(0, 128) },
    });
  }
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(scope.date)) {
    throw new S3Error('InvalidArgument', {
      message: 'x-amz-date must be yyyyMMddTHHmmssZ on the credential scope date.',
      extra: { ArgumentName: 'x-amz-date', ArgumentValue: amzDate.slice(0, 64) },
    });
  }
  void now;
  return { scope, amzDate, signature };
}

/** hex(HMAC(signing key, base64 policy)), compared in constant time. */
export function postSignatureMatches(secret: string, scope: CredentialScope, policyBase64: string, signature: string): boolean {
  const expected = computeSignature(deriveSigningKey(secret, scope.date, scope.region, scope.service), policyBase64);
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(signature.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
