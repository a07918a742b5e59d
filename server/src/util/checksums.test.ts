import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  BodyDigester,
  CHECKSUM_ALGORITHMS,
  Crc64Nvme,
  checksumHeaderName,
  combineCrc,
  combineCrcParts,
  compositeChecksum,
  computeChecksum,
  createChecksum,
  crc32,
  crc32c,
  crc64nvme,
} from './checksums.js';

const VECTORS = JSON.parse(
  readFileSync(
    new URL('aws-sig-v4-test-suite/s3-streaming-vectors.json', new URL('../../../test/fixtures/sigv4/', import.meta.url)),
    'utf8',
  ),
) as {
  checksumsOfExamplePayload: { values: Record<string, string> };
  checksumsOf123456789: { values: Record<string, string> };
  checksumsOfEmptyInput: { values: Record<string, string> };
};

const CHECK = Buffer.from('123456789');

/** Bit-at-a-time reference CRC64NVME, to cross-check the sliced implementation. */
function crc64Reference(data: Uint8Array): bigint {
  let crc = 0xffffffffffffffffn;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0x9a6c9329ac4bc9b5n : crc >> 1n;
  }
  return crc ^ 0xffffffffffffffffn;
}

function crc32cReference(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

test('CRC catalogue check values for "123456789"', () => {
  assert.equal(crc32(CHECK).toString(16), 'cbf43926');
  assert.equal(crc32c(CHECK).toString(16), 'e3069283');
  assert.equal(crc64nvme(CHECK).toString('hex'), 'ae8b14860a799888');
});

for (const [name, input] of [
  ['checksumsOf123456789', CHECK],
  ['checksumsOfEmptyInput', Buffer.alloc(0)],
  ['checksumsOfExamplePayload', Buffer.alloc(66560, 0x61)],
] as const) {
  test(`every algorithm matches the vectors file: ${name}`, () => {
    const expected = VECTORS[name].values;
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      assert.equal(computeChecksum(algorithm, input).toString('base64'), expected[algorithm], algorithm);
    }
  });
}

test('sliced CRC32C and CRC64NVME agree with bitwise references at every length and offset', () => {
  const data = randomBytes(100);
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= data.length; end++) {
      const slice = data.subarray(start, end);
      assert.equal(crc32c(slice), crc32cReference(slice));
      assert.equal(crc64nvme(slice).readBigUInt64BE(0), crc64Reference(slice));
    }
  }
});

test('incremental digests give the same result however the input is split', () => {
  const data = randomBytes(5000);
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const whole = computeChecksum(algorithm, data);
    for (const step of [1, 3, 7, 8, 13, 4096]) {
      const d = createChecksum(algorithm);
      for (let i = 0; i < data.length; i += step) d.update(data.subarray(i, i + step));
      assert.deepEqual(d.digest(), whole, `${algorithm} step ${step}`);
    }
  }
});

test('Crc64Nvme handles a single byte then a long run', () => {
  const c = new Crc64Nvme();
  c.update(CHECK.subarray(0, 1));
  c.update(CHECK.subarray(1));
  assert.equal(c.digest().toString('hex'), 'ae8b14860a799888');
});

test('checksumHeaderName lowercases the algorithm', () => {
  assert.equal(checksumHeaderName('CRC64NVME'), 'x-amz-checksum-crc64nvme');
  assert.equal(checksumHeaderName('SHA1'), 'x-amz-checksum-sha1');
});

test('BodyDigester computes MD5 always, SHA-256 and a checksum on request', () => {
  const data = randomBytes(70000);
  const md5 = createHash('md5').update(data).digest();
  const sha = createHash('sha256').update(data).digest();

  const plain = new BodyDigester();
  plain.update(data.subarray(0, 10));
  plain.update(data.subarray(10));
  const r1 = plain.finish();
  assert.equal(r1.size, data.length);
  assert.deepEqual(r1.md5, md5);
  assert.equal(r1.sha256, undefined);
  assert.equal(r1.checksum, undefined);

  const both = new BodyDigester({ sha256: true, checksum: 'CRC32C' });
  both.update(data);
  const r2 = both.finish();
  assert.deepEqual(r2.sha256, sha);
  assert.deepEqual(r2.checksum, computeChecksum('CRC32C', data));

  // SHA256 as checksum shares the content hash.
  const shared = new BodyDigester({ sha256: true, checksum: 'SHA256' });
  shared.update(data);
  const r3 = shared.finish();
  assert.deepEqual(r3.sha256, sha);
  assert.deepEqual(r3.checksum, sha);

  const onlyChecksum = new BodyDigester({ checksum: 'SHA256' });
  onlyChecksum.update(data);
  assert.deepEqual(onlyChecksum.finish().checksum, sha);

  const empty = new BodyDigester({ checksum: 'CRC64NVME' }).finish();
  assert.equal(empty.size, 0);
  assert.equal(empty.md5.toString('hex'), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(empty.checksum?.toString('base64'), 'AAAAAAAAAAA=');
  assert.throws(() => both.update(data));
});

test('compositeChecksum hashes the concatenated part digests and appends the part count', () => {
  const parts = [randomBytes(1000), randomBytes(2000), randomBytes(5)];
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const digests = parts.map((p) => computeChecksum(algorithm, p));
    const expected = computeChecksum(algorithm, Buffer.concat(digests)).toString('base64');
    assert.equal(compositeChecksum(algorithm, digests), `${expected}-3`);
  }
});

test('combineCrc equals the CRC of the concatenation, for all CRC algorithms and sizes', () => {
  for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
    for (const [la, lb] of [
      [0, 0],
      [0, 5],
      [5, 0],
      [1, 1],
      [17, 1000],
      [8192, 65537],
    ] as const) {
      const a = randomBytes(la);
      const b = randomBytes(lb);
      const combined = combineCrc(algorithm, computeChecksum(algorithm, a), computeChecksum(algorithm, b), lb);
      assert.deepEqual(combined, computeChecksum(algorithm, Buffer.concat([a, b])), `${algorithm} ${la}+${lb}`);
    }
  }
});

test('combineCrcParts gives the FULL_OBJECT CRC of a multipart object', () => {
  const parts = [randomBytes(5 * 1024 * 1024), randomBytes(12345), randomBytes(1)];
  const whole = Buffer.concat(parts);
  for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
    const combined = combineCrcParts(
      algorithm,
      parts.map((p) => ({ checksum: computeChecksum(algorithm, p), size: p.length })),
    );
    assert.deepEqual(combined, computeChecksum(algorithm, whole), algorithm);
  }
  assert.deepEqual(combineCrcParts('CRC32', []), Buffer.alloc(4));
  assert.throws(() => combineCrc('CRC32', Buffer.alloc(8), Buffer.alloc(4), 1), RangeError);
});

test('throughput (informational, not asserted)', () => {
  const data = randomBytes(8 * 1024 * 1024);
  const rates: string[] = [];
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const t0 = process.hrtime.bigint();
    computeChecksum(algorithm, data);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    rates.push(`${algorithm} ${((data.length / 1048576 / ms) * 1000).toFixed(0)} MiB/s`);
  }
  console.log(`# checksum throughput (8 MiB, one pass): ${rates.join(', ')}`);
});
