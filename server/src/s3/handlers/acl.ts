import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, type S3Result } from '../result.js';
import { readSmallBody } from '../body.js';
import { aclFromHeaders, aclIsOwnerOnly, aclToXml, MAX_ACL_XML_BYTES, parseAclXml, privateAcl } from '../../policy/acl.js';
import { publicAclBlocked } from '../../policy/authorize.js';
import type { Acl } from '../../metadata/types.js';
import { flatHeaders } from './request-acl.js';
import { aclOnlyTightens, readOnlyRefusal } from '../tightening.js';
import { addressedVersion } from '../version-access.js';
import { queryParam } from '../../http/target.js';

function aclResult(acl: Acl): S3Result {
  return { status: 200, headers: {}, body: { kind: 'text', contentType: 'application/xml', text: aclToXml(acl) } };
}

/** The new ACL of a Put*Acl request: from headers, or from an AccessControlPolicy body — not both. */
async function newAcl(ctx: RequestContext, owner: string, bucketOwner: string, resource: 'bucket' | 'object'): Promise<Acl> {
  const fromHeaders = aclFromHeaders({ headers: flatHeaders(ctx), owner, bucketOwner, resource });
  const body = await readSmallBody(ctx, MAX_ACL_XML_BYTES);
  if (fromHeaders && body.length > 0) {
    throw new S3Error('UnexpectedContent', { message: 'This request does not support content' });
  }
  if (fromHeaders) return fromHeaders;
  if (body.length === 0)
    throw new S3Error('MissingSecurityHeader', {
      message: 'Your request was missing a required header',
      extra: { MissingHeaderName: 'x-amz-acl' },
    });
  const acl = parseAclXml(body.toString('utf8'), { owner });
  const bucket = ctx.bucket!;
  // ACLs disabled (BucketOwnerEnforced): only an ACL granting the owner alone is accepted.
  if (bucket.settings?.ownership === 'BucketOwnerEnforced' && !aclIsOwnerOnly(acl)) throw new S3Error('AccessControlListNotSupported');
  if (publicAclBlocked(bucket, acl)) throw new S3Error('AccessDenied');
  return acl;
}

/** With ACLs disabled (BucketOwnerEnforced) every ACL reads as the bucket owner's FULL_CONTROL, as AWS shows it. */
function shownAcl(ctx: RequestContext, stored: Acl): Acl {
  const bucket = ctx.bucket!;
  return bucket.settings?.ownership === 'BucketOwnerEnforced' ? privateAcl(bucket.owner) : stored;
}

export async function handleGetBucketAcl(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  return aclResult(shownAcl(ctx, ctx.bucket!.acl));
}

export async function handlePutBucketAcl(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const acl = await newAcl(ctx, bucket.owner, bucket.owner, 'bucket');
  if (deps.node.readOnly && !aclOnlyTightens(bucket.acl, acl))
    throw readOnlyRefusal('an ACL with only grants it already has, e.g. private');
  await deps.metadata.setBucketAcl(bucket.id, acl);
  deps.audit.write(ctx, 'bucket.acl.set', { bucket: bucket.name, grants: acl.grants.length });
  return emptyResult(200);
}

export async function handleGetObjectAcl(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const obj = await addressedVersion(deps, ctx);
  return aclResult(shownAcl(ctx, obj.acl));
}

export async function handlePutObjectAcl(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const obj = await addressedVersion(deps, ctx);
  const acl = await newAcl(ctx, obj.owner, bucket.owner, 'object');
  if (deps.node.readOnly && !aclOnlyTightens(obj.acl, acl)) throw readOnlyRefusal('an ACL with only grants it already has, e.g. private');
  const versionId = obj.versionId ?? 'null';
  if ((await deps.metadata.patchVersion(bucket.id, obj.key, versionId, { acl })) !== 'ok') {
    throw queryParam(ctx.target!, 'versionId') === undefined
      ? new S3Error('NoSuchKey', { extra: { Key: obj.key } })
      : new S3Error('NoSuchVersion', { extra: { Key: obj.key, VersionId: versionId } });
  }
  deps.audit.write(ctx, 'object.acl.set', { bucket: bucket.name, key: obj.key, version_id: versionId, grants: acl.grants.length });
  return emptyResult(200);
}
