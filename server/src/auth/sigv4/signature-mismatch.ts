import { SigV4Error } from './errors.js';

/** "50 55 54": the space-separated lowercase hex bytes AWS echoes beside the strings. */
export function hexBytes(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}

/**
 * 403 SignatureDoesNotMatch with AWS's debugging elements. `canonicalRequest` is absent for
 * chunk and trailer signatures, whose string to sign has no canonical request.
 */
export function signatureDoesNotMatch(
  accessKeyId: string,
  stringToSign: string,
  signatureProvided: string,
  canonicalRequest?: string,
): SigV4Error {
  const extra: Record<string, string> = {
    AWSAccessKeyId: accessKeyId,
    StringToSign: stringToSign,
    SignatureProvided: signatureProvided,
    StringToSignBytes: hexBytes(stringToSign),
  };
  if (canonicalRequest !== undefined) {
    extra.CanonicalRequest = canonicalRequest;
    extra.CanonicalRequestBytes = hexBytes(canonicalRequest);
  }
  return new SigV4Error('SignatureDoesNotMatch', { extra });
}
