import type { OutgoingHttpHeaders } from 'node:http';
import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { sendEmpty } from '../respond.js';
import { openPayload, MAX_OBJECT_SIZE } from '../body.js';
import { chunkSizeOf, writeBody } from '../../model/object-writer.js';
import type { ObjectRecord, StoredChecksum } from '../../metadata/types.js';
import { checksumHeaderName } from '../../util/checksums.js';
import { objectHeadersFrom, refuseUnsupportedWriteHeaders, storageClassFrom, userMetadataFrom } from './object-fields.js';
import { ownerOf, requestedAcl } from './request-acl.js';

/** If-None-Match: * (create only) and If-Match (replace only that version) on writes. */
export async function checkWriteConditions(deps: S3Deps, ctx: RequestContext, bucketId: string, key: string): Promise<void> {
  const ifNoneMatch = header(ctx, 'if-none-match');
  const ifMatch = header(ctx, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  const existing = await deps.metadata.getObject(bucketId, key);
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', { message: 'If-None-Match on writes supports only "*".' });
    if (existing) throw new S3Error('PreconditionFailed', { extra: { Condition: 'If-None-Match' } });
  }
  if (ifMatch !== undefined) {
    if (!existing) throw new S3Error('NoSuchKey', { extra: { Key: key } });
    const want = ifMatch.trim();
    if (want !== existing.etag && `"${want}"` !== existing.etag)
      throw new S3Error('PreconditionFailed', { extra: { Condition: 'If-Match' } });
  }
}

export function checksumResponseHeaders(checksum: StoredChecksum | null): OutgoingHttpHeaders {
  if (!checksum) return {};
  return { [checksumHeaderName(checksum.algorithm)]: checksum.value, 'x-amz-checksum-type': checksum.type };
}

/**
 * Commits a record whose chunks are already durable. If the commit fails, or the bucket was
 * deleted while the body streamed in, the chunks written for it (`written`) are removed.
 */
export async function commitObject(deps: S3Deps, ctx: RequestContext, record: ObjectRecord, written: string[]): Promise<void> {
  let result;
  try {
    result = await deps.metadata.putObject(record);
  } catch (err) {
    for (const id of written) await deps.chunks.delete(id);
    throw err;
  }
  if (result === 'no-bucket') {
    for (const id of written) await deps.chunks.delete(id);
    throw new S3Error('NoSuchBucket', { extra: { BucketName: ctx.bucket!.name } });
  }
}

export function handlePutObject(deps: S3Deps, ctx: RequestContext): Promise<void> {
  return deps.bucketWrites.during(ctx.bucket!.id, () => putObject(deps, ctx));
}

async function putObject(deps: S3Deps, ctx: RequestContext): Promise<void> {
  refuseUnsupportedWriteHeaders(ctx);
  const bucket = ctx.bucket!;
  const key = ctx.target!.key!;
  const owner = ownerOf(ctx, bucket.owner);
  const headers = objectHeadersFrom(ctx);
  const userMetadata = userMetadataFrom(ctx);
  const storageClass = storageClassFrom(ctx);
  const acl = requestedAcl(ctx, owner, bucket.owner, 'object');
  await checkWriteConditions(deps, ctx, bucket.id, key);
  const body = openPayload(ctx, MAX_OBJECT_SIZE);
  const { chunks, digests } = await writeBody(deps.chunks, body.payload, {
    sha256: body.needsSha256,
    checksum: body.checksumAlgorithm,
    chunkSize: chunkSizeOf(deps.config),
  });
  deps.metrics.bytesIn.inc(digests.size);
  const checksum: StoredChecksum | null =
    body.checksumAlgorithm && digests.checksum
      ? { algorithm: body.checksumAlgorithm, value: digests.checksum.toString('base64'), type: 'FULL_OBJECT' }
      : null;
  const record: ObjectRecord = {
    bucketId: bucket.id,
    key,
    size: digests.size,
    etag: `"${digests.md5.toString('hex')}"`,
    lastModified: new Date(),
    owner,
    headers,
    userMetadata,
    checksum,
    acl,
    storageClass,
    chunks,
    parts: null,
  };
  try {
    // Re-checked at commit: another writer may have won while the body streamed in.
    await checkWriteConditions(deps, ctx, bucket.id, key);
  } catch (err) {
    for (const c of chunks) await deps.chunks.delete(c.id);
    throw err;
  }
  await commitObject(
    deps,
    ctx,
    record,
    chunks.map((c) => c.id),
  );
  sendEmpty(ctx, 200, { etag: record.etag, ...checksumResponseHeaders(checksum) });
}
