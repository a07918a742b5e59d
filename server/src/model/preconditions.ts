/**
 * Conditional requests as plain values: the If-* headers of a read or a copy source
 * (checkPreconditions) and of a write (checkWriteConditions). Failures are ModelErrors.
 */
import type { ObjectRecord } from '../metadata/types.js';
import { ModelError } from './errors.js';

/** If-* request headers, or the x-amz-copy-source-if-* ones of a copy. */
export interface Preconditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

/** If-None-Match: * (create only) and If-Match (replace only that version) on a write. */
export interface WriteConditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
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
 * If-None-Match beats If-Modified-Since. `read` selects NotModified (GET/HEAD) over
 * PreconditionFailed for the none-match/modified-since failures; copies always fail.
 */
export function checkPreconditions(p: Preconditions, obj: ObjectRecord, read: boolean): void {
  const lastModified = Math.floor(obj.lastModified.getTime() / 1000) * 1000;
  if (p.ifMatch !== undefined) {
    if (!etagListMatches(p.ifMatch, obj.etag)) throw new ModelError('PreconditionFailed', { condition: 'If-Match' });
  } else {
    const t = parseHttpDate(p.ifUnmodifiedSince);
    if (t !== null && lastModified > t) throw new ModelError('PreconditionFailed', { condition: 'If-Unmodified-Since' });
  }
  const notModified = () =>
    read
      ? new ModelError('NotModified', { etag: obj.etag, lastModified: obj.lastModified })
      : new ModelError('PreconditionFailed', { condition: 'If-None-Match' });
  if (p.ifNoneMatch !== undefined) {
    if (etagListMatches(p.ifNoneMatch, obj.etag)) throw notModified();
  } else {
    const t = parseHttpDate(p.ifModifiedSince);
    if (t !== null && lastModified <= t) throw notModified();
  }
}

/** Whether a write may replace `existing` (null: the key is free). */
export function checkWriteConditions(c: WriteConditions, key: string, existing: ObjectRecord | null): void {
  if (c.ifNoneMatch !== undefined) {
    if (c.ifNoneMatch.trim() !== '*') throw new ModelError('UnsupportedCondition', { condition: 'If-None-Match' });
    if (existing) throw new ModelError('PreconditionFailed', { condition: 'If-None-Match' });
  }
  if (c.ifMatch !== undefined) {
    if (!existing) throw new ModelError('NoSuchKey', { key });
    const want = c.ifMatch.trim();
    if (want !== existing.etag && `"${want}"` !== existing.etag) throw new ModelError('PreconditionFailed', { condition: 'If-Match' });
  }
}

export function hasWriteConditions(c: WriteConditions): boolean {
  return c.ifMatch !== undefined || c.ifNoneMatch !== undefined;
}
