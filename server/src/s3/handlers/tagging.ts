import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { readSmallBody } from '../body.js';
import { parseTaggingBody, taggingXml } from '../tagging.js';

/** A Tagging document of 50 tags of 128 + 256 characters fits well below this. */
const MAX_TAGGING_BYTES = 256 * 1024;

async function tagsFromBody(ctx: RequestContext, kind: 'object' | 'bucket') {
  const body = await readSmallBody(ctx, MAX_TAGGING_BYTES);
  if (body.length === 0) throw new S3Error('MalformedXML');
  return parseTaggingBody(body.toString('utf8'), kind);
}

export async function handleGetObjectTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const obj = await deps.objects.getObject(ctx.bucket!, ctx.target!.key!);
  return xmlResult(taggingXml(await deps.objects.tagsOf(obj)));
}

export async function handlePutObjectTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const key = ctx.target!.key!;
  await deps.objects.getObject(bucket, key);
  // Already read and parsed before authorization when the bucket policy may test them.
  const tags = ctx.requestTags ?? (await tagsFromBody(ctx, 'object'));
  if (!(await deps.objects.setTags(bucket, key, tags))) throw new S3Error('NoSuchKey', { extra: { Key: key } });
  deps.audit.write(ctx, 'object.tagging.set', { bucket: bucket.name, key, tags: tags.length });
  return emptyResult(200);
}

export async function handleDeleteObjectTagging(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const key = ctx.target!.key!;
  if (!(await deps.objects.setTags(bucket, key, []))) throw new S3Error('NoSuchKey', { extra: { Key: key } });
  deps.audit.write(ctx, 'object.tagging.delete', { bucket: bucket.name, key });
  return emptyResult(204);
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
