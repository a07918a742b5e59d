/** Version-history helpers both metadata backends share. */
import type { LockState, ObjectRecord, VersionEntry, VersionPatch } from './types.js';

/** True when the version's lock state is exactly `expect` (the compare of a compare-and-swap). */
export function sameLock(object: ObjectRecord, expect: LockState): boolean {
  const a = object.retention ?? null;
  const b = expect.retention;
  const sameRetention = a === null || b === null ? a === b : a.mode === b.mode && a.retainUntil.getTime() === b.retainUntil.getTime();
  return sameRetention && (object.legalHold === true) === expect.legalHold;
}

/** A history entry as listings return it: without an inline body (as listObjects leaves it out). */
export function listedEntry(entry: VersionEntry): VersionEntry {
  if (entry.type !== 'object' || !entry.object.inline) return entry;
  const { inline: _body, ...object } = entry.object;
  return { ...entry, object };
}

const keyOf = (e: VersionEntry) => (e.type === 'object' ? e.object.key : e.marker.key);

/** Binary UTF-8 order, S3's listing order. */
function compareKeys(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * One page of ListObjectVersions from its sources, each already in order: `rest` (older
 * versions of the key marker, after the version marker), then current versions and history
 * rows of later keys, merged by key with a key's current version (always its newest)
 * first. Each source holds at most `limit` rows, which is enough for the first `limit` of
 * the merge. The first entry of each key after the marker is its latest.
 */
export function mergeVersions(
  _keyMarker: string,
  rest: VersionEntry[],
  current: VersionEntry[],
  history: VersionEntry[],
  limit: number,
): VersionEntry[] {
  const out: VersionEntry[] = rest.map((e) => ({ ...e, isLatest: false }));
  let i = 0;
  let j = 0;
  let lastKey: string | null = null;
  while (out.length < limit && (i < current.length || j < history.length)) {
    const c = current[i];
    const h = history[j];
    let next: VersionEntry;
    if (c !== undefined && (h === undefined || compareKeys(keyOf(c), keyOf(h)) <= 0)) {
      next = c;
      i++;
    } else {
      next = h!;
      j++;
    }
    const key = keyOf(next);
    out.push({ ...next, isLatest: key !== lastKey });
    lastKey = key;
  }
  return out.slice(0, limit);
}

/** A non-current version's record with `patch` applied (the current row takes it column by column). */
export function patchedRecord(record: ObjectRecord, patch: VersionPatch): ObjectRecord {
  const { sealedTags, ...plain } = patch;
  const out: ObjectRecord = { ...record, ...plain };
  if (sealedTags !== undefined && record.encryption) {
    const encryption = { ...record.encryption };
    if (sealedTags === null) delete encryption.sealedTags;
    else encryption.sealedTags = sealedTags;
    out.encryption = encryption;
    out.tags = [];
  }
  return out;
}
