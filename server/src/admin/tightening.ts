/**
 * Read-only mode refuses changes, but not the ones that only take access away: an
 * operator containing an incident must still be able to remove grants and rotate the key
 * they kept. Each 'tightening' route says here when its request qualifies.
 */
import type { AdminRouteName } from '@anode/shared/admin-api/index';
import type { AdminContext } from './context.js';
import type { AdminDeps } from './deps.js';
import { parsePermissions } from './handlers/buckets.js';

export const TIGHTENING_RULE: Partial<Record<AdminRouteName, string>> = {
  putBucketPermissions: 'every permission left must already be granted',
  rotateCredential: 'a rotation with grace 0, which kills the old key at once',
};

export async function onlyTightens(deps: AdminDeps, route: AdminRouteName, ctx: AdminContext): Promise<boolean> {
  if (route === 'rotateCredential') {
    const body = ctx.body as Record<string, unknown> | undefined;
    const grace = body?.['grace_seconds'] ?? 0;
    return grace === 0;
  }
  if (route === 'putBucketPermissions') {
    const bucket = await deps.metadata.getBucket(ctx.params['bucket'] ?? '');
    if (!bucket) return true; // the handler answers NoSuchBucket
    let next;
    try {
      next = parsePermissions(ctx.body ?? {});
    } catch {
      return true; // the handler answers the validation error
    }
    return Object.entries(next).every(([user, perms]) => perms.every((p) => (bucket.permissions[user] ?? []).includes(p)));
  }
  return false;
}
