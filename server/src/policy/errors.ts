/**
 * Errors of bucket-policy and ACL parsing (headers and bodies). Codes are AWS's names (the
 * S3 plane maps them one to one); default messages are AWS's texts.
 */
import { CodedError, type CodedErrorOptions } from '../util/coded-error.js';

export const POLICY_ERROR_MESSAGES = {
  AccessDenied: 'Access Denied',
  InvalidArgument: 'Invalid Argument',
  InvalidRequest: 'Invalid Request',
  MalformedACLError: 'The XML you provided was not well-formed or did not validate against our published schema',
  MalformedPolicy: "Policies must be valid JSON and the first byte must be '{'",
} as const satisfies Record<string, string>;

export type PolicyErrorCode = keyof typeof POLICY_ERROR_MESSAGES;

/** A policy document, ACL body or grant header that is not acceptable. */
export class PolicyError extends CodedError<PolicyErrorCode> {
  override readonly name = 'PolicyError';

  constructor(code: PolicyErrorCode, options: CodedErrorOptions = {}) {
    super(code, POLICY_ERROR_MESSAGES[code], options);
  }
}
