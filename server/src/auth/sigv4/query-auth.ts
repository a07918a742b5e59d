import {
  ALGORITHM,
  QUERY_ALGORITHM,
  QUERY_CONTENT_SHA256,
  QUERY_CREDENTIAL,
  QUERY_DATE,
  QUERY_EXPIRES,
  QUERY_SECURITY_TOKEN,
  QUERY_SIGNATURE,
  QUERY_SIGNED_HEADERS,
  type QueryParam,
} from '@anode/shared/sigv4/index';
import { SigV4Error } from './errors.js';
import { parseSignedHeaders } from './authorization-header.js';
import { parseCredential, type CredentialScope } from './credential-scope.js';

/** Every parameter of query auth; none may repeat (in any letter case). */
const AUTH_PARAMS = [
  QUERY_ALGORITHM,
  QUERY_CREDENTIAL,
  QUERY_DATE,
  QUERY_EXPIRES,
  QUERY_SIGNED_HEADERS,
  QUERY_SIGNATURE,
  QUERY_SECURITY_TOKEN,
  QUERY_CONTENT_SHA256,
];
const AUTH_PARAMS_LOWER = new Set(AUTH_PARAMS.map((p) => p.toLowerCase()));

/** Parameters whose presence means the client attempted SigV4 query auth. */
const MARKERS = new Set([QUERY_ALGORITHM, QUERY_CREDENTIAL, QUERY_SIGNATURE, QUERY_SIGNED_HEADERS].map((p) => p.toLowerCase()));

export function hasQueryAuth(params: readonly QueryParam[]): boolean {
  return params.some((p) => MARKERS.has(p.name.toLowerCase()));
}

/** SigV2 query auth (AWSAccessKeyId + Signature), which we refuse. */
export function hasSigV2QueryAuth(params: readonly QueryParam[]): boolean {
  return params.some((p) => p.name === 'AWSAccessKeyId') && params.some((p) => p.name === 'Signature');
}

export interface ParsedQueryAuth {
  credential: CredentialScope;
  amzDate: string;
  /** The raw X-Amz-Expires value, echoed in the "Request has expired" error. */
  expiresRaw: string;
  expiresSeconds: number;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Content-Sha256 when the client put it in the (signed) query. */
  contentSha256?: string;
}

function queryError(message: string, extra?: Record<string, string>): SigV4Error {
  return new SigV4Error('AuthorizationQueryParametersError', { message, ...(extra === undefined ? {} : { extra }) });
}

export function parseQueryAuth(params: readonly QueryParam[]): ParsedQueryAuth {
  const seen = new Map<string, string>();
  for (const p of params) {
    const lower = p.name.toLowerCase();
    if (!AUTH_PARAMS_LOWER.has(lower)) continue;
    // A repeated auth parameter is a classic signature-confusion trick: never pick one.
    if (seen.has(lower)) throw queryError(`The query parameter ${p.name} appears more than once.`);
    seen.set(lower, p.name);
  }
  const get = (name: string): string | undefined => {
    const p = params.find((q) => q.name === name);
    return p?.value;
  };
  const algorithm = get(QUERY_ALGORITHM);
  const credentialRaw = get(QUERY_CREDENTIAL);
  const amzDate = get(QUERY_DATE);
  const expiresRaw = get(QUERY_EXPIRES);
  const signedRaw = get(QUERY_SIGNED_HEADERS);
  const signature = get(QUERY_SIGNATURE);
  if (
    algorithm === undefined ||
    credentialRaw === undefined ||
    amzDate === undefined ||
    expiresRaw === undefined ||
    signedRaw === undefined ||
    signature === undefined
  ) {
    throw queryError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm !== ALGORITHM) throw queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const credential = parseCredential(credentialRaw);
  if (credential === undefined) {
    throw queryError(
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  if (!/^-?\d{1,10}$/.test(expiresRaw)) throw queryError('X-Amz-Expires should be a number');
  const expiresSeconds = Number(expiresRaw);
  if (expiresSeconds > 604800) {
    throw queryError(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  const signedHeaders = parseSignedHeaders(signedRaw);
  if (signedHeaders === undefined) throw queryError('X-Amz-SignedHeaders is mal-formed.');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw queryError('X-Amz-Signature must be 64 lowercase hex characters.');
  const contentSha256 = get(QUERY_CONTENT_SHA256);
  return {
    credential,
    amzDate,
    expiresRaw,
    expiresSeconds,
    signedHeaders,
    signature,
    ...(contentSha256 === undefined ? {} : { contentSha256 }),
  };
}
