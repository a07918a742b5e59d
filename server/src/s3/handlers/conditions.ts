import { S3Error } from '../errors.js';
import type { ObjectRecord } from '../../metadata/types.js';

/** If-* request headers, or the x-amz-copy-source-if-* ones of a copy. */
export interface Preconditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

function etagListMatches(list: string, etag: string): boolean {
  return list.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === etag || `"${v}"` === etag;
  });
}

function parseHttpDate(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/**
 * RFC 9110 precondition order as S3 applies it: If-Match beats If-Unmodified-Since,
 * If-None-Match beats If-Modified-Since. `read` selects 304 (GET/HEAD) over 412 for
 * the none-match/modified-since failures; copies always answer 412.
 */
export function checkPreconditions(p: Preconditions, obj: ObjectRecord, read: boolean): void {
  const lastModified = Math.floor(obj.lastModified.getTime() / 1000) * 1000;
  const failed = () => new S3Error('PreconditionFailed', { extra: { Condition: 'If-Match' } });
  if (p.ifMatch !== undefined) {
    if (!etagListMatches(p.ifMatch, obj.etag)) throw failed();
  } else {
    const t = parseHttpDate(p.ifUnmodifiedSince);
    if (t !== null && lastModified > t) throw new S3Error('PreconditionFailed', { extra: { Condition: 'If-Unmodified-Since' } });
  }
  const notModified = () =>
    read
      ? new S3Error('NotModified', { headers: { etag: obj.etag, 'last-modified': obj.lastModified.toUTCString() } })
      : new S3Error('PreconditionFailed', { extra: { Condition: 'If-None-Match' } });
  if (p.ifNoneMatch !== undefined) {
    if (etagListMatches(p.ifNoneMatch, obj.etag)) throw notModified();
  } else {
    const t = parseHttpDate(p.ifModifiedSince);
    if (t !== null && lastModified <= t) throw notModified();
  }
}
