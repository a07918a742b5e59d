import { createHash, randomBytes } from 'node:crypto';
import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { sendEmpty, sendXml } from '../respond.js';
import { el, isoDate, S3_XMLNS, type XmlChild } from '../xml.js';
import { listOf, parseXmlBody, textOf } from '../../util/xml-parse.js';
import { openPayload, readSmallBody, ChecksumAlgorithms, MAX_PART_SIZE } from '../body.js';
import { queryParam } from '../../http/target.js';
import { writeBody } from '../../model/object-writer.js';
import { readObjectRange } from '../../model/object-reader.js';
import type { ChecksumAlgorithm, ObjectRecord, PartRecord, StoredChecksum, UploadRecord } from '../../metadata/types.js';
import { combineCrcParts, compositeChecksum, isCrcAlgorithm } from '../../util/checksums.js';
import { canonicalUserId } from '../../policy/principal.js';
import { objectHeadersFrom, refuseUnsupportedWriteHeaders, storageClassFrom, userMetadataFrom } from './object-fields.js';
import { ownerOf, requestedAcl } from './request-acl.js';
import { checksumResponseHeaders, checkWriteConditions } from './put-object.js';
import { loadCopySource } from './copy-source.js';
import { maxParam, urlEncoder } from './list-objects.js';
import { parseRange } from '../../util/range.js';

/** AWS: every part but the last must be at least 5 MiB. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10000;

export function checksumElements(checksum: StoredChecksum | null): XmlChild[] {
  if (!checksum) return [];
  return [el(`Checksum${checksum.algorithm}`, checksum.value), el('ChecksumType', checksum.type)];
}

function ownerNodes(user: string): XmlChild[] {
  const id = canonicalUserId(user);
  return [el('Initiator', [el('ID', id), el('DisplayName', user)]), el('Owner', [el('ID', id), el('DisplayName', user)])];
}

function partNumberParam(ctx: RequestContext): number {
  const raw = queryParam(ctx.target!, 'partNumber') ?? '';
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_PARTS)) {
    throw new S3Error('InvalidArgument', {
      message: 'Part number must be an integer between 1 and 10000, inclusive',
      extra: { ArgumentName: 'partNumber', ArgumentValue: raw },
    });
  }
  return n;
}

/** The upload named by ?uploadId=, which must belong to this bucket and key. */
async function loadUpload(deps: S3Deps, ctx: RequestContext): Promise<UploadRecord> {
  const uploadId = queryParam(ctx.target!, 'uploadId') ?? '';
  const upload = uploadId === '' ? null : await deps.metadata.getUpload(uploadId);
  if (!upload || upload.bucketId !== ctx.bucket!.id || upload.key !== ctx.target!.key) {
    throw new S3Error('NoSuchUpload', { extra: { UploadId: uploadId } });
  }
  return upload;
}

export async function handleCreateMultipartUpload(deps: S3Deps, ctx: RequestContext): Promise<void> {
  refuseUnsupportedWriteHeaders(ctx);
  const bucket = ctx.bucket!;
  const key = ctx.target!.key!;
  const owner = ownerOf(ctx, bucket.owner);
  const algorithmHeader = header(ctx, 'x-amz-checksum-algorithm')?.toUpperCase();
  if (algorithmHeader !== undefined && !ChecksumAlgorithms.has(algorithmHeader)) {
    throw new S3Error('InvalidRequest', { message: 'Checksum algorithm provided is unsupported.' });
  }
  const algorithm = (algorithmHeader ?? null) as ChecksumAlgorithm | null;
  const typeHeader = header(ctx, 'x-amz-checksum-type')?.toUpperCase();
  if (typeHeader !== undefined && typeHeader !== 'COMPOSITE' && typeHeader !== 'FULL_OBJECT') {
    throw new S3Error('InvalidRequest', { message: 'Value for x-amz-checksum-type header is invalid.' });
  }
  if (typeHeader !== undefined && algorithm === null) {
    throw new S3Error('InvalidRequest', {
      message: 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    });
  }
  // AWS's default for SHA algorithms is COMPOSITE, for CRC64NVME FULL_OBJECT; SHA cannot be combined.
  const type =
    algorithm === null ? null : ((typeHeader ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE')) as 'FULL_OBJECT' | 'COMPOSITE');
  if (type === 'FULL_OBJECT' && algorithm !== null && !isCrcAlgorithm(algorithm)) {
    throw new S3Error('InvalidRequest', {
      message: `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    });
  }
  if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') {
    throw new S3Error('InvalidRequest', { message: 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.' });
  }
  const upload: UploadRecord = {
    uploadId: randomBytes(24).toString('base64url'),
    bucketId: bucket.id,
    key,
    initiated: new Date(),
    owner,
    headers: objectHeadersFrom(ctx),
    userMetadata: userMetadataFrom(ctx),
    acl: requestedAcl(ctx, owner, bucket.owner, 'object'),
    storageClass: storageClassFrom(ctx),
    checksumAlgorithm: algorithm,
    checksumType: type,
  };
  if ((await deps.metadata.createUpload(upload)) === 'no-bucket') {
    throw new S3Error('NoSuchBucket', { extra: { BucketName: bucket.name } });
  }
  sendXml(
    ctx,
    200,
    el('InitiateMultipartUploadResult', [el('Bucket', bucket.name), el('Key', key), el('UploadId', upload.uploadId)], { xmlns: S3_XMLNS }),
    algorithm ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type! } : {},
  );
}

async function storePart(
  deps: S3Deps,
  upload: UploadRecord,
  partNumber: number,
  written: { chunk: { id: string; size: number }; digests: { size: number; md5: Buffer; checksum?: Buffer } },
): Promise<PartRecord> {
  const part: PartRecord = {
    uploadId: upload.uploadId,
    partNumber,
    size: written.digests.size,
    etag: `"${written.digests.md5.toString('hex')}"`,
    lastModified: new Date(),
    checksum:
      upload.checksumAlgorithm && written.digests.checksum
        ? { algorithm: upload.checksumAlgorithm, value: written.digests.checksum.toString('base64'), type: 'FULL_OBJECT' }
        : null,
    chunk: written.chunk,
  };
  const result = await deps.metadata.putPart(part);
  if (result === 'no-upload') {
    await deps.chunks.delete(written.chunk.id);
    throw new S3Error('NoSuchUpload', { extra: { UploadId: upload.uploadId } });
  }
  return part;
}

export function handleUploadPart(deps: S3Deps, ctx: RequestContext): Promise<void> {
  return deps.bucketWrites.during(ctx.bucket!.id, () => uploadPart(deps, ctx));
}

async function uploadPart(deps: S3Deps, ctx: RequestContext): Promise<void> {
  const partNumber = partNumberParam(ctx);
  const upload = await loadUpload(deps, ctx);
  const body = openPayload(ctx, MAX_PART_SIZE);
  if (upload.checksumAlgorithm && body.checksumAlgorithm && body.checksumAlgorithm !== upload.checksumAlgorithm) {
    throw new S3Error('InvalidRequest', {
      message: `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${body.checksumAlgorithm.toLowerCase()}`,
    });
  }
  const written = await writeBody(deps.chunks, body.payload, {
    sha256: body.needsSha256,
    checksum: upload.checksumAlgorithm ?? body.checksumAlgorithm,
  });
  deps.metrics.bytesIn.inc(written.digests.size);
  const part = await storePart(deps, upload, partNumber, written);
  const checksum =
    part.checksum ??
    (body.checksumAlgorithm && written.digests.checksum
      ? { algorithm: body.checksumAlgorithm, value: written.digests.checksum.toString('base64'), type: 'FULL_OBJECT' as const }
      : null);
  const headers = checksumResponseHeaders(checksum);
  delete headers['x-amz-checksum-type'];
  sendEmpty(ctx, 200, { etag: part.etag, ...headers });
}

export function handleUploadPartCopy(deps: S3Deps, ctx: RequestContext): Promise<void> {
  return deps.bucketWrites.during(ctx.bucket!.id, () => uploadPartCopy(deps, ctx));
}

async function uploadPartCopy(deps: S3Deps, ctx: RequestContext): Promise<void> {
  const partNumber = partNumberParam(ctx);
  const upload = await loadUpload(deps, ctx);
  const source = await loadCopySource(deps, ctx);
  let start = 0;
  let end = source.size - 1;
  const rangeHeader = header(ctx, 'x-amz-copy-source-range');
  if (rangeHeader !== undefined) {
    const r = parseRange(rangeHeader, source.size);
    const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
    // Unlike GET, a copy range must be explicit and lie inside the source.
    if (!m || r === null || r === 'unsatisfiable' || Number(m[2]) >= source.size) {
      throw new S3Error('InvalidArgument', {
        message: `Range specified is not valid for source object of size: ${source.size}`,
        extra: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: rangeHeader },
      });
    }
    start = r.start;
    end = r.end;
  }
  if (end - start + 1 > MAX_PART_SIZE) throw new S3Error('EntityTooLarge');
  const written = await writeBody(
    deps.chunks,
    { stream: readObjectRange(deps.chunks, source.chunks, start, end), declaredLength: end - start + 1, verify: () => undefined },
    { sha256: false, checksum: upload.checksumAlgorithm },
  );
  const part = await storePart(deps, upload, partNumber, written);
  sendXml(
    ctx,
    200,
    el(
      'CopyPartResult',
      [
        el('ETag', part.etag),
        el('LastModified', isoDate(part.lastModified)),
        ...(part.checksum ? [el(`Checksum${part.checksum.algorithm}`, part.checksum.value)] : []),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

function normalizeEtag(e: string): string {
  const t = e.trim();
  return t.startsWith('"') ? t : `"${t}"`;
}

export async function handleCompleteMultipartUpload(deps: S3Deps, ctx: RequestContext): Promise<void> {
  const upload = await loadUpload(deps, ctx);
  const body = await readSmallBody(ctx, 2 * 1024 * 1024);
  const doc = parseXmlBody(body.toString('utf8'), 'CompleteMultipartUpload');
  const requested = listOf(doc, 'Part').map((p) => {
    const n = textOf(p, 'PartNumber');
    const etag = textOf(p, 'ETag');
    if (n === undefined || etag === undefined || !/^\d{1,5}$/.test(n.trim())) throw new S3Error('MalformedXML');
    return { partNumber: Number(n.trim()), etag: normalizeEtag(etag), node: p };
  });
  if (requested.length === 0)
    throw new S3Error('MalformedXML', {
      message: 'The XML you provided was not well-formed or did not validate against our published schema: no parts listed',
    });
  for (let i = 1; i < requested.length; i++) {
    if (requested[i]!.partNumber <= requested[i - 1]!.partNumber)
      throw new S3Error('InvalidPartOrder', { extra: { UploadId: upload.uploadId } });
  }
  const stored = new Map<number, PartRecord>();
  for (let after = 0; ;) {
    const batch = await deps.metadata.listParts(upload.uploadId, after, 1000);
    for (const p of batch) stored.set(p.partNumber, p);
    if (batch.length < 1000) break;
    after = batch[batch.length - 1]!.partNumber;
  }
  const parts = requested.map((r, i) => {
    const p = stored.get(r.partNumber);
    if (!p || p.etag !== r.etag)
      throw new S3Error('InvalidPart', { extra: { UploadId: upload.uploadId, PartNumber: r.partNumber, ETag: r.etag } });
    if (i < requested.length - 1 && p.size < MIN_PART_SIZE) {
      throw new S3Error('EntityTooSmall', {
        extra: { UploadId: upload.uploadId, PartNumber: r.partNumber, ProposedSize: p.size, MinSizeAllowed: MIN_PART_SIZE, ETag: p.etag },
      });
    }
    if (p.checksum) {
      const given = textOf(r.node, `Checksum${p.checksum.algorithm}`);
      if (given !== undefined && given !== p.checksum.value) {
        throw new S3Error('InvalidPart', {
          message: `The checksum of part ${r.partNumber} did not match the uploaded part.`,
          extra: { UploadId: upload.uploadId, PartNumber: r.partNumber },
        });
      }
    }
    return p;
  });
  await checkWriteConditions(deps, ctx, upload.bucketId, upload.key);

  const md5 = createHash('md5');
  for (const p of parts) md5.update(Buffer.from(p.etag.slice(1, -1), 'hex'));
  let checksum: StoredChecksum | null = null;
  const algorithm = upload.checksumAlgorithm;
  if (algorithm && parts.every((p) => p.checksum)) {
    const digests = parts.map((p) => Buffer.from(p.checksum!.value, 'base64'));
    checksum =
      upload.checksumType === 'FULL_OBJECT' && isCrcAlgorithm(algorithm)
        ? {
            algorithm,
            value: combineCrcParts(
              algorithm,
              parts.map((p, i) => ({ checksum: digests[i]!, size: p.size })),
            ).toString('base64'),
            type: 'FULL_OBJECT',
          }
        : { algorithm, value: compositeChecksum(algorithm, digests), type: 'COMPOSITE' };
  }
  const record: ObjectRecord = {
    bucketId: upload.bucketId,
    key: upload.key,
    size: parts.reduce((s, p) => s + p.size, 0),
    etag: `"${md5.digest('hex')}-${parts.length}"`,
    lastModified: new Date(),
    owner: upload.owner,
    headers: upload.headers,
    userMetadata: upload.userMetadata,
    checksum,
    acl: upload.acl,
    storageClass: upload.storageClass,
    chunks: parts.filter((p) => p.size > 0).map((p) => p.chunk),
    parts: parts.map((p) => ({ partNumber: p.partNumber, size: p.size, etag: p.etag })),
  };
  if ((await deps.metadata.completeUpload(upload.uploadId, record)) === 'no-upload') {
    throw new S3Error('NoSuchUpload', { extra: { UploadId: upload.uploadId } });
  }
  const host = ctx.req.headers.host ?? 'localhost';
  sendXml(
    ctx,
    200,
    el(
      'CompleteMultipartUploadResult',
      [
        el(
          'Location',
          `${ctx.secure ? 'https' : 'http'}://${host}/${encodeURIComponent(ctx.bucket!.name)}/${upload.key.split('/').map(encodeURIComponent).join('/')}`,
        ),
        el('Bucket', ctx.bucket!.name),
        el('Key', upload.key),
        el('ETag', record.etag),
        ...checksumElements(checksum),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

export async function handleAbortMultipartUpload(deps: S3Deps, ctx: RequestContext): Promise<void> {
  const upload = await loadUpload(deps, ctx);
  if ((await deps.metadata.abortUpload(upload.uploadId)) === 'no-upload') {
    throw new S3Error('NoSuchUpload', { extra: { UploadId: upload.uploadId } });
  }
  sendEmpty(ctx, 204);
}

export async function handleListParts(deps: S3Deps, ctx: RequestContext): Promise<void> {
  const upload = await loadUpload(deps, ctx);
  const markerRaw = queryParam(ctx.target!, 'part-number-marker') ?? '0';
  if (!/^\d+$/.test(markerRaw))
    throw new S3Error('InvalidArgument', {
      message: 'Invalid part number marker',
      extra: { ArgumentName: 'part-number-marker', ArgumentValue: markerRaw },
    });
  const marker = Number(markerRaw);
  const maxParts = maxParam(ctx, 'max-parts');
  const parts = await deps.metadata.listParts(upload.uploadId, marker, maxParts + 1);
  const truncated = parts.length > maxParts;
  const shown = parts.slice(0, maxParts);
  sendXml(
    ctx,
    200,
    el(
      'ListPartsResult',
      [
        el('Bucket', ctx.bucket!.name),
        el('Key', upload.key),
        el('UploadId', upload.uploadId),
        ...ownerNodes(upload.owner),
        el('StorageClass', upload.storageClass),
        el('PartNumberMarker', marker),
        el('NextPartNumberMarker', shown.length > 0 ? shown[shown.length - 1]!.partNumber : marker),
        el('MaxParts', maxParts),
        el('IsTruncated', truncated),
        upload.checksumAlgorithm ? el('ChecksumAlgorithm', upload.checksumAlgorithm) : null,
        upload.checksumType ? el('ChecksumType', upload.checksumType) : null,
        ...shown.map((p) =>
          el('Part', [
            el('PartNumber', p.partNumber),
            el('LastModified', isoDate(p.lastModified)),
            el('ETag', p.etag),
            el('Size', p.size),
            p.checksum ? el(`Checksum${p.checksum.algorithm}`, p.checksum.value) : null,
          ]),
        ),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

export async function handleListMultipartUploads(deps: S3Deps, ctx: RequestContext): Promise<void> {
  const t = ctx.target!;
  const enc = urlEncoder(ctx);
  const prefix = queryParam(t, 'prefix') ?? '';
  const delimiter = queryParam(t, 'delimiter') ?? '';
  const keyMarker = queryParam(t, 'key-marker') ?? '';
  const uploadIdMarker = keyMarker === '' ? '' : (queryParam(t, 'upload-id-marker') ?? '');
  // Without an upload-id-marker, AWS lists only keys after key-marker: start past every upload id of that key.
  const scanIdMarker = keyMarker !== '' && uploadIdMarker === '' ? '\u{10FFFF}' : uploadIdMarker;
  const maxUploads = maxParam(ctx, 'max-uploads');
  const uploads: UploadRecord[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let next = { key: keyMarker, uploadId: scanIdMarker };
  scan: for (;;) {
    const batch = await deps.metadata.listUploads(ctx.bucket!.id, {
      prefix,
      keyMarker: next.key,
      uploadIdMarker: next.uploadId,
      limit: 1000,
    });
    for (const u of batch) {
      next = { key: u.key, uploadId: u.uploadId };
      const i = delimiter === '' ? -1 : u.key.indexOf(delimiter, prefix.length);
      const cp = i === -1 ? null : u.key.slice(0, i + delimiter.length);
      if (cp !== null && prefixes[prefixes.length - 1] === cp) continue;
      if (uploads.length + prefixes.length === maxUploads) {
        truncated = true;
        break scan;
      }
      if (cp !== null) prefixes.push(cp);
      else uploads.push(u);
    }
    if (batch.length < 1000) break;
  }
  const last = uploads[uploads.length - 1];
  sendXml(
    ctx,
    200,
    el(
      'ListMultipartUploadsResult',
      [
        el('Bucket', ctx.bucket!.name),
        el('KeyMarker', enc(keyMarker)),
        el('UploadIdMarker', uploadIdMarker),
        el('NextKeyMarker', truncated && last ? enc(last.key) : ''),
        el('NextUploadIdMarker', truncated && last ? last.uploadId : ''),
        delimiter !== '' ? el('Delimiter', enc(delimiter)) : null,
        el('Prefix', enc(prefix)),
        el('MaxUploads', maxUploads),
        el('IsTruncated', truncated),
        queryParam(t, 'encoding-type') !== undefined ? el('EncodingType', 'url') : null,
        ...uploads.map((u) =>
          el('Upload', [
            el('Key', enc(u.key)),
            el('UploadId', u.uploadId),
            ...ownerNodes(u.owner),
            el('StorageClass', u.storageClass),
            el('Initiated', isoDate(u.initiated)),
            u.checksumAlgorithm ? el('ChecksumAlgorithm', u.checksumAlgorithm) : null,
            u.checksumType ? el('ChecksumType', u.checksumType) : null,
          ]),
        ),
        ...prefixes.map((p) => el('CommonPrefixes', [el('Prefix', enc(p))])),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}
