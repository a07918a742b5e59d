import { S3Error } from './errors.js';
import type { RequestContext } from './context.js';
import type { ChecksumAlgorithm } from '../metadata/types.js';
import { CHECKSUM_ALGORITHMS, CHECKSUM_LENGTHS, type BodyDigests } from '../util/checksums.js';

/** What the client asked us to verify about the body, from its headers. */
export interface Integrity {
  /** Content-MD5, decoded (16 bytes). */
  md5: Buffer | null;
  /** The S3 checksum algorithm, from x-amz-checksum-*, x-amz-trailer or x-amz-sdk-checksum-algorithm. */
  algorithm: ChecksumAlgorithm | null;
  /** The checksum given in a header (decoded); null when it comes in a trailer or not at all. */
  value: Buffer | null;
  /** The trailer name declared in x-amz-trailer (lowercase), if any. */
  trailer: string | null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeExact(value: string, bytes: number): Buffer | null {
  const v = value.trim();
  if (!BASE64.test(v) || v.length % 4 !== 0) return null;
  const buf = Buffer.from(v, 'base64');
  return buf.length === bytes ? buf : null;
}

function algorithmOfHeader(name: string): ChecksumAlgorithm | null {
  if (!name.startsWith('x-amz-checksum-')) return null;
  const alg = name.slice('x-amz-checksum-'.length).toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(alg) ? (alg as ChecksumAlgorithm) : null;
}

/** Reads and validates Content-MD5, x-amz-checksum-*, x-amz-sdk-checksum-algorithm and x-amz-trailer. */
export function readIntegrity(ctx: RequestContext): Integrity {
  const h = ctx.req.headers;
  let md5: Buffer | null = null;
  const md5Header = h['content-md5'];
  if (typeof md5Header === 'string') {
    md5 = decodeExact(md5Header, 16);
    if (!md5) throw new S3Error('InvalidDigest', { extra: { 'Content-MD5': md5Header.slice(0, 64) } });
  }
  const given: { algorithm: ChecksumAlgorithm; raw: string }[] = [];
  for (const [name, v] of Object.entries(h)) {
    const algorithm = algorithmOfHeader(name);
    if (algorithm && typeof v === 'string') given.push({ algorithm, raw: v });
  }
  if (given.length > 1) {
    throw new S3Error('InvalidRequest', { message: 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.' });
  }
  let trailer: string | null = null;
  let trailerAlgorithm: ChecksumAlgorithm | null = null;
  const trailerHeader = h['x-amz-trailer'];
  if (typeof trailerHeader === 'string') {
    const name = trailerHeader.trim().toLowerCase();
    trailerAlgorithm = algorithmOfHeader(name);
    if (!trailerAlgorithm || name.includes(',')) {
      throw new S3Error('InvalidRequest', { message: 'The value specified in the x-amz-trailer header is not supported' });
    }
    trailer = name;
  }
  if (given.length === 1 && trailer !== null) {
    throw new S3Error('InvalidRequest', { message: 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.' });
  }
  const sdkHeader = h['x-amz-sdk-checksum-algorithm'];
  let sdk: ChecksumAlgorithm | null = null;
  if (typeof sdkHeader === 'string') {
    const alg = sdkHeader.trim().toUpperCase();
    if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new S3Error('InvalidRequest', { message: 'Value for x-amz-sdk-checksum-algorithm header is invalid.' });
    }
    sdk = alg as ChecksumAlgorithm;
  }
  const declared = given[0]?.algorithm ?? trailerAlgorithm;
  if (sdk !== null && declared !== null && sdk !== declared) {
    throw new S3Error('InvalidRequest', { message: `Value for x-amz-sdk-checksum-algorithm header is invalid.` });
  }
  let value: Buffer | null = null;
  const first = given[0];
  if (first) {
    value = decodeExact(first.raw, CHECKSUM_LENGTHS[first.algorithm]);
    if (!value) throw new S3Error('InvalidRequest', { message: `Value for x-amz-checksum-${first.algorithm.toLowerCase()} header is invalid.` });
  }
  return { md5, algorithm: declared ?? sdk, value, trailer };
}

/**
 * Checks the computed digests against what the client declared. `trailerValue` is the
 * raw trailer checksum (base64) when the body carried one.
 */
export function verifyIntegrity(integrity: Integrity, digests: BodyDigests, trailerValue: string | null): void {
  if (integrity.md5 && !integrity.md5.equals(digests.md5)) {
    throw new S3Error('BadDigest', { extra: { ExpectedDigest: integrity.md5.toString('hex'), CalculatedDigest: digests.md5.toString('hex') } });
  }
  const alg = integrity.algorithm;
  if (!alg) return;
  let expected = integrity.value;
  if (integrity.trailer !== null) {
    if (trailerValue === null) throw new S3Error('MalformedTrailerError');
    expected = decodeExact(trailerValue, CHECKSUM_LENGTHS[alg]);
    if (!expected) throw new S3Error('InvalidRequest', { message: `Value for x-amz-checksum-${alg.toLowerCase()} trailing header is invalid.` });
  }
  if (expected && digests.checksum && !expected.equals(digests.checksum)) {
    throw new S3Error('BadDigest', { message: `The ${alg} you specified did not match the calculated checksum.` });
  }
}
