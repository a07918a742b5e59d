/** ListObjectVersions semantics over the store's version scan (like listing.ts for ListObjects). */
import type { MetadataStore, VersionEntry } from '../metadata/types.js';

export interface VersionPage {
  entries: VersionEntry[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** For a truncated page: the last key (or common prefix) returned, and the last version id (none after a prefix). */
  nextKeyMarker: string | null;
  nextVersionIdMarker: string | null;
}

export interface VersionListOptions {
  prefix: string;
  delimiter: string;
  keyMarker: string;
  /** Only with keyMarker: versions of keyMarker older than this one come first. */
  versionIdMarker: string;
  maxKeys: number;
}

const BATCH = 1000;

export const entryKey = (e: VersionEntry): string => (e.type === 'object' ? e.object.key : e.marker.key);
export const entryVersionId = (e: VersionEntry): string => (e.type === 'object' ? (e.object.versionId ?? 'null') : e.marker.versionId);
const entrySeq = (e: VersionEntry): number =>
  e.type === 'object' ? (e.object.versionSeq ?? e.object.lastModified.getTime() * 1000) : e.marker.versionSeq;

export async function listVersionsPage(store: MetadataStore, bucketId: string, options: VersionListOptions): Promise<VersionPage> {
  const { prefix, delimiter, maxKeys } = options;
  const page: VersionPage = { entries: [], commonPrefixes: [], isTruncated: false, nextKeyMarker: null, nextVersionIdMarker: null };
  if (maxKeys === 0) return page;
  let keyMarker = options.keyMarker;
  let after: { versionSeq: number; versionId: string } | null = null;
  if (keyMarker !== '' && options.versionIdMarker !== '') {
    const at = await store.getObjectVersion(bucketId, keyMarker, options.versionIdMarker);
    if (at !== null) after = { versionSeq: entrySeq(at), versionId: options.versionIdMarker };
  }
  if (delimiter !== '' && keyMarker.startsWith(prefix)) {
    const i = keyMarker.indexOf(delimiter, prefix.length);
    if (i !== -1) {
      keyMarker = skipPast(keyMarker.slice(0, i + delimiter.length));
      after = null;
    }
  }
  for (;;) {
    const limit = Math.min(BATCH, maxKeys - page.entries.length - page.commonPrefixes.length + 1);
    const batch = await store.listVersions(bucketId, { prefix, keyMarker, after, limit });
    let jumped = false;
    for (const entry of batch) {
      const key = entryKey(entry);
      let cp: string | null = null;
      if (delimiter !== '') {
        const i = key.indexOf(delimiter, prefix.length);
        if (i !== -1) cp = key.slice(0, i + delimiter.length);
      }
      if (page.entries.length + page.commonPrefixes.length === maxKeys) {
        page.isTruncated = true;
        return page;
      }
      if (cp !== null) {
        page.commonPrefixes.push(cp);
        page.nextKeyMarker = cp;
        page.nextVersionIdMarker = null;
        keyMarker = skipPast(cp);
        after = null;
        jumped = true;
        break;
      }
      page.entries.push(entry);
      page.nextKeyMarker = key;
      page.nextVersionIdMarker = entryVersionId(entry);
      keyMarker = key;
      after = { versionSeq: entrySeq(entry), versionId: entryVersionId(entry) };
    }
    if (batch.length === 0) return page;
    if (batch.length < limit && !jumped) return page;
  }
}

function skipPast(p: string): string {
  return `${p}\u{10FFFF}\u{10FFFF}\u{10FFFF}\u{10FFFF}`;
}
