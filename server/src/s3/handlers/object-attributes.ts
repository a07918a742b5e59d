/** GetObjectAttributes: the attributes x-amz-object-attributes names, without the object's bytes. */
import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { xmlResult, type S3Result } from '../result.js';
import { el, S3_XMLNS, type XmlChild } from '../xml.js';
import { queryParam } from '../../http/target.js';
import { addressedVersion } from '../version-access.js';
import { requireAction } from './get-object.js';
import { objectVersionHeader } from './versioning.js';

const ATTRIBUTES: ReadonlySet<string> = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);
const MAX_PARTS = 1000;

function nonNegative(ctx: RequestContext, name: string, fallback: number): number {
  const v = header(ctx, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v.trim())) {
    throw new S3Error('InvalidArgument', {
      message: `Invalid ${name} value`,
      extra: { ArgumentName: name, ArgumentValue: v.slice(0, 64) },
    });
  }
  return Number(v.trim());
}

export async function handleGetObjectAttributes(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const raw = header(ctx, 'x-amz-object-attributes');
  const asked = new Set(
    (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
  if (asked.size === 0) {
    throw new S3Error('InvalidArgument', {
      message: 'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty',
      extra: { ArgumentName: 'x-amz-object-attributes', ArgumentValue: '' },
    });
  }
  for (const a of asked) {
    if (!ATTRIBUTES.has(a)) {
      throw new S3Error('InvalidArgument', {
        message: 'Invalid attribute name specified.',
        extra: { ArgumentName: 'x-amz-object-attributes', ArgumentValue: a.slice(0, 64) },
      });
    }
  }
  const obj = await addressedVersion(deps, ctx);
  // AWS: a version by id needs s3:GetObjectVersion as well as s3:GetObjectVersionAttributes.
  if (queryParam(ctx.target!, 'versionId') !== undefined) await requireAction(deps, ctx, 's3:GetObjectVersion', obj);
  const children: XmlChild[] = [];
  // ETag without its quotes, as AWS writes it here.
  if (asked.has('ETag')) children.push(el('ETag', obj.etag.replace(/^"|"$/g, '')));
  if (asked.has('Checksum') && obj.checksum) {
    children.push(el('Checksum', [el(`Checksum${obj.checksum.algorithm}`, obj.checksum.value), el('ChecksumType', obj.checksum.type)]));
  }
  if (asked.has('ObjectParts') && obj.parts !== null) {
    const marker = nonNegative(ctx, 'x-amz-part-number-marker', 0);
    const max = Math.min(nonNegative(ctx, 'x-amz-max-parts', MAX_PARTS), MAX_PARTS);
    const after = obj.parts.filter((p) => p.partNumber > marker);
    const page = after.slice(0, max);
    const truncated = after.length > page.length;
    children.push(
      el('ObjectParts', [
        el('PartsCount', obj.parts.length),
        el('PartNumberMarker', marker),
        el('NextPartNumberMarker', page.length > 0 ? page[page.length - 1]!.partNumber : marker),
        el('MaxParts', max),
        el('IsTruncated', truncated),
        ...page.map((p) =>
          el('Part', [
            el('PartNumber', p.partNumber),
            el('Size', p.size),
            p.checksum ? el(`Checksum${p.checksum.algorithm}`, p.checksum.value) : null,
          ]),
        ),
      ]),
    );
  }
  if (asked.has('StorageClass')) children.push(el('StorageClass', obj.storageClass));
  if (asked.has('ObjectSize')) children.push(el('ObjectSize', obj.size));
  return xmlResult(el('GetObjectAttributesResponse', children, { xmlns: S3_XMLNS }), {
    'last-modified': obj.lastModified.toUTCString(),
    ...objectVersionHeader(ctx.bucket!, obj),
  });
}
