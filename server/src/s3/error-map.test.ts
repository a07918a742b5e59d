import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIGV4_ERROR_MESSAGES, SigV4Error, type SigV4ErrorCode } from '../auth/sigv4/errors.js';
import { TARGET_ERROR_MESSAGES, TargetError, type TargetErrorCode } from '../http/target-errors.js';
import type { LayerError } from '../layer-errors.js';
import { POLICY_ERROR_MESSAGES, PolicyError, type PolicyErrorCode } from '../policy/errors.js';
import { signatureDoesNotMatch } from '../auth/sigv4/signature-mismatch.js';
import { CHECKSUM_ERROR_MESSAGES, ChecksumError, type ChecksumErrorCode } from '../util/checksum-errors.js';
import { XmlParseError } from '../util/xml-parse.js';
import { KEY_ERROR_MESSAGES, KeyError, type KeyErrorCode } from '../keys/errors.js';
import { S3_CODE_OF, toS3Error } from './error-map.js';
import { S3Error, S3_ERRORS } from './errors.js';

const codes = <C extends string>(table: Record<C, string>): C[] => Object.keys(table) as C[];

/** One error of every code of every layer, with the layer's default message. */
const EVERY_LAYER_ERROR: LayerError[] = [
  ...codes(SIGV4_ERROR_MESSAGES).map((c: SigV4ErrorCode) => new SigV4Error(c)),
  ...codes(POLICY_ERROR_MESSAGES).map((c: PolicyErrorCode) => new PolicyError(c)),
  ...codes(TARGET_ERROR_MESSAGES).map((c: TargetErrorCode) => new TargetError(c)),
  ...codes(CHECKSUM_ERROR_MESSAGES).map((c: ChecksumErrorCode) => new ChecksumError(c)),
  new XmlParseError(),
];

test('every layer code maps to the S3 code of the same name, with its status and default message', () => {
  for (const err of EVERY_LAYER_ERROR) {
    const s3 = toS3Error(err);
    assert.ok(s3 instanceof S3Error, `${err.name} ${err.code}`);
    // The layers reuse AWS's names: before the split each threw S3Error(code) with exactly this code.
    assert.equal(s3.code, err.code, `${err.name} ${err.code}`);
    const [status, message] = S3_ERRORS[s3.code];
    assert.equal(s3.status, status, `${err.name} ${err.code}`);
    assert.equal(s3.message, message, `${err.name} ${err.code}: a layer's default message must be S3's`);
    assert.equal(s3.cause, err);
    assert.deepEqual(s3.headers, {});
  }
});

/** keys/ names its failures for what they are; the S3 plane gives AWS's codes for them. */
const KEY_ERRORS: KeyError[] = codes(KEY_ERROR_MESSAGES).map((c: KeyErrorCode) => new KeyError(c));

test('the table has exactly the layer codes (nothing stale, nothing missing)', () => {
  assert.deepEqual(Object.keys(S3_CODE_OF).sort(), [...new Set([...EVERY_LAYER_ERROR, ...KEY_ERRORS].map((e) => e.code))].sort());
});

test('key errors: unknown key 400 KMS.NotFoundException, provider down 503, unwrap failure 500 InternalError', () => {
  const got = KEY_ERRORS.map((e) => {
    const s3 = toS3Error(e)!;
    return [e.code, s3.code, s3.status];
  });
  assert.deepEqual(got, [
    ['KeyNotFound', 'KMS.NotFoundException', 400],
    ['KeyProviderUnavailable', 'ServiceUnavailable', 503],
    ['KeyUnwrapFailed', 'InternalError', 500],
  ]);
});

test('message and extra elements pass through, in order', () => {
  const s3 = toS3Error(
    new SigV4Error('InvalidArgument', { message: 'bad', extra: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'v' } }),
  )!;
  assert.equal(s3.code, 'InvalidArgument');
  assert.equal(s3.status, 400);
  assert.equal(s3.message, 'bad');
  assert.deepEqual(Object.entries(s3.extra), [
    ['ArgumentName', 'x-amz-content-sha256'],
    ['ArgumentValue', 'v'],
  ]);
  const mismatch = toS3Error(signatureDoesNotMatch('AKID', 'sts', 'sig', 'creq'))!;
  assert.equal(mismatch.status, 403);
  assert.deepEqual(Object.keys(mismatch.extra), [
    'AWSAccessKeyId',
    'StringToSign',
    'SignatureProvided',
    'StringToSignBytes',
    'CanonicalRequest',
    'CanonicalRequestBytes',
  ]);
  const key = toS3Error(new TargetError('KeyTooLongError', { extra: { Size: 1025, MaxSizeAllowed: 1024 } }))!;
  assert.deepEqual(key.extra, { Size: 1025, MaxSizeAllowed: 1024 });
});

test("S3Errors pass as they are; anything else is not the table's business", () => {
  const own = new S3Error('NoSuchKey');
  assert.equal(toS3Error(own), own);
  assert.equal(toS3Error(new Error('boom')), null);
  assert.equal(toS3Error(Object.assign(new Error('x'), { code: 'SignatureDoesNotMatch' })), null);
  assert.equal(toS3Error(undefined), null);
});
