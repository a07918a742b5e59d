import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { decode } from '../../http/target.js';
import { authorize } from '../../policy/authorize.js';
import { anonymousDisabledReason } from '../../model/lockdown.js';
import { recordDenial } from '../record-denial.js';
import { conditionContext } from '../conditions.js';
import type { BucketRecord, ObjectRecord } from '../../metadata/types.js';
import { bucketNameProblem } from '@anode/shared';
import { checkPreconditions } from '../../model/preconditions.js';
import { checkExpectedOwner } from '../bucket-guards.js';
import { existingTagConditionKeys } from '../tagging.js';

/**
 * Resolves x-amz-copy-source ("bucket/key" or "/bucket/key", URL-encoded, optional
 * ?versionId=null), checks the caller may read it and the x-amz-copy-source-if-* conditions,
 * and returns the source object.
 */
export async function loadCopySource(deps: S3Deps, ctx: RequestContext): Promise<ObjectRecord> {
  return (await loadCopySourceVersion(deps, ctx)).object;
}

/** loadCopySource, with the source bucket (for x-amz-copy-source-version-id). */
export async function loadCopySourceVersion(deps: S3Deps, ctx: RequestContext): Promise<{ object: ObjectRecord; bucket: BucketRecord }> {
  const raw = header(ctx, 'x-amz-copy-source') ?? '';
  const invalid = () =>
    new S3Error('InvalidArgument', {
      message: 'Invalid copy source object key',
      extra: { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw.slice(0, 256) },
    });
  const [pathPart = '', queryPart] = raw.split('?', 2) as [string, string?];
  let versionId: string | undefined;
  if (queryPart !== undefined && queryPart !== '') {
    const m = /^versionId=([^&]*)$/.exec(queryPart);
    if (!m) throw invalid();
    versionId = decode(m[1]!);
  }
  const path = decode(pathPart.replace(/^\//, ''));
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw invalid();
  const bucketName = path.slice(0, slash);
  const key = path.slice(slash + 1);
  if (bucketNameProblem(bucketName) !== null) throw invalid();
  const bucket = await deps.metadata.getBucket(bucketName);
  if (!bucket) throw new S3Error('NoSuchBucket', { extra: { BucketName: bucketName } });
  checkExpectedOwner(ctx, bucket, 'x-amz-source-expected-bucket-owner');
  const action = versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion';
  let obj: ObjectRecord | null = null;
  let missing: unknown = null;
  try {
    obj = await deps.objects.getVersion(bucket, key, versionId);
  } catch (err) {
    missing = err;
  }
  // The read of the source is judged on the source's own tags.
  const context = { ...conditionContext(ctx, 'GetObject'), ...existingTagConditionKeys(obj ? await deps.objects.tagsOf(obj) : undefined) };
  const input = {
    principal: ctx.principal,
    action,
    bucket,
    key,
    context,
    objectAcl: obj?.acl ?? null,
    anonymousDisabled: ctx.principal.kind === 'anonymous' ? anonymousDisabledReason(deps.config.auth.anonymous, deps.lockdown) : null,
  };
  if (!authorize(input).allowed) {
    deps.metrics.permissionDenied.inc();
    recordDenial(deps, ctx, 'CopyObject', input);
    throw new S3Error('AccessDenied');
  }
  if (!obj) throw missing;
  checkPreconditions(
    {
      ifMatch: header(ctx, 'x-amz-copy-source-if-match'),
      ifNoneMatch: header(ctx, 'x-amz-copy-source-if-none-match'),
      ifModifiedSince: header(ctx, 'x-amz-copy-source-if-modified-since'),
      ifUnmodifiedSince: header(ctx, 'x-amz-copy-source-if-unmodified-since'),
    },
    obj,
    false,
  );
  return { object: obj, bucket };
}
