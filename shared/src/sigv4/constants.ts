/** Names and literals of AWS Signature Version 4 as S3 uses them. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const CHUNK_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
export const TRAILER_ALGORITHM = 'AWS4-HMAC-SHA256-TRAILER';
export const KEY_TYPE_IDENTIFIER = 'aws4_request';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
/** SigV4a streaming modes: recognised so we can refuse them clearly, not supported. */
export const STREAMING_ECDSA_PAYLOAD = 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD';
export const STREAMING_ECDSA_PAYLOAD_TRAILER = 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER';

/** hex(SHA-256("")) */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const AMZ_DATE_HEADER = 'x-amz-date';
export const CONTENT_SHA256_HEADER = 'x-amz-content-sha256';
export const SECURITY_TOKEN_HEADER = 'x-amz-security-token';
export const AUTHORIZATION_HEADER = 'authorization';

/** Query parameters of presigned URLs, spelled as on the wire. */
export const QUERY_ALGORITHM = 'X-Amz-Algorithm';
export const QUERY_CREDENTIAL = 'X-Amz-Credential';
export const QUERY_DATE = 'X-Amz-Date';
export const QUERY_EXPIRES = 'X-Amz-Expires';
export const QUERY_SIGNED_HEADERS = 'X-Amz-SignedHeaders';
export const QUERY_SIGNATURE = 'X-Amz-Signature';
export const QUERY_SECURITY_TOKEN = 'X-Amz-Security-Token';
export const QUERY_CONTENT_SHA256 = 'X-Amz-Content-Sha256';

/** Presigned URLs live at most 7 days. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604800;
/** S3 accepts header-auth requests up to 15 minutes away from server time. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
