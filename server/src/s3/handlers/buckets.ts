import { randomBytes } from 'node:crypto';
import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { ownerNode } from '../owner-xml.js';
import { el, isoDate, S3_XMLNS } from '../xml.js';
import { parseXmlBody, textOf } from '../../util/xml-parse.js';
import { readSmallBody } from '../body.js';
import { requestedAcl, ownerOf } from './request-acl.js';
import { header } from '../context.js';
import { parseOwnership } from './bucket-config.js';
import { aclIsOwnerOnly } from '../../policy/acl.js';

export async function handleListBuckets(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const all = await deps.metadata.listBuckets();
  const user = ctx.principal.kind === 'user' ? ctx.principal : null;
  // Admins see every bucket (operators); users see their own, as in AWS.
  const visible = all.filter((b) => user !== null && (user.role === 'admin' || b.owner === user.user));
  return xmlResult(
    el(
      'ListAllMyBucketsResult',
      [
        ownerNode(user?.user ?? 'anonymous'),
        el(
          'Buckets',
          visible.map((b) => el('Bucket', [el('Name', b.name), el('CreationDate', isoDate(b.createdAt)), el('BucketRegion', b.region)])),
        ),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

export async function handleCreateBucket(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const name = ctx.target!.bucket!;
  const owner = ownerOf(ctx, 'anonymous');
  // Object lock at creation turns versioning on for good (object-lock.ts).
  const objectLock = header(ctx, 'x-amz-bucket-object-lock-enabled')?.trim().toLowerCase() === 'true';
  const body = await readSmallBody(ctx, 64 * 1024);
  const region = deps.config.server.region;
  if (body.length > 0) {
    const config = parseXmlBody(body.toString('utf8'), 'CreateBucketConfiguration');
    const constraint = textOf(config, 'LocationConstraint');
    // One node serves one region; "US" is the legacy spelling of us-east-1.
    const asked = constraint === 'US' || constraint === '' ? 'us-east-1' : constraint;
    if (asked !== undefined && asked !== region) {
      throw new S3Error('InvalidLocationConstraint', {
        message: `The specified location-constraint is not valid; this endpoint serves ${region}.`,
        extra: { LocationConstraint: constraint ?? '' },
      });
    }
  }
  const acl = requestedAcl(ctx, owner, owner, 'bucket');
  const ownershipHeader = header(ctx, 'x-amz-object-ownership');
  const ownership = ownershipHeader === undefined ? undefined : parseOwnership(ownershipHeader, true);
  if (ownership === 'BucketOwnerEnforced' && !aclIsOwnerOnly(acl)) throw new S3Error('InvalidBucketAclWithObjectOwnership');
  const id = randomBytes(16).toString('hex');
  const result = await deps.metadata.createBucket({
    id,
    name,
    owner,
    region,
    createdAt: new Date(),
    acl,
    policy: null,
    permissions: {},
    settings: ownership === undefined ? {} : { ownership },
    ...(objectLock ? { versioning: 'Enabled' as const, objectLock: { defaultRetention: null } } : {}),
  });
  if (result === 'exists') {
    const existing = await deps.metadata.getBucket(name);
    if (existing?.owner === owner) throw new S3Error('BucketAlreadyOwnedByYou', { extra: { BucketName: name } });
    throw new S3Error('BucketAlreadyExists', { extra: { BucketName: name } });
  }
  return emptyResult(200, { location: `/${name}` });
}

export async function handleHeadBucket(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  return emptyResult(200, { 'x-amz-bucket-region': ctx.bucket!.region });
}

export async function handleDeleteBucket(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  // A write still streaming in would only fail at its commit: refuse now, like a non-empty bucket.
  if (deps.bucketWrites.busy(bucket.id)) {
    throw new S3Error('BucketNotEmpty', {
      message: 'The bucket you tried to delete has writes in progress; try again when they have finished.',
      extra: { BucketName: bucket.name },
    });
  }
  const result = await deps.metadata.deleteBucket(bucket.id);
  if (result === 'not-empty') throw new S3Error('BucketNotEmpty', { extra: { BucketName: ctx.bucket!.name } });
  if (result === 'not-found') throw new S3Error('NoSuchBucket', { extra: { BucketName: ctx.bucket!.name } });
  return emptyResult(204);
}

export async function handleGetBucketLocation(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  // AWS answers an empty constraint for us-east-1.
  const region = ctx.bucket!.region;
  return xmlResult(el('LocationConstraint', region === 'us-east-1' ? undefined : region, { xmlns: S3_XMLNS }));
}
