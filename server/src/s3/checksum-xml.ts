/** A stored checksum as S3 shows it: response headers, or elements of a result document. */
import type { OutgoingHttpHeaders } from 'node:http';
import type { StoredChecksum } from '../metadata/types.js';
import { checksumHeaderName } from '../util/checksums.js';
import { el, type XmlChild } from './xml.js';

export function checksumResponseHeaders(checksum: StoredChecksum | null): OutgoingHttpHeaders {
  if (!checksum) return {};
  return { [checksumHeaderName(checksum.algorithm)]: checksum.value, 'x-amz-checksum-type': checksum.type };
}

export function checksumElements(checksum: StoredChecksum | null): XmlChild[] {
  if (!checksum) return [];
  return [el(`Checksum${checksum.algorithm}`, checksum.value), el('ChecksumType', checksum.type)];
}
