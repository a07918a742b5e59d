import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { el, isoDate, S3_XMLNS } from '../xml.js';
import { ChecksumAlgorithms } from '../body.js';
import { checksumElements } from '../checksum-xml.js';
import { xmlResult, type S3Result } from '../result.js';
import type { ChecksumAlgorithm } from '../../metadata/types.js';
import { loadCopySourceVersion } from './copy-source.js';
import {
  objectHeadersFrom,
  refuseUnsupportedWriteHeaders,
  storageClassFrom,
  userMetadataFrom,
  writeConditionsFrom,
} from './object-fields.js';
import { ownerOf, requestedAcl } from './request-acl.js';
import { customerKeyFrom, sseRequestFrom, sseResponseHeaders } from './sse.js';
import { requestedLockFrom } from './object-lock.js';
import { objectVersionHeader } from './versioning.js';

export async function handleCopyObject(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  refuseUnsupportedWriteHeaders(ctx, { objectLock: true });
  const lock = requestedLockFrom(ctx);
  const bucket = ctx.bucket!;
  const key = ctx.target!.key!;
  const { object: source, bucket: sourceBucket } = await loadCopySourceVersion(deps, ctx);
  const directive = (header(ctx, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', {
      message: 'Unknown metadata directive.',
      extra: { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive },
    });
  }
  const tagDirective = (header(ctx, 'x-amz-tagging-directive') ?? 'COPY').toUpperCase();
  if (tagDirective !== 'COPY' && tagDirective !== 'REPLACE') {
    throw new S3Error('InvalidArgument', {
      message: 'Unknown tagging directive.',
      extra: { ArgumentName: 'x-amz-tagging-directive', ArgumentValue: tagDirective },
    });
  }
  const storageClass = header(ctx, 'x-amz-storage-class') !== undefined ? storageClassFrom(ctx) : source.storageClass;
  const sameKey = source.bucketId === bucket.id && source.key === key;
  const sse = await sseRequestFrom(deps, ctx);
  const sourceCustomer = customerKeyFrom(deps, ctx, true);
  if (
    sameKey &&
    directive === 'COPY' &&
    storageClass === source.storageClass &&
    header(ctx, 'x-amz-checksum-algorithm') === undefined &&
    sse === null
  ) {
    throw new S3Error('InvalidRequest', {
      message:
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    });
  }
  const owner = ownerOf(ctx, bucket.owner);
  const acl = requestedAcl(ctx, owner, bucket.owner, 'object');
  const requested = header(ctx, 'x-amz-checksum-algorithm')?.toUpperCase();
  if (requested !== undefined && !ChecksumAlgorithms.has(requested)) {
    throw new S3Error('InvalidRequest', { message: 'Checksum algorithm provided is unsupported.' });
  }
  const { record } = await deps.objects.copyObject({
    ...(lock ? { lock } : {}),
    bucket,
    key,
    source,
    owner,
    acl,
    storageClass,
    replace: directive === 'REPLACE' ? { headers: objectHeadersFrom(ctx), userMetadata: userMetadataFrom(ctx) } : null,
    checksumAlgorithm: (requested ?? null) as ChecksumAlgorithm | null,
    conditions: writeConditionsFrom(ctx),
    // COPY keeps the source's tags (x-amz-tagging is then ignored, as AWS does); REPLACE takes the request's.
    ...(tagDirective === 'REPLACE' ? { tags: ctx.requestTags ?? [] } : {}),
    sse,
    sourceCustomer,
  });
  return xmlResult(
    el(
      'CopyObjectResult',
      [el('ETag', record.etag), el('LastModified', isoDate(record.lastModified)), ...checksumElements(record.checksum)],
      {
        xmlns: S3_XMLNS,
      },
    ),
    {
      ...sseResponseHeaders(record.encryption, sse?.mode === 'SSE-C' ? sse.customer : null),
      ...objectVersionHeader(bucket, record),
      ...((sourceBucket.versioning ?? 'Unversioned') !== 'Unversioned'
        ? { 'x-amz-copy-source-version-id': source.versionId ?? 'null' }
        : {}),
    },
  );
}
