import type { MetadataStore, ObjectRecord } from '../metadata/types.js';

export interface ListPage {
  objects: ObjectRecord[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: the marker for the next page. */
  nextMarker: string | null;
}

export interface ListOptions {
  prefix: string;
  delimiter: string;
  /** Start strictly after this key. */
  startAfter: string;
  maxKeys: number;
}

const BATCH = 1000;

/**
 * ListObjects semantics over the store's sorted scan: keys under `prefix`, rolled up into
 * common prefixes at the first `delimiter` after the prefix; keys and prefixes together
 * count against maxKeys.
 */
export async function listObjectsPage(store: MetadataStore, bucketId: string, options: ListOptions): Promise<ListPage> {
  const { prefix, delimiter, maxKeys } = options;
  const page: ListPage = { objects: [], commonPrefixes: [], isTruncated: false, nextMarker: null };
  if (maxKeys === 0) return page;
  let after = options.startAfter;
  // A marker inside a common prefix means that prefix was already returned.
  if (delimiter !== '' && after.startsWith(prefix)) {
    const i = after.indexOf(delimiter, prefix.length);
    if (i !== -1) after = skipPast(after.slice(0, i + delimiter.length));
  }
  for (;;) {
    // Only as many rows as could still fit (+1 to learn whether the page is truncated).
    const limit = Math.min(BATCH, maxKeys - page.objects.length - page.commonPrefixes.length + 1);
    const batch = await store.listObjects(bucketId, { prefix, startAfter: after, limit });
    for (const obj of batch) {
      after = obj.key;
      let cp: string | null = null;
      if (delimiter !== '') {
        const i = obj.key.indexOf(delimiter, prefix.length);
        if (i !== -1) cp = obj.key.slice(0, i + delimiter.length);
      }
      if (page.objects.length + page.commonPrefixes.length === maxKeys) {
        page.isTruncated = true;
        return page;
      }
      if (cp !== null) {
        page.commonPrefixes.push(cp);
        page.nextMarker = cp;
        // Jump over every other key under this common prefix instead of reading them.
        after = skipPast(cp);
        break;
      }
      page.objects.push(obj);
      page.nextMarker = obj.key;
    }
    if (batch.length === 0) return page;
    if (batch.length < limit && after === batch[batch.length - 1]!.key) return page;
  }
}

/** A string that sorts after every key starting with `p` (U+10FFFF is the largest code point). */
function skipPast(p: string): string {
  return `${p}\u{10FFFF}\u{10FFFF}\u{10FFFF}\u{10FFFF}`;
}
