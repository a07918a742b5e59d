import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { el, isoDate, S3_XMLNS } from '../xml.js';
import { listOf, parseXmlBody, textOf } from '../../util/xml-parse.js';
import { openPayload, readSmallBody, ChecksumAlgorithms, MAX_PART_SIZE } from '../body.js';
import { checksumElements, checksumResponseHeaders } from '../checksum-xml.js';
import { maxParam, urlEncoder } from '../list-params.js';
import { initiatorAndOwner } from '../owner-xml.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { queryParam } from '../../http/target.js';
import type { ChecksumAlgorithm, ObjectRecord, UploadRecord } from '../../metadata/types.js';
import { ModelError } from '../../model/errors.js';
import type { CompletedPart } from '../../model/object-service.js';
import { CHECKSUM_ALGORITHMS, isCrcAlgorithm } from '../../util/checksums.js';
import { parseRange } from '../../util/range.js';
import {
  objectHeadersFrom,
  refuseUnsupportedWriteHeaders,
  storageClassFrom,
  userMetadataFrom,
  writeConditionsFrom,
} from './object-fields.js';
import { ownerOf, requestedAcl } from './request-acl.js';
import { loadCopySource } from './copy-source.js';
import { customerKeyFrom, sseRequestFrom, sseResponseHeaders } from './sse.js';
import type { CustomerKey } from '../../model/object-crypto.js';
import { objectVersionHeader } from './versioning.js';
import { requestedLockFrom } from './object-lock.js';

const MAX_PARTS = 10000;

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
function loadUpload(deps: S3Deps, ctx: RequestContext): Promise<UploadRecord> {
  return deps.objects.getUpload(ctx.bucket!, ctx.target!.key!, queryParam(ctx.target!, 'uploadId') ?? '');
}

export async function handleCreateMultipartUpload(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  refuseUnsupportedWriteHeaders(ctx, { objectLock: true });
  const lock = requestedLockFrom(ctx);
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
  const sse = await sseRequestFrom(deps, ctx);
  const upload = await deps.objects.createUpload({
    sse,
    ...(lock ? { lock } : {}),
    bucket,
    key,
    owner,
    headers: objectHeadersFrom(ctx),
    userMetadata: userMetadataFrom(ctx),
    acl: requestedAcl(ctx, owner, bucket.owner, 'object'),
    storageClass: storageClassFrom(ctx),
    checksumAlgorithm: algorithm,
    checksumType: type,
    ...(ctx.requestTags ? { tags: ctx.requestTags } : {}),
  });
  return xmlResult(
    el('InitiateMultipartUploadResult', [el('Bucket', bucket.name), el('Key', key), el('UploadId', upload.uploadId)], { xmlns: S3_XMLNS }),
    {
      ...(algorithm ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type! } : {}),
      ...sseResponseHeaders(upload.encryption, sse?.mode === 'SSE-C' ? sse.customer : null),
    },
  );
}

export async function handleUploadPart(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const partNumber = partNumberParam(ctx);
  const upload = await loadUpload(deps, ctx);
  const customer = customerKeyFrom(deps, ctx);
  const body = openPayload(ctx, MAX_PART_SIZE);
  const { part, checksum } = await deps.objects.uploadPart({ upload, partNumber, body, customer });
  const headers = checksumResponseHeaders(checksum);
  delete headers['x-amz-checksum-type'];
  return emptyResult(200, { etag: part.etag, ...headers, ...sseResponseHeaders(upload.encryption, customer) });
}

export async function handleUploadPartCopy(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const partNumber = partNumberParam(ctx);
  const upload = await loadUpload(deps, ctx);
  const source = await loadCopySource(deps, ctx);
  let start = 0;
  let end = source.size - 1;
  const rangeHeader = header(ctx, 'x-amz-copy-source-range');
  if (rangeHeader !== undefined) {
    const r = parseRange(rangeHeader, source.size);
    const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
    // Unlike GET, a copy range must be explicit (bytes=first-last); a well-formed one that
    // does not lie inside the source is InvalidRange, as S3 answers.
    if (!m || r === null) {
      throw new S3Error('InvalidArgument', {
        message: `Range specified is not valid for source object of size: ${source.size}`,
        extra: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: rangeHeader },
      });
    }
    if (r === 'unsatisfiable' || Number(m[2]) >= source.size) {
      throw new S3Error('InvalidRange', { extra: { ActualObjectSize: String(source.size) } });
    }
    start = r.start;
    end = r.end;
  }
  if (end - start + 1 > MAX_PART_SIZE) throw new S3Error('EntityTooLarge');
  const customer = customerKeyFrom(deps, ctx);
  const sourceCustomer = customerKeyFrom(deps, ctx, true);
  const part = await deps.objects.uploadPartCopy({ upload, partNumber, source, start, end, customer, sourceCustomer });
  return xmlResult(
    el(
      'CopyPartResult',
      [
        el('ETag', part.etag),
        el('LastModified', isoDate(part.lastModified)),
        ...(part.checksum ? [el(`Checksum${part.checksum.algorithm}`, part.checksum.value)] : []),
      ],
      { xmlns: S3_XMLNS },
    ),
    sseResponseHeaders(upload.encryption, customer),
  );
}

function normalizeEtag(e: string): string {
  const t = e.trim();
  return t.startsWith('"') ? t : `"${t}"`;
}

export async function handleCompleteMultipartUpload(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  let upload: UploadRecord;
  try {
    upload = await loadUpload(deps, ctx);
  } catch (err) {
    if (!(err instanceof ModelError && err.code === 'NoSuchUpload')) throw err;
    const earlier = await deps.objects.completedEarlier(ctx.bucket!, ctx.target!.key!, queryParam(ctx.target!, 'uploadId') ?? '');
    if (earlier === null) throw err;
    await readSmallBody(ctx, 2 * 1024 * 1024); // the retry's part list: read, as the first was
    return completeResult(ctx, earlier.key, earlier, customerKeyFrom(deps, ctx));
  }
  // Optional here (the parts are already sealed); a key that is sent must be the upload's.
  const customer = customerKeyFrom(deps, ctx);
  if (customer !== null) await deps.objects.unlockUpload(upload, customer);
  const body = await readSmallBody(ctx, 2 * 1024 * 1024);
  const doc = parseXmlBody(body.toString('utf8'), 'CompleteMultipartUpload');
  const parts: CompletedPart[] = listOf(doc, 'Part').map((p) => {
    const n = textOf(p, 'PartNumber');
    const etag = textOf(p, 'ETag');
    if (n === undefined || etag === undefined || !/^\d{1,5}$/.test(n.trim())) throw new S3Error('MalformedXML');
    const checksums: CompletedPart['checksums'] = {};
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const given = textOf(p, `Checksum${algorithm}`);
      if (given !== undefined) checksums[algorithm] = given;
    }
    return { partNumber: Number(n.trim()), etag: normalizeEtag(etag), checksums };
  });
  if (parts.length === 0)
    throw new S3Error('MalformedXML', {
      message: 'The XML you provided was not well-formed or did not validate against our published schema: no parts listed',
    });
  const { record } = await deps.objects.completeUpload({ bucket: ctx.bucket!, upload, parts, conditions: writeConditionsFrom(ctx) });
  return completeResult(ctx, upload.key, record, customer);
}

/** Complete's answer, also to a retried Complete (the same version, while it is still current). */
function completeResult(ctx: RequestContext, key: string, record: ObjectRecord, customer: CustomerKey | null): S3Result {
  const host = ctx.req.headers.host ?? 'localhost';
  return xmlResult(
    el(
      'CompleteMultipartUploadResult',
      [
        el(
          'Location',
          `${ctx.secure ? 'https' : 'http'}://${host}/${encodeURIComponent(ctx.bucket!.name)}/${key.split('/').map(encodeURIComponent).join('/')}`,
        ),
        el('Bucket', ctx.bucket!.name),
        el('Key', key),
        el('ETag', record.etag),
        ...checksumElements(record.checksum),
      ],
      { xmlns: S3_XMLNS },
    ),
    { ...sseResponseHeaders(record.encryption, customer), ...objectVersionHeader(ctx.bucket!, record) },
  );
}

export async function handleAbortMultipartUpload(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const upload = await loadUpload(deps, ctx);
  await deps.objects.abortUpload(upload);
  return emptyResult(204);
}

export async function handleListParts(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
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
  return xmlResult(
    el(
      'ListPartsResult',
      [
        el('Bucket', ctx.bucket!.name),
        el('Key', upload.key),
        el('UploadId', upload.uploadId),
        ...initiatorAndOwner(upload.owner),
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

export async function handleListMultipartUploads(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
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
  return xmlResult(
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
            ...initiatorAndOwner(u.owner),
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
