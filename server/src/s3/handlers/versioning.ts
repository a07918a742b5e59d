/** Bucket versioning (Put/GetBucketVersioning) and ListObjectVersions. */
import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { el, isoDate, S3_XMLNS } from '../xml.js';
import { parseXmlBody, textOf } from '../../util/xml-parse.js';
import { readSmallBody } from '../body.js';
import { queryParam } from '../../http/target.js';
import { maxParam, urlEncoder } from '../list-params.js';
import { ownerNode } from '../owner-xml.js';
import { listVersionsPage, entryKey } from '../../model/version-listing.js';
import { isWellFormedVersionId } from '../../model/versioning.js';
import type { BucketRecord, ObjectRecord } from '../../metadata/types.js';

/** x-amz-version-id for a response about `record`: only once the bucket has had versioning on, as AWS does. */
export function versionIdHeader(bucket: BucketRecord, versionId: string | null | undefined): Record<string, string> {
  if ((bucket.versioning ?? 'Unversioned') === 'Unversioned' || versionId === null) return {};
  return { 'x-amz-version-id': versionId ?? 'null' };
}

export function objectVersionHeader(bucket: BucketRecord, record: ObjectRecord): Record<string, string> {
  return versionIdHeader(bucket, record.versionId ?? 'null');
}

export async function handlePutBucketVersioning(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const doc = parseXmlBody((await readSmallBody(ctx, 64 * 1024)).toString('utf8'), 'VersioningConfiguration');
  const status = textOf(doc, 'Status');
  const mfa = textOf(doc, 'MfaDelete') ?? textOf(doc, 'MFADelete');
  if (mfa !== undefined && mfa !== 'Enabled' && mfa !== 'Disabled') throw new S3Error('MalformedXML');
  if (mfa === 'Enabled') throw new S3Error('NotImplemented', { message: 'MFA Delete is not implemented by this server.' });
  if (status === undefined) {
    // AWS accepts a configuration without Status and changes nothing.
    return emptyResult(200);
  }
  if (status !== 'Enabled' && status !== 'Suspended') throw new S3Error('MalformedXML');
  await deps.objects.setVersioning(ctx.bucket!, status);
  deps.audit.write(ctx, 'bucket.versioning.set', { bucket: ctx.bucket!.name, status });
  return emptyResult(200);
}

export async function handleGetBucketVersioning(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const state = ctx.bucket!.versioning ?? 'Unversioned';
  // A bucket that never had versioning on answers an empty configuration, as AWS does.
  return xmlResult(el('VersioningConfiguration', state === 'Unversioned' ? undefined : [el('Status', state)], { xmlns: S3_XMLNS }));
}

export async function handleListObjectVersions(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const t = ctx.target!;
  const enc = urlEncoder(ctx);
  const prefix = queryParam(t, 'prefix') ?? '';
  const delimiter = queryParam(t, 'delimiter') ?? '';
  const keyMarker = queryParam(t, 'key-marker') ?? '';
  const versionIdMarker = queryParam(t, 'version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '') {
    throw new S3Error('InvalidArgument', {
      message: 'A version-id marker cannot be specified without a key marker.',
      extra: { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker },
    });
  }
  if (versionIdMarker !== '' && !isWellFormedVersionId(versionIdMarker)) {
    throw new S3Error('InvalidArgument', {
      message: 'Invalid version id specified',
      extra: { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker.slice(0, 256) },
    });
  }
  const maxKeys = maxParam(ctx, 'max-keys');
  const page = await listVersionsPage(deps.metadata, ctx.bucket!.id, { prefix, delimiter, keyMarker, versionIdMarker, maxKeys });
  const encoded = queryParam(t, 'encoding-type') !== undefined;
  const entries = page.entries.map((e) => {
    if (e.type === 'marker') {
      const m = e.marker;
      return el('DeleteMarker', [
        el('Key', enc(m.key)),
        el('VersionId', m.versionId),
        el('IsLatest', e.isLatest),
        el('LastModified', isoDate(m.lastModified)),
        ownerNode(m.owner),
      ]);
    }
    const o = e.object;
    return el('Version', [
      el('Key', enc(entryKey(e))),
      el('VersionId', o.versionId ?? 'null'),
      el('IsLatest', e.isLatest),
      el('LastModified', isoDate(o.lastModified)),
      el('ETag', o.etag),
      o.checksum ? el('ChecksumAlgorithm', o.checksum.algorithm) : null,
      o.checksum ? el('ChecksumType', o.checksum.type) : null,
      el('Size', o.size),
      el('StorageClass', o.storageClass),
      ownerNode(o.owner),
    ]);
  });
  return xmlResult(
    el(
      'ListVersionsResult',
      [
        el('Name', ctx.bucket!.name),
        el('Prefix', enc(prefix)),
        el('KeyMarker', enc(keyMarker)),
        el('VersionIdMarker', versionIdMarker),
        page.isTruncated && page.nextKeyMarker !== null ? el('NextKeyMarker', enc(page.nextKeyMarker)) : null,
        page.isTruncated && page.nextVersionIdMarker !== null ? el('NextVersionIdMarker', page.nextVersionIdMarker) : null,
        el('MaxKeys', maxKeys),
        delimiter !== '' ? el('Delimiter', enc(delimiter)) : null,
        el('IsTruncated', page.isTruncated),
        encoded ? el('EncodingType', 'url') : null,
        ...entries,
        ...page.commonPrefixes.map((p) => el('CommonPrefixes', [el('Prefix', enc(p))])),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}
