import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { maxParam, urlEncoder } from '../list-params.js';
import { ownerNode } from '../owner-xml.js';
import { xmlResult, type S3Result } from '../result.js';
import { el, isoDate, S3_XMLNS, type XmlChild } from '../xml.js';
import { queryParam } from '../../http/target.js';
import { listObjectsPage } from '../../model/listing.js';
import type { ObjectRecord } from '../../metadata/types.js';

function contents(o: ObjectRecord, enc: (s: string) => string, withOwner: boolean): XmlChild {
  return el('Contents', [
    el('Key', enc(o.key)),
    el('LastModified', isoDate(o.lastModified)),
    el('ETag', o.etag),
    o.checksum ? el('ChecksumAlgorithm', o.checksum.algorithm) : null,
    o.checksum ? el('ChecksumType', o.checksum.type) : null,
    el('Size', o.size),
    withOwner ? ownerNode(o.owner) : null,
    el('StorageClass', o.storageClass),
  ]);
}

export async function handleListObjects(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const t = ctx.target!;
  const enc = urlEncoder(ctx);
  const prefix = queryParam(t, 'prefix') ?? '';
  const delimiter = queryParam(t, 'delimiter') ?? '';
  const marker = queryParam(t, 'marker') ?? '';
  const maxKeys = maxParam(ctx, 'max-keys');
  const page = await listObjectsPage(deps.metadata, ctx.bucket!.id, { prefix, delimiter, startAfter: marker, maxKeys });
  const encoded = queryParam(t, 'encoding-type') !== undefined;
  return xmlResult(
    el(
      'ListBucketResult',
      [
        el('Name', ctx.bucket!.name),
        el('Prefix', enc(prefix)),
        el('Marker', enc(marker)),
        el('MaxKeys', maxKeys),
        delimiter !== '' ? el('Delimiter', enc(delimiter)) : null,
        el('IsTruncated', page.isTruncated),
        // AWS sends NextMarker only with a delimiter; without one clients use the last key.
        page.isTruncated && delimiter !== '' && page.nextMarker !== null ? el('NextMarker', enc(page.nextMarker)) : null,
        encoded ? el('EncodingType', 'url') : null,
        ...page.objects.map((o) => contents(o, enc, true)),
        ...page.commonPrefixes.map((p) => el('CommonPrefixes', [el('Prefix', enc(p))])),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

export async function handleListObjectsV2(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const t = ctx.target!;
  const enc = urlEncoder(ctx);
  const prefix = queryParam(t, 'prefix') ?? '';
  const delimiter = queryParam(t, 'delimiter') ?? '';
  const token = queryParam(t, 'continuation-token');
  const startAfter = queryParam(t, 'start-after') ?? '';
  const fetchOwner = queryParam(t, 'fetch-owner') === 'true';
  const maxKeys = maxParam(ctx, 'max-keys');
  let after = startAfter;
  // An empty token lists from the start (and is echoed), as AWS does: SDK paginators send one.
  if (token !== undefined && token !== '') {
    const decoded = decodeToken(token);
    if (decoded === null)
      throw new S3Error('InvalidArgument', {
        message: 'The continuation token provided is incorrect',
        extra: { ArgumentName: 'continuation-token' },
      });
    after = decoded > startAfter ? decoded : startAfter;
  }
  const page = await listObjectsPage(deps.metadata, ctx.bucket!.id, { prefix, delimiter, startAfter: after, maxKeys });
  const encoded = queryParam(t, 'encoding-type') !== undefined;
  return xmlResult(
    el(
      'ListBucketResult',
      [
        el('Name', ctx.bucket!.name),
        el('Prefix', enc(prefix)),
        el('MaxKeys', maxKeys),
        delimiter !== '' ? el('Delimiter', enc(delimiter)) : null,
        el('IsTruncated', page.isTruncated),
        token !== undefined ? el('ContinuationToken', token) : null,
        page.isTruncated && page.nextMarker !== null ? el('NextContinuationToken', encodeToken(page.nextMarker)) : null,
        startAfter !== '' ? el('StartAfter', enc(startAfter)) : null,
        el('KeyCount', page.objects.length + page.commonPrefixes.length),
        encoded ? el('EncodingType', 'url') : null,
        ...page.objects.map((o) => contents(o, enc, fetchOwner)),
        ...page.commonPrefixes.map((p) => el('CommonPrefixes', [el('Prefix', enc(p))])),
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

/** Continuation tokens are opaque to clients: the last key, versioned and base64url-encoded. */
function encodeToken(lastKey: string): string {
  return Buffer.from(`1:${lastKey}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): string | null {
  const s = Buffer.from(token, 'base64url').toString('utf8');
  return s.startsWith('1:') ? s.slice(2) : null;
}
