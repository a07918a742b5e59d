import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { readSmallBody } from '../body.js';
import { parseTaggingBody, taggingXml } from '../tagging.js';
import { addressedVersion } from '../version-access.js';
import { objectVersionHeader } from './versioning.js';
import { queryParam } from '../../http/target.js';
import type { ObjectRecord, Tag } from '../../metadata/types.js';

/** A Tagging document of 50 tags of 128 + 256 characters fits well below this. */
const MAX_TAGGING_BYTES = 256 * 1024;

async function tagsFromBody(ctx: RequestContext, kind: 'object' | 'bucket') {
  const body = await readSmallBody(ctx, MAX_TAGGING_BYTES);
  if (body.length === 0) throw new S3Error('MalformedXML');
  return parseTaggingBody(body.toString('utf8'), kind);
}

export async function handleGetObjectTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const obj = await addressedVersion(deps, ctx);
  return xmlResult(taggingXml(await deps.objects.tagsOf(obj)), objectVersionHeader(ctx.bucket!, obj));
}

/** Replaces the tags of the addressed version (any version, current or not; object lock allows it, as in AWS). */
async function setTags(deps: S3Deps, ctx: RequestContext, tags: Tag[]): Promise<ObjectRecord> {
  const bucket = ctx.bucket!;
  const obj = await addressedVersion(deps, ctx);
  const result = await deps.objects.setTags(bucket, obj, tags);
  if (result !== 'ok') {
    const versionId = queryParam(ctx.target!, 'versionId');
    throw versionId === undefined
      ? new S3Error('NoSuchKey', { extra: { Key: obj.key } })
      : new S3Error('NoSuchVersion', { extra: { Key: obj.key, VersionId: versionId } });
  }
  return obj;
}

export async function handlePutObjectTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  // Already read and parsed before authorization when the bucket policy may test them.
  const tags = ctx.requestTags ?? (await tagsFromBody(ctx, 'object'));
  const obj = await setTags(deps, ctx, tags);
  deps.audit.write(ctx, 'object.tagging.set', {
    bucket: ctx.bucket!.name,
    key: obj.key,
    version_id: obj.versionId ?? 'null',
    tags: tags.length,
  });
  return emptyResult(200, objectVersionHeader(ctx.bucket!, obj));
}

export async function handleDeleteObjectTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const obj = await setTags(deps, ctx, []);
  deps.audit.write(ctx, 'object.tagging.delete', { bucket: ctx.bucket!.name, key: obj.key, version_id: obj.versionId ?? 'null' });
  return emptyResult(204, objectVersionHeader(ctx.bucket!, obj));
}

export async function handleGetBucketTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const tags = ctx.bucket!.settings?.tagging;
  if (tags === undefined) throw new S3Error('NoSuchTagSet', { extra: { BucketName: ctx.bucket!.name } });
  return xmlResult(taggingXml(tags));
}

export async function handlePutBucketTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const tags = await tagsFromBody(ctx, 'bucket');
  await deps.metadata.setBucketSetting(bucket.id, 'tagging', tags);
  deps.audit.write(ctx, 'bucket.tagging.set', { bucket: bucket.name, tags: tags.length });
  return emptyResult(204);
}

export async function handleDeleteBucketTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  await deps.metadata.setBucketSetting(bucket.id, 'tagging', null);
  deps.audit.write(ctx, 'bucket.tagging.delete', { bucket: bucket.name });
  return emptyResult(204);
}
