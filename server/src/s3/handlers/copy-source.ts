import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { decode } from '../../http/target.js';
import { authorize } from '../../policy/authorize.js';
import { anonymousDisabledReason } from '../../model/lockdown.js';
import { recordDenial } from '../record-denial.js';
import { conditionContext } from '../conditions.js';
import type { ObjectRecord } from '../../metadata/types.js';
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
  const raw = header(ctx, 'x-amz-copy-source') ?? '';
  const invalid = () =>
    new S3Error('InvalidArgument', {
      message: 'Invalid copy source object key',
      extra: { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw.slice(0, 256) },
    });
  const [pathPart = '', queryPart] = raw.split('?', 2) as [string, string?];
  if (queryPart !== undefined && queryPart !== '' && queryPart !== 'versionId=null') {
    throw new S3Error('NotImplemented', { message: 'Copying a specific object version is not implemented by this server.' });
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
  const obj = await deps.metadata.getObject(bucket.id, key);
  // The read of the source is judged on the source's own tags.
  const context = { ...conditionContext(ctx, 'GetObject'), ...existingTagConditionKeys(obj?.tags) };
  const input = {
    principal: ctx.principal,
    action: 's3:GetObject',
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
  if (!obj) throw new S3Error('NoSuchKey', { extra: { Key: key } });
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
  return obj;
}
