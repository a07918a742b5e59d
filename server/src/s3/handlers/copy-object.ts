import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { sendXml } from '../respond.js';
import { el, isoDate, S3_XMLNS } from '../xml.js';
import { chunkSizeOf, writeBody } from '../../model/object-writer.js';
import { readObjectRange } from '../../model/object-reader.js';
import type { ObjectRecord, StoredChecksum } from '../../metadata/types.js';
import { loadCopySource } from './copy-source.js';
import { objectHeadersFrom, refuseUnsupportedWriteHeaders, storageClassFrom, userMetadataFrom } from './object-fields.js';
import { ownerOf, requestedAcl } from './request-acl.js';
import { checkWriteConditions, commitObject } from './put-object.js';
import { checksumElements } from './multipart.js';
import { ChecksumAlgorithms } from '../body.js';

export function handleCopyObject(deps: S3Deps, ctx: RequestContext): Promise<void> {
  return deps.bucketWrites.during(ctx.bucket!.id, () => copyObject(deps, ctx));
}

async function copyObject(deps: S3Deps, ctx: RequestContext): Promise<void> {
  refuseUnsupportedWriteHeaders(ctx);
  const bucket = ctx.bucket!;
  const key = ctx.target!.key!;
  const source = await loadCopySource(deps, ctx);
  const directive = (header(ctx, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', {
      message: 'Unknown metadata directive.',
      extra: { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive },
    });
  }
  const storageClass = header(ctx, 'x-amz-storage-class') !== undefined ? storageClassFrom(ctx) : source.storageClass;
  const sameKey = source.bucketId === bucket.id && source.key === key;
  if (sameKey && directive === 'COPY' && storageClass === source.storageClass && header(ctx, 'x-amz-checksum-algorithm') === undefined) {
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
  const algorithm = (requested ?? source.checksum?.algorithm ?? null) as StoredChecksum['algorithm'] | null;
  await checkWriteConditions(deps, ctx, bucket.id, key);

  // Chunks are immutable and reference-counted, so a copy of a single-part object whose
  // checksum stays the same shares the source's chunks: no bytes are read or written. A
  // multipart source (its ETag is not an MD5) or a new checksum algorithm is re-read.
  const share = source.parts === null && algorithm === (source.checksum?.algorithm ?? null);
  let size = source.size;
  let etag = source.etag;
  let checksum: StoredChecksum | null = source.checksum;
  let chunks = source.chunks;
  let written: string[] = [];
  if (!share) {
    const result = await writeBody(
      deps.chunks,
      { stream: readObjectRange(deps.chunks, source.chunks, 0, source.size - 1), declaredLength: source.size, verify: () => undefined },
      { sha256: false, checksum: algorithm, chunkSize: chunkSizeOf(deps.config) },
    );
    const { digests } = result;
    written = result.chunks.map((c) => c.id);
    size = digests.size;
    etag = `"${digests.md5.toString('hex')}"`;
    checksum = algorithm && digests.checksum ? { algorithm, value: digests.checksum.toString('base64'), type: 'FULL_OBJECT' } : null;
    chunks = result.chunks;
  }
  const record: ObjectRecord = {
    bucketId: bucket.id,
    key,
    size,
    etag,
    lastModified: new Date(),
    owner,
    headers: directive === 'REPLACE' ? objectHeadersFrom(ctx) : source.headers,
    userMetadata: directive === 'REPLACE' ? userMetadataFrom(ctx) : source.userMetadata,
    checksum,
    acl,
    storageClass,
    chunks,
    parts: null,
  };
  await commitObject(deps, ctx, record, written);
  sendXml(
    ctx,
    200,
    el('CopyObjectResult', [el('ETag', record.etag), el('LastModified', isoDate(record.lastModified)), ...checksumElements(checksum)], {
      xmlns: S3_XMLNS,
    }),
  );
}
