/**
 * Errors of the SigV4 verifier and the aws-chunked decoder. Codes are AWS's names (the S3
 * plane maps them one to one); default messages are AWS's texts, so a plane that shows
 * `message` says what AWS says.
 */
import { CodedError, type CodedErrorOptions } from '../../util/coded-error.js';

export const SIGV4_ERROR_MESSAGES = {
  AccessDenied: 'Access Denied',
  AuthorizationHeaderMalformed: 'The authorization header is malformed',
  AuthorizationQueryParametersError: 'Error parsing the X-Amz-Credential parameter',
  IncompleteBody: 'You did not provide the number of bytes specified by the Content-Length HTTP header',
  InvalidAccessKeyId: 'The AWS Access Key Id you provided does not exist in our records.',
  InvalidArgument: 'Invalid Argument',
  InvalidChunkSizeError: 'Only the last chunk is allowed to have a size less than 8192 bytes',
  InvalidRequest: 'Invalid Request',
  MalformedTrailerError: 'The request contained trailing data that was not well-formed or did not conform to our published schema.',
  NotImplemented: 'A header you provided implies functionality that is not implemented',
  RequestTimeTooSkewed: "The difference between the request time and the server's time is too large.",
  SignatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
} as const satisfies Record<string, string>;

export type SigV4ErrorCode = keyof typeof SIGV4_ERROR_MESSAGES;

/** A request whose authentication or aws-chunked framing is wrong. */
export class SigV4Error extends CodedError<SigV4ErrorCode> {
  override readonly name = 'SigV4Error';

  constructor(code: SigV4ErrorCode, options: CodedErrorOptions = {}) {
    super(code, SIGV4_ERROR_MESSAGES[code], options);
  }
}
