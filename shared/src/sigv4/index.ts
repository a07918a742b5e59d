// Explicit exports: the package surface is what is listed here, nothing by accident.
export { formatAmzDate, parseAmzDate } from './amz-date.js';
export { canonicalHeaderValue, canonicalHeaders, collectHeaders, type HeaderMap } from './canonical-headers.js';
export { canonicalQuery, parseQuery, type CanonicalQueryOptions, type QueryParam } from './canonical-query.js';
export { createCanonicalRequest, type CanonicalRequestParts } from './canonical-request.js';
export { canonicalUri, normalizePath, type CanonicalUriOptions } from './canonical-uri.js';
export { constantTimeEqual } from './constant-time.js';
export {
  ALGORITHM,
  AMZ_DATE_HEADER,
  AUTHORIZATION_HEADER,
  CHUNK_ALGORITHM,
  CONTENT_SHA256_HEADER,
  EMPTY_SHA256,
  KEY_TYPE_IDENTIFIER,
  MAX_CLOCK_SKEW_MS,
  MAX_PRESIGNED_EXPIRES_SECONDS,
  QUERY_ALGORITHM,
  QUERY_CONTENT_SHA256,
  QUERY_CREDENTIAL,
  QUERY_DATE,
  QUERY_EXPIRES,
  QUERY_SECURITY_TOKEN,
  QUERY_SIGNATURE,
  QUERY_SIGNED_HEADERS,
  SECURITY_TOKEN_HEADER,
  STREAMING_ECDSA_PAYLOAD,
  STREAMING_ECDSA_PAYLOAD_TRAILER,
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  TRAILER_ALGORITHM,
  UNSIGNED_PAYLOAD,
} from './constants.js';
export {
  presignUrl,
  presignUrlDetailed,
  signRequest,
  signRequestDetailed,
  splitUrl,
  type Credentials,
  type HeaderInput,
  type PresignDetails,
  type PresignUrlInput,
  type SignRequestInput,
  type SignatureDetails,
} from './signer.js';
export { computeSignature, deriveSigningKey, hmac } from './signing-key.js';
export {
  canonicalTrailers,
  createChunkStringToSign,
  createScope,
  createStringToSign,
  canonicalRequestBytes,
  createTrailerStringToSign,
  sha256Hex,
} from './string-to-sign.js';
export { percentDecode, uriEncode } from './uri-encode.js';
