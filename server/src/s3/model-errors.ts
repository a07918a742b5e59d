/**
 * The S3 plane's reading of model/ failures: each ModelError code becomes the S3Error a
 * client has always seen for it (code, status, message, extra <Error> elements, headers).
 */
import { isModelError, type ModelErrorCode, type ModelErrorDetails } from '../model/errors.js';
import { S3Error } from './errors.js';

const TO_S3: { [C in ModelErrorCode]: (d: ModelErrorDetails[C]) => S3Error } = {
  NoSuchBucket: (d) => new S3Error('NoSuchBucket', { extra: { BucketName: d.bucket } }),
  NoSuchKey: (d) => new S3Error('NoSuchKey', { extra: { Key: d.key } }),
  NoSuchUpload: (d) => new S3Error('NoSuchUpload', { extra: { UploadId: d.uploadId } }),
  PreconditionFailed: (d) => new S3Error('PreconditionFailed', { extra: { Condition: d.condition } }),
  NotModified: (d) => new S3Error('NotModified', { headers: { etag: d.etag, 'last-modified': d.lastModified.toUTCString() } }),
  UnsupportedCondition: () => new S3Error('NotImplemented', { message: 'If-None-Match on writes supports only "*".' }),
  InvalidPart: (d) =>
    d.reason === 'etag'
      ? new S3Error('InvalidPart', { extra: { UploadId: d.uploadId, PartNumber: d.partNumber, ETag: d.etag } })
      : new S3Error('InvalidPart', {
          message: `The checksum of part ${d.partNumber} did not match the uploaded part.`,
          extra: { UploadId: d.uploadId, PartNumber: d.partNumber },
        }),
  InvalidPartOrder: (d) => new S3Error('InvalidPartOrder', { extra: { UploadId: d.uploadId } }),
  EntityTooSmall: (d) =>
    new S3Error('EntityTooSmall', {
      extra: { UploadId: d.uploadId, PartNumber: d.partNumber, ProposedSize: d.size, MinSizeAllowed: d.minSize, ETag: d.etag },
    }),
  ChecksumAlgorithmMismatch: (d) =>
    new S3Error('InvalidRequest', {
      message: `Checksum Type mismatch occurred, expected checksum Type: ${d.expected.toLowerCase()}, actual checksum Type: ${d.actual.toLowerCase()}`,
    }),
  EncryptionUnavailable: () =>
    new S3Error('NotImplemented', {
      message: 'Server-side encryption with server-managed keys needs [storage] encryption = true on this node.',
    }),
  SseCustomerKeyMissing: () =>
    new S3Error('InvalidRequest', {
      message:
        'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
    }),
  SseCustomerKeyMismatch: () => new S3Error('AccessDenied'),
  SseCustomerKeyUnexpected: () =>
    new S3Error('InvalidRequest', { message: 'The encryption parameters are not applicable to this object.' }),
  InvalidVersionId: (d) =>
    new S3Error('InvalidArgument', {
      message: 'Invalid version id specified',
      extra: { ArgumentName: 'versionId', ArgumentValue: d.versionId.slice(0, 256) },
    }),
  NoSuchVersion: (d) => new S3Error('NoSuchVersion', { extra: { Key: d.key, VersionId: d.versionId } }),
  DeleteMarker: (d) => {
    const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': d.versionId, 'last-modified': d.lastModified.toUTCString() };
    return d.byVersionId
      ? new S3Error('MethodNotAllowed', {
          headers: { ...headers, allow: 'DELETE' },
          extra: { Method: 'GET', ResourceType: 'DeleteMarker' },
        })
      : new S3Error('NoSuchKey', { headers, extra: { Key: d.key } });
  },
  ObjectLocked: () => new S3Error('AccessDenied', { message: 'Access Denied because object protected by object lock.' }),
  InvalidLockRequest: (d) => new S3Error('InvalidRequest', { message: d.message }),
  InvalidBucketState: (d) => new S3Error('InvalidBucketState', { message: d.message }),
  NoLockConfiguration: (d) =>
    d.what === 'bucket'
      ? new S3Error('ObjectLockConfigurationNotFoundError')
      : new S3Error('NoSuchObjectLockConfiguration', {
          message:
            d.what === 'retention'
              ? 'The specified object does not have a ObjectLock configuration'
              : 'The specified object does not have a legal hold configuration',
        }),
};

function mapped<C extends ModelErrorCode>(code: C, details: ModelErrorDetails[C], cause: unknown): S3Error {
  const err = TO_S3[code](details);
  // The model error stays reachable for logs; the wire sees only the S3 form.
  return new S3Error(err.code, { message: err.message, extra: err.extra, headers: err.headers, cause });
}

/** The S3Error for a model failure, or null when `err` is not one. */
export function modelErrorToS3(err: unknown): S3Error | null {
  return isModelError(err) ? mapped(err.code, err.details, err) : null;
}
