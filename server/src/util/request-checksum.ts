/**
 * The request's integrity headers (Content-MD5, x-amz-checksum-*, x-amz-sdk-checksum-algorithm,
 * x-amz-trailer) read into one typed value, and the end-of-body check of every digest.
 */
import { ChecksumError } from './checksum-errors.js';
import type { ChecksumAlgorithm } from '../metadata/types.js';
import { CHECKSUM_ALGORITHMS, CHECKSUM_LENGTHS, checksumHeaderName, type BodyDigests } from './checksums.js';

/** Headers as node gives them (req.headers): lowercased names. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface RequestIntegrity {
  /** Content-MD5 as 16 bytes, or null. */
  contentMd5: Buffer | null;
  /** The checksum algorithm the client chose (header, trailer or x-amz-sdk-checksum-algorithm), or null. */
  checksumAlgorithm: ChecksumAlgorithm | null;
  /** The digest from an x-amz-checksum-* header; null when it comes in a trailer or not at all. */
  checksumValue: Buffer | null;
  /** The x-amz-checksum-* name declared in x-amz-trailer (lowercase), or null. */
  trailer: string | null;
}

const BY_HEADER = new Map<string, ChecksumAlgorithm>(CHECKSUM_ALGORITHMS.map((a) => [checksumHeaderName(a), a]));

/** The algorithm named by an x-amz-checksum-* header name (any case), or undefined. */
export function algorithmOfChecksumHeader(name: string): ChecksumAlgorithm | undefined {
  return BY_HEADER.get(name.toLowerCase());
}

function single(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(',');
}

/** Strict base64 of exactly `length` bytes (padding required, no whitespace). */
export function decodeBase64Digest(value: string, length: number): Buffer | undefined {
  const chars = Math.ceil(length / 3) * 4;
  if (value.length !== chars || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const buf = Buffer.from(value, 'base64');
  // Round-trip rejects non-canonical encodings (stray bits in the last character).
  return buf.length === length && buf.toString('base64') === value ? buf : undefined;
}

const MULTIPLE = 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';
const TRAILER_NOT_SUPPORTED = 'The value specified in the x-amz-trailer header is not supported';

/** Parses a checksum value from a header; bad base64 or length: 400 InvalidRequest. */
export function parseChecksumHeaderValue(algorithm: ChecksumAlgorithm, value: string): Buffer {
  const buf = decodeBase64Digest(value.trim(), CHECKSUM_LENGTHS[algorithm]);
  if (buf === undefined) {
    throw new ChecksumError('InvalidRequest', { message: `Value for ${checksumHeaderName(algorithm)} header is invalid.` });
  }
  return buf;
}

/** Parses a checksum value from an aws-chunked trailer; the bad value is not echoed. */
export function parseChecksumTrailerValue(algorithm: ChecksumAlgorithm, value: string): Buffer {
  const buf = decodeBase64Digest(value.trim(), CHECKSUM_LENGTHS[algorithm]);
  if (buf === undefined) {
    throw new ChecksumError('InvalidRequest', { message: `Value for ${checksumHeaderName(algorithm)} trailing header is invalid.` });
  }
  return buf;
}

/** The one x-amz-checksum-* name in x-amz-trailer; anything else is 400 InvalidRequest. */
export function parseTrailerDeclaration(value: string): string {
  const name = value.trim().toLowerCase();
  if (algorithmOfChecksumHeader(name) === undefined) throw new ChecksumError('InvalidRequest', { message: TRAILER_NOT_SUPPORTED });
  return name;
}

export function readRequestIntegrity(headers: RequestHeaders): RequestIntegrity {
  let contentMd5: Buffer | null = null;
  const md5 = single(headers, 'content-md5');
  if (md5 !== undefined) {
    const buf = decodeBase64Digest(md5.trim(), 16);
    if (buf === undefined) throw new ChecksumError('InvalidDigest', { extra: { 'Content-MD5': md5 } });
    contentMd5 = buf;
  }

  const present: [ChecksumAlgorithm, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    const algorithm = BY_HEADER.get(name.toLowerCase());
    if (algorithm !== undefined && value !== undefined) present.push([algorithm, typeof value === 'string' ? value : value.join(',')]);
  }
  if (present.length > 1) throw new ChecksumError('InvalidRequest', { message: MULTIPLE });

  const trailerRaw = single(headers, 'x-amz-trailer');
  const trailer = trailerRaw === undefined ? null : parseTrailerDeclaration(trailerRaw);
  if (trailer !== null && present.length > 0) throw new ChecksumError('InvalidRequest', { message: MULTIPLE });

  let checksumAlgorithm: ChecksumAlgorithm | null = null;
  let checksumValue: Buffer | null = null;
  if (present.length === 1) {
    const [algorithm, value] = present[0]!;
    checksumAlgorithm = algorithm;
    checksumValue = parseChecksumHeaderValue(algorithm, value);
  } else if (trailer !== null) {
    checksumAlgorithm = algorithmOfChecksumHeader(trailer)!;
  }

  const sdkRaw = single(headers, 'x-amz-sdk-checksum-algorithm');
  if (sdkRaw !== undefined) {
    const sdk = CHECKSUM_ALGORITHMS.find((a) => a === sdkRaw.trim().toUpperCase());
    if (sdk === undefined) {
      throw new ChecksumError('InvalidRequest', {
        message: `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(', ')}]`,
      });
    }
    if (checksumAlgorithm !== null && sdk !== checksumAlgorithm) {
      throw new ChecksumError('InvalidRequest', { message: 'Value for x-amz-sdk-checksum-algorithm header is invalid.' });
    }
    checksumAlgorithm = sdk;
  }
  return { contentMd5, checksumAlgorithm, checksumValue, trailer };
}

export interface ExpectedDigests {
  /** Content-MD5 bytes. */
  contentMd5?: Buffer | null;
  /** The client's S3 checksum (from a header or a trailer). */
  checksum?: { algorithm: ChecksumAlgorithm; value: Buffer } | null;
  /** Hex SHA-256 the client signed in x-amz-content-sha256. */
  sha256Hex?: string | null;
}

/**
 * Compares what the client declared with what the body hashed to: 400
 * XAmzContentSHA256Mismatch for the signed hash, 400 BadDigest for Content-MD5 or a checksum.
 */
export function verifyDigests(expected: ExpectedDigests, computed: BodyDigests): void {
  if (expected.sha256Hex != null) {
    if (computed.sha256 === undefined) throw new Error('verifyDigests: SHA-256 was not computed');
    const actual = computed.sha256.toString('hex');
    if (actual !== expected.sha256Hex) {
      throw new ChecksumError('XAmzContentSHA256Mismatch', {
        extra: { ClientComputedContentSHA256: expected.sha256Hex, S3ComputedContentSHA256: actual },
      });
    }
  }
  if (expected.contentMd5 != null && !expected.contentMd5.equals(computed.md5)) {
    throw new ChecksumError('BadDigest', {
      extra: { ExpectedDigest: expected.contentMd5.toString('base64'), CalculatedDigest: computed.md5.toString('base64') },
    });
  }
  if (expected.checksum != null) {
    if (computed.checksum === undefined) throw new Error('verifyDigests: checksum was not computed');
    if (!expected.checksum.value.equals(computed.checksum)) {
      throw new ChecksumError('BadDigest', {
        message: `The ${expected.checksum.algorithm} you specified did not match the calculated checksum.`,
      });
    }
  }
}
