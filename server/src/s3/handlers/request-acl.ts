import { aclFromHeaders, privateAcl } from '../../policy/acl.js';
import type { Acl } from '../../metadata/types.js';
import type { RequestContext } from '../context.js';

/** Lowercased request headers as single strings. */
export function flatHeaders(ctx: RequestContext): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** The caller's user name; anonymous writers (public-read-write buckets) own nothing, so the bucket owner owns. */
export function ownerOf(ctx: RequestContext, fallback: string): string {
  return ctx.principal.kind === 'user' ? ctx.principal.user : fallback;
}

/** ACL requested through x-amz-acl / x-amz-grant-* on a create, default private. */
export function requestedAcl(ctx: RequestContext, owner: string, bucketOwner: string, resource: 'bucket' | 'object'): Acl {
  return aclFromHeaders({ headers: flatHeaders(ctx), owner, bucketOwner, resource }) ?? privateAcl(owner);
}
