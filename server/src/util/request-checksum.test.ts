import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { toS3Error } from '../s3/error-map.js';
import { ChecksumError } from './checksum-errors.js';
import { BodyDigester, computeChecksum } from './checksums.js';
import {
  decodeBase64Digest,
  parseChecksumTrailerValue,
  readRequestIntegrity,
  verifyDigests,
  type RequestHeaders,
} from './request-checksum.js';

const BODY = Buffer.from('Welcome to Amazon S3.');
const MD5 = createHash('md5').update(BODY).digest('base64');
const CRC32 = computeChecksum('CRC32', BODY).toString('base64');

function s3Error(code: string, message?: string | RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ChecksumError, String(err));
    assert.equal(err.code, code);
    assert.equal(toS3Error(err)?.status, 400);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message !== undefined) assert.match(err.message, message);
    return true;
  };
}

test('no integrity headers', () => {
  assert.deepEqual(readRequestIntegrity({ 'content-type': 'text/plain' }), {
    contentMd5: null,
    checksumAlgorithm: null,
    checksumValue: null,
    trailer: null,
  });
});

test('Content-MD5: 16 bytes of base64, else 400 InvalidDigest', () => {
  assert.equal(readRequestIntegrity({ 'content-md5': MD5 }).contentMd5?.toString('base64'), MD5);
  for (const bad of [
    '',
    'abc',
    MD5.slice(0, -2),
    `${MD5}==`,
    Buffer.alloc(15).toString('base64'),
    'not base64 at all!!!!!!',
    createHash('md5').digest('hex'),
  ]) {
    assert.throws(
      () => readRequestIntegrity({ 'content-md5': bad }),
      s3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.'),
      bad,
    );
  }
});

test('one x-amz-checksum-* header, decoded; the algorithm is taken from its name', () => {
  for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
    const value = computeChecksum(algorithm, BODY);
    const r = readRequestIntegrity({ [`x-amz-checksum-${algorithm.toLowerCase()}`]: value.toString('base64') });
    assert.equal(r.checksumAlgorithm, algorithm);
    assert.deepEqual(r.checksumValue, value);
  }
});

test('bad checksum values and several checksum headers: 400 InvalidRequest', () => {
  assert.throws(
    () => readRequestIntegrity({ 'x-amz-checksum-crc32': 'AAAA' }),
    s3Error('InvalidRequest', 'Value for x-amz-checksum-crc32 header is invalid.'),
  );
  assert.throws(() => readRequestIntegrity({ 'x-amz-checksum-sha256': CRC32 }), s3Error('InvalidRequest'));
  assert.throws(
    () => readRequestIntegrity({ 'x-amz-checksum-crc32': CRC32, 'x-amz-checksum-crc32c': CRC32 }),
    s3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.'),
  );
  // Node joins repeats of one header with ", ": not valid base64 of 4 bytes.
  assert.throws(() => readRequestIntegrity({ 'x-amz-checksum-crc32': `${CRC32}, ${CRC32}` }), s3Error('InvalidRequest'));
  // Headers that share the prefix but are not checksums are left alone.
  assert.equal(readRequestIntegrity({ 'x-amz-checksum-mode': 'ENABLED', 'x-amz-checksum-type': 'FULL_OBJECT' }).checksumAlgorithm, null);
});

test('x-amz-sdk-checksum-algorithm must be known and agree', () => {
  assert.equal(readRequestIntegrity({ 'x-amz-sdk-checksum-algorithm': 'crc64nvme' }).checksumAlgorithm, 'CRC64NVME');
  assert.equal(readRequestIntegrity({ 'x-amz-sdk-checksum-algorithm': 'CRC32', 'x-amz-checksum-crc32': CRC32 }).checksumAlgorithm, 'CRC32');
  assert.throws(() => readRequestIntegrity({ 'x-amz-sdk-checksum-algorithm': 'MD5' }), s3Error('InvalidRequest', /unsupported/));
  assert.throws(
    () => readRequestIntegrity({ 'x-amz-sdk-checksum-algorithm': 'SHA1', 'x-amz-checksum-crc32': CRC32 }),
    s3Error('InvalidRequest'),
  );
  assert.throws(
    () => readRequestIntegrity({ 'x-amz-sdk-checksum-algorithm': 'SHA1', 'x-amz-trailer': 'x-amz-checksum-crc32' }),
    s3Error('InvalidRequest'),
  );
});

test('x-amz-trailer: a single x-amz-checksum-* name, else 400 InvalidRequest', () => {
  const r = readRequestIntegrity({ 'x-amz-trailer': 'X-Amz-Checksum-CRC32C', 'x-amz-sdk-checksum-algorithm': 'CRC32C' });
  assert.deepEqual(r, { contentMd5: null, checksumAlgorithm: 'CRC32C', checksumValue: null, trailer: 'x-amz-checksum-crc32c' });
  const notSupported = 'The value specified in the x-amz-trailer header is not supported';
  for (const bad of [
    'x-amz-meta-a',
    'x-amz-checksum-crc32,x-amz-checksum-crc32c',
    'x-amz-checksum-crc32,',
    ',',
    '',
    'x-amz-checksum-md5',
  ]) {
    assert.throws(() => readRequestIntegrity({ 'x-amz-trailer': bad }), s3Error('InvalidRequest', notSupported), bad);
  }
  assert.throws(
    () => readRequestIntegrity({ 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-checksum-crc32': CRC32 }),
    s3Error('InvalidRequest', /Multiple checksum Types/),
  );
});

test('trailer values: bad base64 is refused without echoing the value', () => {
  assert.deepEqual(parseChecksumTrailerValue('CRC32', CRC32), computeChecksum('CRC32', BODY));
  assert.throws(
    () => parseChecksumTrailerValue('CRC32', 'secret-ish*'),
    (err: unknown) => err instanceof ChecksumError && err.message === 'Value for x-amz-checksum-crc32 trailing header is invalid.',
  );
});

test('decodeBase64Digest is strict', () => {
  assert.equal(decodeBase64Digest('sK4Y7A==', 4)?.toString('hex'), 'b0ae18ec');
  assert.equal(decodeBase64Digest('sK4Y7A=', 4), undefined);
  assert.equal(decodeBase64Digest('sK4Y7B==', 4), undefined); // stray bits
  assert.equal(decodeBase64Digest('sK4Y\n7A==', 4), undefined);
  assert.equal(decodeBase64Digest('sK4Y_A==', 4), undefined);
});

function digests(options: ConstructorParameters<typeof BodyDigester>[0], body = BODY) {
  const d = new BodyDigester(options);
  d.update(body);
  return d.finish();
}

test('verifyDigests passes when everything matches', () => {
  const sha = createHash('sha256').update(BODY).digest('hex');
  verifyDigests(
    { contentMd5: Buffer.from(MD5, 'base64'), checksum: { algorithm: 'CRC32', value: Buffer.from(CRC32, 'base64') }, sha256Hex: sha },
    digests({ sha256: true, checksum: 'CRC32' }),
  );
  verifyDigests({}, digests({}));
});

test('verifyDigests: 400 XAmzContentSHA256Mismatch with both hashes', () => {
  const sha = createHash('sha256').update(BODY).digest('hex');
  const wrong = 'a'.repeat(64);
  assert.throws(
    () => verifyDigests({ sha256Hex: wrong }, digests({ sha256: true })),
    (err: unknown) =>
      err instanceof ChecksumError &&
      err.code === 'XAmzContentSHA256Mismatch' &&
      toS3Error(err)?.status === 400 &&
      err.extra.ClientComputedContentSHA256 === wrong &&
      err.extra.S3ComputedContentSHA256 === sha,
  );
});

test('verifyDigests: 400 BadDigest for MD5 (with digests) and for checksums (without)', () => {
  const otherMd5 = createHash('md5').update('x').digest();
  assert.throws(
    () => verifyDigests({ contentMd5: otherMd5 }, digests({})),
    (err: unknown) =>
      err instanceof ChecksumError &&
      err.code === 'BadDigest' &&
      err.message === 'The Content-MD5 you specified did not match what we received.' &&
      err.extra.ExpectedDigest === otherMd5.toString('base64') &&
      err.extra.CalculatedDigest === MD5,
  );
  for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
    const other = computeChecksum(algorithm, Buffer.from('other'));
    assert.throws(
      () => verifyDigests({ checksum: { algorithm, value: other } }, digests({ checksum: algorithm })),
      (err: unknown) =>
        err instanceof ChecksumError &&
        err.code === 'BadDigest' &&
        err.message === `The ${algorithm} you specified did not match the calculated checksum.` &&
        Object.keys(err.extra).length === 0,
    );
  }
  // A digest the caller forgot to compute is a programming error, not a client error.
  assert.throws(
    () => verifyDigests({ sha256Hex: 'a'.repeat(64) }, digests({})),
    (err: unknown) => !(err instanceof ChecksumError),
  );
});

test('readRequestIntegrity accepts node-style array values', () => {
  const headers: RequestHeaders = { 'x-amz-checksum-crc32': [CRC32] };
  assert.equal(readRequestIntegrity(headers).checksumAlgorithm, 'CRC32');
});
