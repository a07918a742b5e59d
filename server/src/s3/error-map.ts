/**
 * The S3 plane's edge for lower-layer errors: each LayerErrorCode names the S3 error it
 * becomes. The layers reuse AWS's names, so today the table is one to one; it is still the
 * one place that decides, and a code missing here fails the type-check.
 */
import { isLayerError, type LayerErrorCode } from '../layer-errors.js';
import { S3Error, isS3Error, type S3ErrorCode } from './errors.js';

export const S3_CODE_OF: Readonly<Record<LayerErrorCode, S3ErrorCode>> = {
  AccessDenied: 'AccessDenied',
  AuthorizationHeaderMalformed: 'AuthorizationHeaderMalformed',
  AuthorizationQueryParametersError: 'AuthorizationQueryParametersError',
  BadDigest: 'BadDigest',
  IncompleteBody: 'IncompleteBody',
  InvalidAccessKeyId: 'InvalidAccessKeyId',
  InvalidArgument: 'InvalidArgument',
  InvalidBucketName: 'InvalidBucketName',
  InvalidChunkSizeError: 'InvalidChunkSizeError',
  InvalidDigest: 'InvalidDigest',
  InvalidRequest: 'InvalidRequest',
  InvalidURI: 'InvalidURI',
  KeyTooLongError: 'KeyTooLongError',
  KeyNotFound: 'KMS.NotFoundException',
  KeyProviderUnavailable: 'ServiceUnavailable',
  KeyUnwrapFailed: 'InternalError',
  MalformedACLError: 'MalformedACLError',
  MalformedPolicy: 'MalformedPolicy',
  MalformedTrailerError: 'MalformedTrailerError',
  MalformedXML: 'MalformedXML',
  NotImplemented: 'NotImplemented',
  RequestTimeTooSkewed: 'RequestTimeTooSkewed',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
  XAmzContentSHA256Mismatch: 'XAmzContentSHA256Mismatch',
};

/**
 * The S3Error a client sees for `err`: S3Errors as they are, layer errors through the
 * table (message and extra elements kept, the layer error as cause), anything else null.
 */
export function toS3Error(err: unknown): S3Error | null {
  if (isS3Error(err)) return err;
  if (!isLayerError(err)) return null;
  return new S3Error(S3_CODE_OF[err.code], { message: err.message, extra: { ...err.extra }, cause: err });
}
