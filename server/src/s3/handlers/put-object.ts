import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { openPayload, MAX_OBJECT_SIZE } from '../body.js';
import { checksumResponseHeaders } from '../checksum-xml.js';
import { emptyResult, type S3Result } from '../result.js';
import {
  objectHeadersFrom,
  refuseUnsupportedWriteHeaders,
  storageClassFrom,
  userMetadataFrom,
  writeConditionsFrom,
} from './object-fields.js';
import { ownerOf, requestedAcl } from './request-acl.js';
import { sseRequestFrom, sseResponseHeaders } from './sse.js';
import { requestedLockFrom } from './object-lock.js';
import { objectVersionHeader } from './versioning.js';

export async function handlePutObject(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  refuseUnsupportedWriteHeaders(ctx, { objectLock: true });
  const lock = requestedLockFrom(ctx);
  const bucket = ctx.bucket!;
  const owner = ownerOf(ctx, bucket.owner);
  const sse = await sseRequestFrom(deps, ctx);
  const { etag, checksum, record } = await deps.objects.putObject({
    ...(lock ? { lock } : {}),
    bucket,
    key: ctx.target!.key!,
    owner,
    headers: objectHeadersFrom(ctx),
    userMetadata: userMetadataFrom(ctx),
    storageClass: storageClassFrom(ctx),
    acl: requestedAcl(ctx, owner, bucket.owner, 'object'),
    conditions: writeConditionsFrom(ctx),
    ...(ctx.requestTags ? { tags: ctx.requestTags } : {}),
    openBody: () => openPayload(ctx, MAX_OBJECT_SIZE),
    sse,
  });
  return emptyResult(200, {
    etag,
    ...checksumResponseHeaders(checksum),
    ...sseResponseHeaders(record.encryption, sse?.mode === 'SSE-C' ? sse.customer : null),
    ...objectVersionHeader(bucket, record),
  });
}
