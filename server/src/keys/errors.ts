/**
 * Failures of the key layer (providers and the key ring). The planes map them at their
 * edge: S3 in s3/error-map.ts, admin in admin/errors.ts.
 */
import { CodedError, type CodedErrorOptions } from '../util/coded-error.js';

export const KEY_ERROR_MESSAGES = {
  KeyNotFound: 'Invalid keyId',
  KeyProviderUnavailable: 'The key provider is unavailable. Please try again.',
  KeyUnwrapFailed: 'We encountered an internal error. Please try again.',
} as const satisfies Record<string, string>;

export type KeyErrorCode = keyof typeof KEY_ERROR_MESSAGES;

export class KeyError extends CodedError<'KeyNotFound' | 'KeyProviderUnavailable' | 'KeyUnwrapFailed'> {
  override readonly name = 'KeyError';

  constructor(code: KeyErrorCode, options: CodedErrorOptions = {}) {
    super(code, KEY_ERROR_MESSAGES[code], options);
  }
}
