import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { ObjectHeaders } from '../../metadata/types.js';
import type { WriteConditions } from '../../model/preconditions.js';

export const STORAGE_CLASSES: ReadonlySet<string> = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'OUTPOSTS',
  'SNOW',
  'EXPRESS_ONEZONE',
]);
/** AWS's limit on user metadata: names and values together, in bytes. */
const MAX_USER_METADATA = 2048;

/** Content-Type and friends as stored; aws-chunked is transfer framing, not content coding. */
export function objectHeadersFrom(ctx: RequestContext): ObjectHeaders {
  const out: ObjectHeaders = {};
  const type = header(ctx, 'content-type');
  if (type !== undefined && type !== '') out.contentType = type;
  const encoding = header(ctx, 'content-encoding')
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked')
    .join(', ');
  if (encoding) out.contentEncoding = encoding;
  const disposition = header(ctx, 'content-disposition');
  if (disposition !== undefined) out.contentDisposition = disposition;
  const language = header(ctx, 'content-language');
  if (language !== undefined) out.contentLanguage = language;
  const cache = header(ctx, 'cache-control');
  if (cache !== undefined) out.cacheControl = cache;
  const expires = header(ctx, 'expires');
  if (expires !== undefined) out.expires = expires;
  return out;
}

/** x-amz-meta-* headers, names lowercased without the prefix; over 2 KB → MetadataTooLarge. */
export function userMetadataFrom(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!name.startsWith('x-amz-meta-')) continue;
    const key = name.slice('x-amz-meta-'.length);
    const value = raw[i + 1]!;
    out[key] = key in out ? `${out[key]},${value}` : value;
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > MAX_USER_METADATA) {
    throw new S3Error('MetadataTooLarge', { extra: { Size: size, MaxSizeAllowed: MAX_USER_METADATA } });
  }
  return out;
}

export function storageClassFrom(ctx: RequestContext): string {
  const sc = header(ctx, 'x-amz-storage-class');
  if (sc === undefined || sc === '') return 'STANDARD';
  if (!STORAGE_CLASSES.has(sc)) throw new S3Error('InvalidStorageClass', { extra: { StorageClassRequested: sc } });
  return sc;
}

/** Features that would change what is stored; accepting them silently would be a wrong success. */
export function refuseUnsupportedWriteHeaders(ctx: RequestContext, options: { objectLock?: boolean } = {}): void {
  const lock =
    options.objectLock === true ? [] : ['x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date', 'x-amz-object-lock-legal-hold'];
  for (const name of [...lock, 'x-amz-website-redirect-location']) {
    if (header(ctx, name) !== undefined) {
      throw new S3Error('NotImplemented', { message: `The ${name} header is not implemented by this server.` });
    }
  }
}

/** If-Match / If-None-Match of a write, as the model evaluates them. */
export function writeConditionsFrom(ctx: RequestContext): WriteConditions {
  return { ifMatch: header(ctx, 'if-match'), ifNoneMatch: header(ctx, 'if-none-match') };
}
