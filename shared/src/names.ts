/**
 * Bucket-name and object-key rules, shared by the server (which enforces them) and the
 * CLI (which checks arguments before a round trip). Rules from AWS's bucket naming page.
 */

/** Returns why `name` is not a valid bucket name, or null when it is valid. */
export function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return 'must be between 3 and 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (name.includes('.-') || name.includes('-.')) return 'must not contain a dot next to a hyphen';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) {
    if (name.startsWith(prefix)) return `must not start with "${prefix}"`;
  }
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) {
    if (name.endsWith(suffix)) return `must not end with "${suffix}"`;
  }
  return null;
}

export const MAX_KEY_BYTES = 1024;

/** Returns the UTF-8 length of a key, for the 1024-byte limit. */
export function keyByteLength(key: string): number {
  return Buffer.byteLength(key, 'utf8');
}
