import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIGV4_ERROR_MESSAGES, SigV4Error, type SigV4ErrorCode } from '../auth/sigv4/errors.js';
import { TARGET_ERROR_MESSAGES, TargetError, type TargetErrorCode } from '../http/target-errors.js';
import type { LayerError } from '../layer-errors.js';
import { POLICY_ERROR_MESSAGES, PolicyError, type PolicyErrorCode } from '../policy/errors.js';
import { toS3Error } from '../s3/error-map.js';
import { CHECKSUM_ERROR_MESSAGES, ChecksumError, type ChecksumErrorCode } from '../util/checksum-errors.js';
import { XmlParseError } from '../util/xml-parse.js';
import { fromLayerError } from './errors.js';

const codes = <C extends string>(table: Record<C, string>): C[] => Object.keys(table) as C[];

test('a layer error keeps, on the admin plane, the code, status and message the S3 plane gives it', () => {
  const all: LayerError[] = [
    ...codes(SIGV4_ERROR_MESSAGES).map((c: SigV4ErrorCode) => new SigV4Error(c)),
    ...codes(POLICY_ERROR_MESSAGES).map((c: PolicyErrorCode) => new PolicyError(c, { message: `custom ${c}` })),
    ...codes(TARGET_ERROR_MESSAGES).map((c: TargetErrorCode) => new TargetError(c)),
    ...codes(CHECKSUM_ERROR_MESSAGES).map((c: ChecksumErrorCode) => new ChecksumError(c)),
    new XmlParseError(),
  ];
  for (const err of all) {
    const admin = fromLayerError(err);
    const s3 = toS3Error(err)!;
    assert.equal(admin.code, s3.code);
    assert.equal(admin.status, s3.status, err.code);
    assert.equal(admin.message, s3.message);
    assert.deepEqual(admin.headers, {});
  }
});
