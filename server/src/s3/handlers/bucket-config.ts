/**
 * Bucket configuration documents that are stored and returned as given (after AWS's
 * validation): PublicAccessBlock, OwnershipControls, BucketLoggingStatus. What they change
 * is enforced elsewhere (policy/authorize.ts, request-acl.ts); the access log is anode's own.
 */
import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { readSmallBody } from '../body.js';
import { el, S3_XMLNS } from '../xml.js';
import { parseXmlBody, textOf, XmlParseError } from '../../util/xml-parse.js';
import type { ObjectOwnership, PublicAccessBlock } from '../../metadata/types.js';
import { aclIsOwnerOnly } from '../../policy/acl.js';

const MAX_CONFIG_BYTES = 64 * 1024;

async function document(ctx: RequestContext, root: string): Promise<Record<string, unknown>> {
  const body = await readSmallBody(ctx, MAX_CONFIG_BYTES);
  if (body.length === 0) throw new S3Error('MalformedXML');
  return parseXmlBody(body.toString('utf8'), root);
}

function flag(doc: Record<string, unknown>, name: string): boolean {
  const v = textOf(doc, name)?.trim().toLowerCase();
  if (v === undefined) return false;
  if (v !== 'true' && v !== 'false') throw new XmlParseError();
  return v === 'true';
}

// ---- PublicAccessBlock ----

export async function handleGetPublicAccessBlock(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const pab = ctx.bucket!.settings?.publicAccessBlock;
  if (pab === undefined) throw new S3Error('NoSuchPublicAccessBlockConfiguration', { extra: { BucketName: ctx.bucket!.name } });
  return xmlResult(
    el(
      'PublicAccessBlockConfiguration',
      [
        el('BlockPublicAcls', pab.blockPublicAcls),
        el('IgnorePublicAcls', pab.ignorePublicAcls),
        el('BlockPublicPolicy', pab.blockPublicPolicy),
        el('RestrictPublicBuckets', pab.restrictPublicBuckets),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

export async function handlePutPublicAccessBlock(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const doc = await document(ctx, 'PublicAccessBlockConfiguration');
  const pab: PublicAccessBlock = {
    blockPublicAcls: flag(doc, 'BlockPublicAcls'),
    ignorePublicAcls: flag(doc, 'IgnorePublicAcls'),
    blockPublicPolicy: flag(doc, 'BlockPublicPolicy'),
    restrictPublicBuckets: flag(doc, 'RestrictPublicBuckets'),
  };
  await deps.metadata.setBucketSetting(bucket.id, 'publicAccessBlock', pab);
  deps.audit.write(ctx, 'bucket.public-access-block.set', { bucket: bucket.name, ...pab });
  return emptyResult(200);
}

export async function handleDeletePublicAccessBlock(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  await deps.metadata.setBucketSetting(bucket.id, 'publicAccessBlock', null);
  deps.audit.write(ctx, 'bucket.public-access-block.delete', { bucket: bucket.name });
  return emptyResult(204);
}

// ---- Object Ownership ----

const OWNERSHIPS: ReadonlySet<string> = new Set<ObjectOwnership>(['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter']);

/** An x-amz-object-ownership value or ObjectOwnership element; anything else is refused as AWS does. */
export function parseOwnership(value: string | undefined, asHeader: boolean): ObjectOwnership {
  if (value === undefined || !OWNERSHIPS.has(value)) {
    if (asHeader) {
      throw new S3Error('InvalidArgument', {
        message: 'Invalid x-amz-object-ownership header',
        extra: { ArgumentName: 'x-amz-object-ownership', ArgumentValue: value ?? '' },
      });
    }
    throw new S3Error('MalformedXML');
  }
  return value as ObjectOwnership;
}

export async function handleGetBucketOwnershipControls(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const ownership = ctx.bucket!.settings?.ownership;
  if (ownership === undefined) throw new S3Error('OwnershipControlsNotFoundError', { extra: { BucketName: ctx.bucket!.name } });
  return xmlResult(el('OwnershipControls', [el('Rule', [el('ObjectOwnership', ownership)])], { xmlns: S3_XMLNS }));
}

export async function handlePutBucketOwnershipControls(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const doc = await document(ctx, 'OwnershipControls');
  const rule = doc['Rule'];
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new S3Error('MalformedXML');
  const ownership = parseOwnership(textOf(rule as Record<string, unknown>, 'ObjectOwnership'), false);
  // ACLs stop counting under BucketOwnerEnforced: AWS refuses while the bucket ACL grants anyone else.
  if (ownership === 'BucketOwnerEnforced' && !aclIsOwnerOnly(bucket.acl)) throw new S3Error('InvalidBucketAclWithObjectOwnership');
  await deps.metadata.setBucketSetting(bucket.id, 'ownership', ownership);
  deps.audit.write(ctx, 'bucket.ownership.set', { bucket: bucket.name, ownership });
  return emptyResult(200);
}

export async function handleDeleteBucketOwnershipControls(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  await deps.metadata.setBucketSetting(bucket.id, 'ownership', null);
  deps.audit.write(ctx, 'bucket.ownership.delete', { bucket: bucket.name });
  return emptyResult(204);
}

// ---- Logging ----

export async function handleGetBucketLogging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const logging = ctx.bucket!.settings?.logging;
  return xmlResult(
    el(
      'BucketLoggingStatus',
      logging === undefined
        ? []
        : [el('LoggingEnabled', [el('TargetBucket', logging.targetBucket), el('TargetPrefix', logging.targetPrefix)])],
      { xmlns: S3_XMLNS },
    ),
  );
}

export async function handlePutBucketLogging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const doc = await document(ctx, 'BucketLoggingStatus');
  const enabled = doc['LoggingEnabled'];
  if (enabled === undefined) {
    await deps.metadata.setBucketSetting(bucket.id, 'logging', null);
    deps.audit.write(ctx, 'bucket.logging.delete', { bucket: bucket.name });
    return emptyResult(200);
  }
  if (typeof enabled !== 'object' || enabled === null || Array.isArray(enabled)) throw new S3Error('MalformedXML');
  const node = enabled as Record<string, unknown>;
  const targetBucket = textOf(node, 'TargetBucket');
  const targetPrefix = textOf(node, 'TargetPrefix') ?? '';
  if (targetBucket === undefined || targetBucket === '') throw new S3Error('MalformedXML');
  const target = await deps.metadata.getBucket(targetBucket);
  if (target === null) throw new S3Error('InvalidTargetBucketForLogging', { extra: { TargetBucket: targetBucket } });
  if (target.owner !== bucket.owner) {
    throw new S3Error('InvalidTargetBucketForLogging', {
      message: 'The owner for the bucket to be logged and the target bucket must be the same.',
      extra: { TargetBucket: targetBucket },
    });
  }
  await deps.metadata.setBucketSetting(bucket.id, 'logging', { targetBucket, targetPrefix });
  deps.audit.write(ctx, 'bucket.logging.set', { bucket: bucket.name, targetBucket, targetPrefix });
  return emptyResult(200);
}
