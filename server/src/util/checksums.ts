/**
 * Body digests: the S3 checksum algorithms (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), MD5
 * for the ETag, a single-pass digester, and the multipart combinations (COMPOSITE and
 * FULL_OBJECT). All digests are big-endian bytes; S3 sends them base64-encoded.
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import type { ChecksumAlgorithm } from '../metadata/types.js';

export type { ChecksumAlgorithm };

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

export type CrcAlgorithm = Extract<ChecksumAlgorithm, 'CRC32' | 'CRC32C' | 'CRC64NVME'>;

/** Digest size in bytes of each algorithm. */
export const CHECKSUM_LENGTHS: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

export function isCrcAlgorithm(algorithm: ChecksumAlgorithm): algorithm is CrcAlgorithm {
  return algorithm === 'CRC32' || algorithm === 'CRC32C' || algorithm === 'CRC64NVME';
}

/** "x-amz-checksum-crc32" for CRC32, and so on. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** An incremental digest; `digest()` may be called once. */
export interface IncrementalDigest {
  update(chunk: Uint8Array): void;
  digest(): Buffer;
}

// ---------------------------------------------------------------------------------------
// CRC32 (zlib, native) and CRC32C (slicing-by-8 in plain JS).

/** CRC-32 (ISO-HDLC) of `data`, continuing from `previous` (a finished CRC value). */
export function crc32(data: Uint8Array, previous = 0): number {
  return zlibCrc32(data, previous) >>> 0;
}

const CRC32C_POLY = 0x82f63b78; // Castagnoli, reflected

/** Eight 256-entry tables in one array: table k at offset k*256 (slicing-by-8). */
const CRC32C_TABLE: Int32Array = (() => {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLY : c >>> 1;
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    let c = t[i]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + i] = c;
    }
  }
  return t;
})();

/** CRC-32C (Castagnoli) of `data`, continuing from `previous` (a finished CRC value). */
export function crc32c(data: Uint8Array, previous = 0): number {
  const t = CRC32C_TABLE;
  let crc = ~previous;
  let i = 0;
  const n = data.length;
  const end8 = n - (n % 8);
  while (i < end8) {
    crc ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    crc =
      t[1792 + (crc & 0xff)]! ^
      t[1536 + ((crc >>> 8) & 0xff)]! ^
      t[1280 + ((crc >>> 16) & 0xff)]! ^
      t[1024 + (crc >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
    i += 8;
  }
  while (i < n) crc = t[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

// ---------------------------------------------------------------------------------------
// CRC64NVME: reflected poly 0xad93d23594c93659, init and xorout all ones. The 64-bit
// register is kept as two 32-bit halves so the hot loop never touches BigInt.

const CRC64_POLY_REFLECTED = 0x9a6c9329ac4bc9b5n;

/** Slicing-by-8 tables, split into low and high 32-bit halves. */
const [CRC64_LO, CRC64_HI] = ((): [Int32Array, Int32Array] => {
  const lo = new Int32Array(8 * 256);
  const hi = new Int32Array(8 * 256);
  const big: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ CRC64_POLY_REFLECTED : c >> 1n;
    big.push(c);
  }
  for (let i = 0; i < 256; i++) {
    let c = big[i]!;
    lo[i] = Number(BigInt.asIntN(32, c));
    hi[i] = Number(BigInt.asIntN(32, c >> 32n));
    for (let k = 1; k < 8; k++) {
      c = big[Number(c & 0xffn)]! ^ (c >> 8n);
      lo[k * 256 + i] = Number(BigInt.asIntN(32, c));
      hi[k * 256 + i] = Number(BigInt.asIntN(32, c >> 32n));
    }
  }
  return [lo, hi];
})();

/** Incremental CRC64NVME. */
export class Crc64Nvme implements IncrementalDigest {
  // Register halves, pre-inverted (init all ones).
  private lo = 0xffffffff;
  private hi = 0xffffffff;

  update(data: Uint8Array): void {
    const tl = CRC64_LO;
    const th = CRC64_HI;
    let lo = this.lo;
    let hi = this.hi;
    let i = 0;
    const n = data.length;
    const end8 = n - (n % 8);
    while (i < end8) {
      lo ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
      hi ^= data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
      const a = 1792 + (lo & 0xff);
      const b = 1536 + ((lo >>> 8) & 0xff);
      const c = 1280 + ((lo >>> 16) & 0xff);
      const d = 1024 + (lo >>> 24);
      const e = 768 + (hi & 0xff);
      const f = 512 + ((hi >>> 8) & 0xff);
      const g = 256 + ((hi >>> 16) & 0xff);
      const h = hi >>> 24;
      lo = tl[a]! ^ tl[b]! ^ tl[c]! ^ tl[d]! ^ tl[e]! ^ tl[f]! ^ tl[g]! ^ tl[h]!;
      hi = th[a]! ^ th[b]! ^ th[c]! ^ th[d]! ^ th[e]! ^ th[f]! ^ th[g]! ^ th[h]!;
      i += 8;
    }
    while (i < n) {
      const idx = (lo ^ data[i++]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ tl[idx]!;
      hi = (hi >>> 8) ^ th[idx]!;
    }
    this.lo = lo;
    this.hi = hi;
  }

  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}

/** CRC64NVME of `data` as 8 big-endian bytes. */
export function crc64nvme(data: Uint8Array): Buffer {
  const c = new Crc64Nvme();
  c.update(data);
  return c.digest();
}

// ---------------------------------------------------------------------------------------
// One incremental interface over every algorithm.

class Crc32Digest implements IncrementalDigest {
  private value = 0;
  constructor(private readonly fn: (data: Uint8Array, previous: number) => number) {}
  update(chunk: Uint8Array): void {
    this.value = this.fn(chunk, this.value);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(this.value, 0);
    return out;
  }
}

class NodeHashDigest implements IncrementalDigest {
  constructor(private readonly hash: Hash) {}
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  digest(): Buffer {
    return this.hash.digest();
  }
}

export function createChecksum(algorithm: ChecksumAlgorithm): IncrementalDigest {
  switch (algorithm) {
    case 'CRC32':
      return new Crc32Digest(crc32);
    case 'CRC32C':
      return new Crc32Digest(crc32c);
    case 'CRC64NVME':
      return new Crc64Nvme();
    case 'SHA1':
      return new NodeHashDigest(createHash('sha1'));
    case 'SHA256':
      return new NodeHashDigest(createHash('sha256'));
  }
}

/** The digest of a whole buffer. */
export function computeChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array): Buffer {
  const d = createChecksum(algorithm);
  d.update(data);
  return d.digest();
}

// ---------------------------------------------------------------------------------------
// Single-pass body digester.

export interface BodyDigesterOptions {
  /** Also compute SHA-256 (for x-amz-content-sha256 checks). */
  sha256?: boolean;
  /** Also compute this S3 checksum. */
  checksum?: ChecksumAlgorithm;
}

export interface BodyDigests {
  size: number;
  /** Always present: the ETag of a single-part object. */
  md5: Buffer;
  sha256?: Buffer;
  checksum?: Buffer;
}

/** Feeds every byte of a body once through every digest the request needs. */
export class BodyDigester {
  private readonly md5 = createHash('md5');
  private readonly sha256: Hash | undefined;
  /** Undefined when the checksum is SHA256 and shares the sha256 hash. */
  private readonly checksum: IncrementalDigest | undefined;
  private readonly checksumIsSha256: boolean;
  private size = 0;
  private finished = false;

  constructor(options: BodyDigesterOptions = {}) {
    this.checksumIsSha256 = options.checksum === 'SHA256';
    // SHA256 as both content hash and checksum is computed once.
    this.sha256 = options.sha256 === true || this.checksumIsSha256 ? createHash('sha256') : undefined;
    this.checksum = options.checksum === undefined || this.checksumIsSha256 ? undefined : createChecksum(options.checksum);
  }

  update(chunk: Uint8Array): void {
    if (this.finished) throw new Error('BodyDigester.update after finish');
    this.size += chunk.length;
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.checksum?.update(chunk);
  }

  finish(): BodyDigests {
    if (this.finished) throw new Error('BodyDigester.finish called twice');
    this.finished = true;
    const out: BodyDigests = { size: this.size, md5: this.md5.digest() };
    const sha = this.sha256?.digest();
    if (sha !== undefined) {
      out.sha256 = sha;
      if (this.checksumIsSha256) out.checksum = sha;
    }
    if (this.checksum !== undefined) out.checksum = this.checksum.digest();
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// Multipart checksums.

/**
 * COMPOSITE multipart checksum: the algorithm applied to the concatenated part digests,
 * base64, then "-<number of parts>" (what AWS returns for CompleteMultipartUpload).
 */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partDigests: readonly Buffer[]): string {
  const d = createChecksum(algorithm);
  for (const p of partDigests) d.update(p);
  return `${d.digest().toString('base64')}-${partDigests.length}`;
}

interface CrcParams {
  width: bigint;
  polyReflected: bigint;
}

const CRC_PARAMS: Readonly<Record<CrcAlgorithm, CrcParams>> = {
  CRC32: { width: 32n, polyReflected: 0xedb88320n },
  CRC32C: { width: 32n, polyReflected: BigInt(CRC32C_POLY) },
  CRC64NVME: { width: 64n, polyReflected: CRC64_POLY_REFLECTED },
};

/** a*b modulo the CRC polynomial, in the reflected bit order (zlib's multmodp). */
function multModP(p: CrcParams, a: bigint, b: bigint): bigint {
  let m = 1n << (p.width - 1n);
  let prod = 0n;
  for (;;) {
    if (a & m) {
      prod ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ p.polyReflected : b >> 1n;
  }
  return prod;
}

const X2N_TABLES = new Map<CrcAlgorithm, bigint[]>();

/** x^(2^k) mod P for k = 0..63. */
function x2nTable(algorithm: CrcAlgorithm): bigint[] {
  let t = X2N_TABLES.get(algorithm);
  if (t === undefined) {
    const p = CRC_PARAMS[algorithm];
    t = [];
    let v = 1n << (p.width - 2n); // x^1
    for (let k = 0; k < 64; k++) {
      t.push(v);
      v = multModP(p, v, v);
    }
    X2N_TABLES.set(algorithm, t);
  }
  return t;
}

function readCrc(buf: Buffer): bigint {
  return buf.length === 8 ? buf.readBigUInt64BE(0) : BigInt(buf.readUInt32BE(0));
}

function writeCrc(algorithm: CrcAlgorithm, value: bigint): Buffer {
  const out = Buffer.allocUnsafe(CHECKSUM_LENGTHS[algorithm]);
  if (algorithm === 'CRC64NVME') out.writeBigUInt64BE(value, 0);
  else out.writeUInt32BE(Number(value), 0);
  return out;
}

/**
 * CRC of A||B from crc(A), crc(B) and the length of B (zlib's crc32_combine). Valid for
 * these CRCs because init equals xorout, so the conditioning cancels out.
 */
export function combineCrc(algorithm: CrcAlgorithm, crcA: Buffer, crcB: Buffer, lengthB: number): Buffer {
  const len = CHECKSUM_LENGTHS[algorithm];
  if (crcA.length !== len || crcB.length !== len) throw new RangeError(`${algorithm} digest must be ${len} bytes`);
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) throw new RangeError('lengthB must be a non-negative integer');
  const p = CRC_PARAMS[algorithm];
  const table = x2nTable(algorithm);
  // x^(8*lengthB) mod P, by the binary expansion of lengthB starting at x^(2^3).
  let xn = 1n << (p.width - 1n); // x^0
  let n = BigInt(lengthB);
  let k = 3;
  while (n > 0n) {
    if (n & 1n) xn = multModP(p, table[k]!, xn);
    n >>= 1n;
    k++;
  }
  return writeCrc(algorithm, multModP(p, xn, readCrc(crcA)) ^ readCrc(crcB));
}

/** FULL_OBJECT multipart CRC: the CRC of the whole object from each part's CRC and size. */
export function combineCrcParts(algorithm: CrcAlgorithm, parts: readonly { checksum: Buffer; size: number }[]): Buffer {
  let acc = writeCrc(algorithm, 0n); // CRC of the empty string is 0 for all three
  for (const part of parts) acc = combineCrc(algorithm, acc, part.checksum, part.size);
  return acc;
}
