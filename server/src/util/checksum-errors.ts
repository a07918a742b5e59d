/** Errors of the request's integrity headers and of the end-of-body digest check. AWS's codes and texts. */
import { CodedError, type CodedErrorOptions } from './coded-error.js';

export const CHECKSUM_ERROR_MESSAGES = {
  BadDigest: 'The Content-MD5 you specified did not match what we received.',
  InvalidDigest: 'The Content-MD5 you specified was invalid.',
  InvalidRequest: 'Invalid Request',
  XAmzContentSHA256Mismatch: "The provided 'x-amz-content-sha256' header does not match what was computed.",
} as const satisfies Record<string, string>;

export type ChecksumErrorCode = keyof typeof CHECKSUM_ERROR_MESSAGES;

export class ChecksumError extends CodedError<ChecksumErrorCode> {
  override readonly name = 'ChecksumError';

  constructor(code: ChecksumErrorCode, options: CodedErrorOptions = {}) {
    super(code, CHECKSUM_ERROR_MESSAGES[code], options);
  }
}
