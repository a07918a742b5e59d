/** Errors of reading the request target: the URI, the bucket name and the key. AWS's codes and texts. */
import { CodedError, type CodedErrorOptions } from '../util/coded-error.js';

export const TARGET_ERROR_MESSAGES = {
  InvalidBucketName: 'The specified bucket is not valid.',
  InvalidURI: "Couldn't parse the specified URI.",
  KeyTooLongError: 'Your key is too long',
} as const satisfies Record<string, string>;

export type TargetErrorCode = keyof typeof TARGET_ERROR_MESSAGES;

export class TargetError extends CodedError<TargetErrorCode> {
  override readonly name = 'TargetError';

  constructor(code: TargetErrorCode, options: CodedErrorOptions = {}) {
    super(code, TARGET_ERROR_MESSAGES[code], options);
  }
}
