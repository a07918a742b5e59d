import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MUTATING, OPERATIONS, OPERATION_ACTION, route, type Operation } from './router.js';
import { parseTarget } from '../http/target.js';
import { S3Error } from './errors.js';

/** Request lines from the AWS API reference, with the operation each one is. */
const CASES: [string, string, Record<string, string>, string][] = [
  ['GET', '/', {}, 'ListBuckets'],
  ['PUT', '/bk1', {}, 'CreateBucket'],
  ['HEAD', '/bk1', {}, 'HeadBucket'],
  ['DELETE', '/bk1', {}, 'DeleteBucket'],
  ['GET', '/bk1?location', {}, 'GetBucketLocation'],
  ['GET', '/bk1?versioning', {}, 'GetBucketVersioning'],
  ['GET', '/bk1', {}, 'ListObjects'],
  ['GET', '/bk1?list-type=2&prefix=a', {}, 'ListObjectsV2'],
  ['GET', '/bk1?uploads', {}, 'ListMultipartUploads'],
  ['POST', '/bk1?delete', {}, 'DeleteObjects'],
  ['GET', '/bk1?acl', {}, 'GetBucketAcl'],
  ['PUT', '/bk1?acl', {}, 'PutBucketAcl'],
  ['GET', '/bk1?policy', {}, 'GetBucketPolicy'],
  ['PUT', '/bk1?policy', {}, 'PutBucketPolicy'],
  ['DELETE', '/bk1?policy', {}, 'DeleteBucketPolicy'],
  ['GET', '/bk1?policyStatus', {}, 'GetBucketPolicyStatus'],
  ['GET', '/bk1?encryption', {}, 'GetBucketEncryption'],
  ['PUT', '/bk1?encryption', {}, 'PutBucketEncryption'],
  ['DELETE', '/bk1?encryption', {}, 'DeleteBucketEncryption'],
  ['PUT', '/bk1/k', {}, 'PutObject'],
  ['PUT', '/bk1/k', { 'x-amz-copy-source': '/bk2/k' }, 'CopyObject'],
  ['GET', '/bk1/k?x-id=GetObject', {}, 'GetObject'],
  ['GET', '/bk1/k?versionId=null', {}, 'GetObject'],
  ['GET', '/bk1/k?versionId=abc', {}, 'GetObject'],
  ['HEAD', '/bk1/k?versionId=abc', {}, 'HeadObject'],
  ['DELETE', '/bk1/k?versionId=abc', {}, 'DeleteObject'],
  ['GET', '/bk1/k?acl&versionId=abc', {}, 'GetObjectAcl'],
  ['PUT', '/bk1/k?acl&versionId=abc', {}, 'PutObjectAcl'],
  ['GET', '/bk1/k?tagging&versionId=abc', {}, 'GetObjectTagging'],
  ['PUT', '/bk1/k?tagging&versionId=abc', {}, 'PutObjectTagging'],
  ['DELETE', '/bk1/k?tagging&versionId=abc', {}, 'DeleteObjectTagging'],
  ['GET', '/bk1/k?attributes&versionId=abc', {}, 'GetObjectAttributes'],
  ['PUT', '/bk1?versioning', {}, 'PutBucketVersioning'],
  ['GET', '/bk1?versions', {}, 'ListObjectVersions'],
  ['GET', '/bk1?versions&prefix=a&key-marker=b', {}, 'ListObjectVersions'],
  ['GET', '/bk1?object-lock', {}, 'GetObjectLockConfiguration'],
  ['PUT', '/bk1?object-lock', {}, 'PutObjectLockConfiguration'],
  ['GET', '/bk1/k?retention', {}, 'GetObjectRetention'],
  ['PUT', '/bk1/k?retention&versionId=abc', {}, 'PutObjectRetention'],
  ['GET', '/bk1/k?legal-hold', {}, 'GetObjectLegalHold'],
  ['PUT', '/bk1/k?legal-hold', {}, 'PutObjectLegalHold'],
  ['GET', '/bk1?lifecycle', {}, 'GetBucketLifecycleConfiguration'],
  ['PUT', '/bk1?lifecycle', {}, 'PutBucketLifecycleConfiguration'],
  ['DELETE', '/bk1?lifecycle', {}, 'DeleteBucketLifecycle'],
  ['HEAD', '/bk1/k', {}, 'HeadObject'],
  ['DELETE', '/bk1/k', {}, 'DeleteObject'],
  ['GET', '/bk1/k?acl', {}, 'GetObjectAcl'],
  ['PUT', '/bk1/k?acl', {}, 'PutObjectAcl'],
  ['POST', '/bk1/k?uploads', {}, 'CreateMultipartUpload'],
  ['PUT', '/bk1/k?partNumber=1&uploadId=u', {}, 'UploadPart'],
  ['PUT', '/bk1/k?partNumber=1&uploadId=u', { 'x-amz-copy-source': 'bk2/k' }, 'UploadPartCopy'],
  ['POST', '/bk1/k?uploadId=u', {}, 'CompleteMultipartUpload'],
  ['DELETE', '/bk1/k?uploadId=u', {}, 'AbortMultipartUpload'],
  ['GET', '/bk1/k?uploadId=u', {}, 'ListParts'],
  ['GET', '/bk1/k?tagging', {}, 'GetObjectTagging'],
  ['PUT', '/bk1/k?tagging', {}, 'PutObjectTagging'],
  ['DELETE', '/bk1/k?tagging', {}, 'DeleteObjectTagging'],
  ['GET', '/bk1?tagging', {}, 'GetBucketTagging'],
  ['PUT', '/bk1?tagging', {}, 'PutBucketTagging'],
  ['DELETE', '/bk1?tagging', {}, 'DeleteBucketTagging'],
  ['GET', '/bk1?cors', {}, 'GetBucketCors'],
  ['PUT', '/bk1?cors', {}, 'PutBucketCors'],
  ['DELETE', '/bk1?cors', {}, 'DeleteBucketCors'],
  ['OPTIONS', '/bk1/k', {}, 'OptionsObject'],
  ['OPTIONS', '/bk1', {}, 'OptionsObject'],
  ['POST', '/bk1', {}, 'PostObject'],
  ['GET', '/bk1?publicAccessBlock', {}, 'GetPublicAccessBlock'],
  ['PUT', '/bk1?publicAccessBlock', {}, 'PutPublicAccessBlock'],
  ['DELETE', '/bk1?publicAccessBlock', {}, 'DeletePublicAccessBlock'],
  ['GET', '/bk1?ownershipControls', {}, 'GetBucketOwnershipControls'],
  ['PUT', '/bk1?ownershipControls', {}, 'PutBucketOwnershipControls'],
  ['DELETE', '/bk1?ownershipControls', {}, 'DeleteBucketOwnershipControls'],
  ['GET', '/bk1/k?attributes', {}, 'GetObjectAttributes'],
  ['GET', '/bk1?logging', {}, 'GetBucketLogging'],
  ['PUT', '/bk1?logging', {}, 'PutBucketLogging'],
];

test('each AWS request line routes to its operation', () => {
  for (const [method, url, headers, op] of CASES) {
    assert.equal(route(method, parseTarget(url, undefined, ''), headers), op, `${method} ${url}`);
  }
});

test('features not built answer 501, never a wrong success', () => {
  for (const [method, url] of [
    ['GET', '/bk1?website'],
    ['PUT', '/bk1?replication'],
    ['GET', '/bk1/k?uploadId=u&versionId=abc'],
    ['POST', '/bk1/k?select&select-type=2'],
    ['POST', '/bk1/k'],
  ]) {
    assert.throws(
      () => route(method!, parseTarget(url!, undefined, ''), {}),
      (e: unknown) => e instanceof S3Error && e.code === 'NotImplemented',
      `${method} ${url}`,
    );
  }
  assert.throws(
    () => route('PATCH', parseTarget('/bk1/k', undefined, ''), {}),
    (e: unknown) => e instanceof S3Error && e.code === 'MethodNotAllowed',
  );
});

test('OPERATIONS: the writes refused in read-only mode, and the compatibility views derived from it', () => {
  const writes: Operation[] = [
    'CreateBucket',
    'DeleteBucket',
    'DeleteObjects',
    'PutBucketAcl',
    'PutBucketPolicy',
    'DeleteBucketPolicy',
    'PutBucketEncryption',
    'DeleteBucketEncryption',
    'PutObject',
    'CopyObject',
    'DeleteObject',
    'PutObjectAcl',
    'CreateMultipartUpload',
    'UploadPart',
    'UploadPartCopy',
    'CompleteMultipartUpload',
    'AbortMultipartUpload',
    'PutObjectTagging',
    'DeleteObjectTagging',
    'PutBucketTagging',
    'DeleteBucketTagging',
    'PutBucketCors',
    'DeleteBucketCors',
    'PostObject',
    'PutPublicAccessBlock',
    'DeletePublicAccessBlock',
    'PutBucketOwnershipControls',
    'DeleteBucketOwnershipControls',
    'PutBucketLogging',
    'PutBucketVersioning',
    'PutObjectLockConfiguration',
    'PutObjectRetention',
    'PutObjectLegalHold',
    'PutBucketLifecycleConfiguration',
    'DeleteBucketLifecycle',
  ];
  const mutating = (Object.keys(OPERATIONS) as Operation[]).filter((op) => OPERATIONS[op].mutating);
  assert.deepEqual(mutating.sort(), [...writes].sort());
  assert.deepEqual([...MUTATING].sort(), [...writes].sort());
  for (const op of Object.keys(OPERATIONS) as Operation[]) assert.equal(OPERATION_ACTION[op], OPERATIONS[op].action);
  assert.equal(OPERATIONS.CopyObject.action, 's3:PutObject');
  assert.equal(OPERATIONS.HeadBucket.action, 's3:ListBucket');
});
