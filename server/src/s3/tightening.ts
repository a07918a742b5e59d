/**
 * Which ACL and policy changes only take access away, so read-only mode (and an incident
 * lockdown) still lets an operator make them: removing grants, making an ACL private,
 * deleting a policy that denies nothing, a policy whose Allow statements were all in the
 * old one (added Deny statements are fine).
 */
import type { Acl } from '../metadata/types.js';
import { aclPermissionCovers } from '../policy/actions.js';
import { S3Error } from './errors.js';

/** S3 operations that run in read-only mode when their handler finds they only tighten. */
export const READ_ONLY_TIGHTENING: ReadonlySet<string> = new Set(['PutBucketAcl', 'PutObjectAcl', 'PutBucketPolicy', 'DeleteBucketPolicy']);

export function readOnlyRefusal(what: string): S3Error {
  return new S3Error('AccessDenied', {
    message: `This node is in read-only mode: writes are refused until an operator turns read-only mode off; only changes that take access away are allowed (${what}).`,
  });
}

function sameGrantee(a: Acl['grants'][number]['grantee'], b: Acl['grants'][number]['grantee']): boolean {
  return a.type === 'Group' ? b.type === 'Group' && a.uri === b.uri : b.type === 'CanonicalUser' && a.id === b.id;
}

/** Every grant of `next` was already given by `old` (same grantee, a covering permission). */
export function aclOnlyTightens(old: Acl, next: Acl): boolean {
  return next.grants.every((g) =>
    old.grants.some((o) => sameGrantee(o.grantee, g.grantee) && aclPermissionCovers(o.permission, g.permission)),
  );
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function statements(text: string): { effect: string; text: string }[] {
  const doc = JSON.parse(text) as { Statement?: unknown };
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  return list.map((s) => {
    const { Sid: _sid, ...rest } = (s ?? {}) as Record<string, unknown>;
    return { effect: String(rest['Effect']), text: canonical(rest) };
  });
}

/** The new policy allows nothing the old one did not (its Allow statements all appear in the old). */
export function policyOnlyTightens(oldText: string | null, newText: string): boolean {
  try {
    const before = new Set(
      oldText === null
        ? []
        : statements(oldText)
            .filter((s) => s.effect === 'Allow')
            .map((s) => s.text),
    );
    return statements(newText).every((s) => s.effect !== 'Allow' || before.has(s.text));
  } catch {
    return false;
  }
}

/** Deleting the policy takes access away only when it denies nothing. */
export function policyDeleteOnlyTightens(oldText: string | null): boolean {
  if (oldText === null) return true;
  try {
    return statements(oldText).every((s) => s.effect !== 'Deny');
  } catch {
    return false;
  }
}
