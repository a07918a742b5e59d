/**
 * The SigV4 verifier: header auth, presigned URLs, and the seed of aws-chunked uploads.
 * Pure: the only I/O is the `lookup` callback for the secret. Every failure is a SigV4Error
 * with AWS's code and extra elements; the planes pick the status.
 */
import {
  MAX_CLOCK_SKEW_MS,
  QUERY_SIGNATURE,
  canonicalHeaderValue,
  canonicalHeaders,
  canonicalQuery,
  canonicalUri,
  collectHeaders,
  computeSignature,
  constantTimeEqual,
  createCanonicalRequest,
  createScope,
  createStringToSign,
  canonicalRequestBytes,
  deriveSigningKey,
  parseAmzDate,
  parseQuery,
  type QueryParam,
} from '@anode/shared/sigv4/index';
import { SigV4Error } from './errors.js';
import { isSigV2, verifySigV2 } from '../sigv2/verify-sigv2.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import type { CredentialScope } from './credential-scope.js';
import { payloadModeFromHeader, payloadModeFromQuery } from './payload-mode.js';
import { hasQueryAuth, hasSigV2QueryAuth, parseQueryAuth } from './query-auth.js';
import { signatureDoesNotMatch } from './signature-mismatch.js';
import type { AuthRequest, PayloadMode, VerifiedAuth, VerifyOptions } from './types.js';

type Kind = 'header' | 'presigned';

/** AWS's time format in error bodies: 2013-05-24T00:00:00Z (no milliseconds). */
function awsTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function verifyRequest(req: AuthRequest, opts: VerifyOptions): Promise<VerifiedAuth> {
  const headers = collectHeaders(req.rawHeaders);
  const params = parseQuery(req.rawQuery);
  const authorization = headers.get('authorization');
  const queryAuth = hasQueryAuth(params);

  if (authorization !== undefined && queryAuth) {
    throw new SigV4Error('InvalidArgument', {
      message:
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      extra: { ArgumentName: 'Authorization', ArgumentValue: authorization.join(',') },
    });
  }
  if (opts.allowSigV2 === true && !queryAuth && isSigV2(authorization, params)) return verifySigV2(req, opts);
  if (authorization !== undefined) return verifyHeaderAuth(req, opts, headers, params, authorization);
  if (queryAuth) return verifyQueryAuth(req, opts, headers, params);
  if (hasSigV2QueryAuth(params)) {
    throw new SigV4Error('InvalidRequest', {
      message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    });
  }
  return { kind: 'anonymous' };
}

async function verifyHeaderAuth(
  req: AuthRequest,
  opts: VerifyOptions,
  headers: Map<string, string[]>,
  params: QueryParam[],
  authorization: string[],
): Promise<VerifiedAuth> {
  if (authorization.length > 1) {
    throw new SigV4Error('AuthorizationHeaderMalformed', {
      message: 'The authorization header is malformed; only one Authorization header is allowed.',
    });
  }
  const auth = parseAuthorizationHeader(authorization[0]!);
  checkScope(auth.credential, opts, 'header');

  const amzDateValues = headers.get('x-amz-date');
  const amzDate = amzDateValues === undefined ? '' : canonicalHeaderValue(amzDateValues);
  const requestTime = parseAmzDate(amzDate);
  if (requestTime === undefined) {
    throw new SigV4Error('AccessDenied', { message: 'AWS authentication requires a valid Date or x-amz-date header' });
  }
  checkScopeDate(auth.credential, amzDate, 'header');
  if (Math.abs(opts.now.getTime() - requestTime.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new SigV4Error('RequestTimeTooSkewed', {
      extra: { RequestTime: amzDate, ServerTime: awsTime(opts.now), MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS },
    });
  }

  const contentSha = headers.get('x-amz-content-sha256');
  const payloadLine = contentSha === undefined ? undefined : canonicalHeaderValue(contentSha);
  const payload = payloadModeFromHeader(payloadLine, req.method);
  checkSignedHeaders(headers, auth.signedHeaders);

  return finish(req, opts, headers, params, {
    kind: 'header',
    credential: auth.credential,
    signedHeaders: auth.signedHeaders,
    signature: auth.signature,
    amzDate,
    requestTime,
    payloadLine: payloadLine!,
    payload,
    omitFromQuery: [],
  });
}

async function verifyQueryAuth(
  req: AuthRequest,
  opts: VerifyOptions,
  headers: Map<string, string[]>,
  params: QueryParam[],
): Promise<VerifiedAuth> {
  const q = parseQueryAuth(params);
  checkScope(q.credential, opts, 'presigned');
  const requestTime = parseAmzDate(q.amzDate);
  if (requestTime === undefined) {
    throw new SigV4Error('AuthorizationQueryParametersError', {
      message: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    });
  }
  checkScopeDate(q.credential, q.amzDate, 'presigned');
  const now = opts.now.getTime();
  if (requestTime.getTime() - now > MAX_CLOCK_SKEW_MS) {
    throw new SigV4Error('AccessDenied', { message: 'Request is not valid yet' });
  }
  // X-Amz-Expires of 0 or below is an already-expired URL (403, as AWS answers), not a 400.
  const expires = new Date(requestTime.getTime() + q.expiresSeconds * 1000);
  if (now > expires.getTime() || q.expiresSeconds <= 0) {
    throw new SigV4Error('AccessDenied', {
      message: 'Request has expired',
      extra: { 'X-Amz-Expires': q.expiresRaw, Expires: awsTime(expires), ServerTime: awsTime(opts.now) },
    });
  }
  const payload = payloadModeFromQuery(q.contentSha256);
  checkSignedHeaders(headers, q.signedHeaders);

  return finish(req, opts, headers, params, {
    kind: 'presigned',
    credential: q.credential,
    signedHeaders: q.signedHeaders,
    signature: q.signature,
    amzDate: q.amzDate,
    requestTime,
    payloadLine: q.contentSha256 ?? 'UNSIGNED-PAYLOAD',
    payload,
    omitFromQuery: [QUERY_SIGNATURE],
  });
}

interface Checked {
  kind: Kind;
  credential: CredentialScope;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  requestTime: Date;
  payloadLine: string;
  payload: PayloadMode;
  omitFromQuery: string[];
}

/** Looks up the secret, recomputes the signature and compares in constant time. */
async function finish(
  req: AuthRequest,
  opts: VerifyOptions,
  headers: Map<string, string[]>,
  params: QueryParam[],
  c: Checked,
): Promise<VerifiedAuth> {
  const secret = await opts.lookup(c.credential.accessKeyId);
  if (secret === undefined) {
    throw new SigV4Error('InvalidAccessKeyId', { extra: { AWSAccessKeyId: c.credential.accessKeyId } });
  }
  const canonicalRequest = createCanonicalRequest({
    method: req.method,
    canonicalUri: canonicalUri(req.rawPath),
    canonicalQuery: canonicalQuery(params, { omit: c.omitFromQuery }),
    canonicalHeaders: canonicalHeaders(headers, c.signedHeaders),
    signedHeaders: c.signedHeaders,
    payloadHash: c.payloadLine,
  });
  const scope = createScope(c.credential.date, c.credential.region, c.credential.service);
  const stringToSign = createStringToSign(c.amzDate, scope, canonicalRequestBytes(canonicalRequest));
  const signingKey = deriveSigningKey(secret, c.credential.date, c.credential.region, c.credential.service);
  const expected = computeSignature(signingKey, stringToSign);
  if (!constantTimeEqual(expected, c.signature)) {
    throw signatureDoesNotMatch(c.credential.accessKeyId, stringToSign, c.signature, canonicalRequest);
  }
  const result: VerifiedAuth = {
    kind: c.kind,
    accessKeyId: c.credential.accessKeyId,
    payload: c.payload,
    requestTime: c.requestTime,
    signedHeaders: c.signedHeaders,
  };
  if (c.payload.type === 'streaming-signed') {
    result.chunkSigning = { signingKey, seedSignature: c.signature, amzDate: c.amzDate, scope };
  }
  return result;
}

function scopeError(kind: Kind, detail: string, extra?: Record<string, string>): SigV4Error {
  return kind === 'header'
    ? new SigV4Error('AuthorizationHeaderMalformed', {
        message: `The authorization header is malformed; ${detail}`,
        ...(extra === undefined ? {} : { extra }),
      })
    : new SigV4Error('AuthorizationQueryParametersError', {
        message: `Error parsing the X-Amz-Credential parameter; ${detail}`,
        ...(extra === undefined ? {} : { extra }),
      });
}

function checkScope(credential: CredentialScope, opts: VerifyOptions, kind: Kind): void {
  if (credential.region !== opts.region) {
    throw scopeError(kind, `the region '${credential.region}' is wrong; expecting '${opts.region}'`, { Region: opts.region });
  }
  if (credential.service !== opts.service) {
    throw scopeError(kind, `incorrect service "${credential.service}". This endpoint belongs to "${opts.service}".`);
  }
  if (credential.terminator !== 'aws4_request') {
    throw scopeError(kind, `incorrect terminal "${credential.terminator}". This endpoint uses "aws4_request".`);
  }
}

function checkScopeDate(credential: CredentialScope, amzDate: string, kind: Kind): void {
  if (credential.date !== amzDate.slice(0, 8)) {
    throw scopeError(kind, 'Invalid credential date. Date is not the same as X-Amz-Date.');
  }
}

/**
 * `host` must be signed, and so must every x-amz-* header present: an unsigned x-amz-acl
 * would let anyone on the path make an object public.
 */
function checkSignedHeaders(headers: ReadonlyMap<string, readonly string[]>, signed: readonly string[]): void {
  const signedSet = new Set(signed);
  const notSigned: string[] = [];
  if (!signedSet.has('host')) notSigned.push('host');
  for (const name of headers.keys()) {
    if (name.startsWith('x-amz-') && !signedSet.has(name)) notSigned.push(name);
  }
  if (notSigned.length > 0) {
    throw new SigV4Error('AccessDenied', {
      message: 'There were headers present in the request which were not signed',
      extra: { HeadersNotSigned: notSigned.join(', ') },
    });
  }
}
