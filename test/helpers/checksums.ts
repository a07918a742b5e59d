/**
 * Independent reference implementations of S3's additional checksums, so tests do not
 * check the server with the same code the SDK uses. Base64 of the big-endian digest,
 * as S3 sends them in x-amz-checksum-*.
 */
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

export type ChecksumName = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256' | 'CRC64NVME';

const CRC32C_TABLE = makeTable32(0x82f63b78);
const CRC64NVME_TABLE = makeTable64(0x9a6c9329ac4bc9b5n);

function makeTable32(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

function makeTable64(poly: bigint): BigUint64Array {
  const t = new BigUint64Array(256);
  for (let i = 0n; i < 256n; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    t[Number(i)] = c;
  }
  return t;
}

export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC32C_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function crc64nvme(data: Uint8Array): bigint {
  const mask = 0xffffffffffffffffn;
  let c = mask;
  for (const b of data) c = (CRC64NVME_TABLE[Number((c ^ BigInt(b)) & 0xffn)] ?? 0n) ^ (c >> 8n);
  return (c ^ mask) & mask;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** The base64 value S3 puts in x-amz-checksum-<name> for a whole body. */
export function checksumBase64(name: ChecksumName, data: Uint8Array): string {
  switch (name) {
    case 'CRC32':
      return u32(zlibCrc32(data)).toString('base64');
    case 'CRC32C':
      return u32(crc32c(data)).toString('base64');
    case 'SHA1':
      return createHash('sha1').update(data).digest('base64');
    case 'SHA256':
      return createHash('sha256').update(data).digest('base64');
    case 'CRC64NVME': {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(crc64nvme(data));
      return b.toString('base64');
    }
  }
}
