import { aclFromHeaders, privateAcl } from '../../policy/acl.js';
import type { Acl } from '../../metadata/types.js';
import { header, type RequestContext } from '../context.js';

/** Lowercased request headers as single strings. */
export function flatHeaders(ctx: RequestContext): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/**
 * The caller's user name; anonymous writers (public-read-write buckets) own nothing, so the
 * bucket owner owns. Object Ownership: under BucketOwnerEnforced the bucket owner owns every
 * new object; under BucketOwnerPreferred, those written with bucket-owner-full-control.
 */
export function ownerOf(ctx: RequestContext, fallback: string): string {
  const ownership = ctx.bucket?.settings?.ownership;
  if (ctx.bucket && ctx.target?.key !== null && ctx.target?.key !== undefined) {
    if (ownership === 'BucketOwnerEnforced') return ctx.bucket.owner;
    if (ownership === 'BucketOwnerPreferred' && header(ctx, 'x-amz-acl')?.trim() === 'bucket-owner-full-control') return ctx.bucket.owner;
  }
  return ctx.principal.kind === 'user' ? ctx.principal.user : fallback;
}

/** ACL requested through x-amz-acl / x-amz-grant-* on a create, default private; ACLs disabled → private. */
export function requestedAcl(ctx: RequestContext, owner: string, bucketOwner: string, resource: 'bucket' | 'object'): Acl {
  if (resource === 'object' && ctx.bucket?.settings?.ownership === 'BucketOwnerEnforced') return privateAcl(bucketOwner);
  return aclFromHeaders({ headers: flatHeaders(ctx), owner, bucketOwner, resource }) ?? privateAcl(owner);
}
