import { percentDecode, uriEncode } from './uri-encode.js';

export interface CanonicalUriOptions {
  /**
   * Remove "." and ".." segments and empty segments, as non-S3 services do. S3 never
   * normalizes ("//", "/./" and "/../" are part of the key), so this defaults to false
   * and exists only to run the AWS suite's normalize-path cases.
   */
  normalize?: boolean;
}

/**
 * The canonical URI from the path exactly as on the request line: percent-decode to bytes,
 * then encode once with the SigV4 encoder, keeping "/". Never goes through `new URL()`,
 * which would resolve dot segments.
 */
export function canonicalUri(rawPath: string, options: CanonicalUriOptions = {}): string {
  const path = rawPath === '' ? '/' : rawPath;
  const encoded = uriEncode(percentDecode(path), false);
  return options.normalize === true ? normalizePath(encoded) : encoded;
}

/** RFC 3986 dot-segment removal plus collapsing of repeated slashes (non-S3 services). */
export function normalizePath(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const last = segments[segments.length - 1];
  const trailingSlash = out.length > 0 && (last === '' || last === '.' || last === '..');
  return `/${out.join('/')}${trailingSlash ? '/' : ''}`;
}
