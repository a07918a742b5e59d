/**
 * AWS Signature Version 2, for legacy clients only (aws-cli v1's `s3 presign`, old s3cmd
 * and boto configs). Off unless `[auth] allow_sigv2 = true`: SigV2 signs with HMAC-SHA1,
 * covers no body and few headers, and AWS itself retired it. Header form
 * (`Authorization: AWS AKID:signature`) and query form (AWSAccessKeyId, Expires,
 * Signature), as the S3 "Signing and authenticating REST requests" page defines them.
 */
import { createHmac } from 'node:crypto';
import { collectHeaders, constantTimeEqual, parseQuery, type QueryParam } from '@anode/shared/sigv4/index';
import { SigV4Error } from '../sigv4/errors.js';
import type { AuthRequest, VerifiedAuth, VerifyOptions } from '../sigv4/types.js';

/** Same window as SigV4: a request dated more than 15 minutes away is refused. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * Query parameters that are part of the signed resource ("sub-resources" and response
 * overrides), as S3 lists them; every other parameter is left out of the string to sign.
 */
const SUB_RESOURCES = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'partNumber',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'retention',
  'select',
  'select-type',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
]);

/** True when the request carries SigV2 credentials in either form. */
export function isSigV2(authorization: readonly string[] | undefined, params: readonly QueryParam[]): boolean {
  if (authorization !== undefined) return authorization.length === 1 && /^AWS [^\s:]+:/.test(authorization[0]!.trim());
  return params.some((p) => p.name === 'AWSAccessKeyId') && params.some((p) => p.name === 'Signature');
}

export interface SigV2Request extends AuthRequest {
  /** The bucket when it came from the Host header: the signed resource starts with it. */
  virtualHostBucket?: string;
}

export async function verifySigV2(req: SigV2Request, opts: VerifyOptions): Promise<VerifiedAuth> {
  const headers = collectHeaders(req.rawHeaders);
  const params = parseQuery(req.rawQuery);
  const authorization = headers.get('authorization');
  const one = (name: string): string => (headers.get(name) ?? []).join(',').trim();

  let accessKeyId: string;
  let signature: string;
  let dateLine: string;
  let requestTime: Date;
  let kind: 'header' | 'presigned';
  if (authorization !== undefined) {
    kind = 'header';
    const m = /^AWS ([^\s:]+):(\S+)$/.exec(authorization[0]!.trim());
    if (!m) throw new SigV4Error('AccessDenied', { message: 'AWS authentication requires a valid Authorization header' });
    accessKeyId = m[1]!;
    signature = m[2]!;
    // With x-amz-date the Date line is empty and x-amz-date is signed among the x-amz headers.
    const amzDate = one('x-amz-date');
    const date = amzDate !== '' ? amzDate : one('date');
    const parsed = date === '' ? NaN : Date.parse(date);
    if (Number.isNaN(parsed))
      throw new SigV4Error('AccessDenied', { message: 'AWS authentication requires a valid Date or x-amz-date header' });
    requestTime = new Date(parsed);
    if (Math.abs(opts.now.getTime() - parsed) > MAX_CLOCK_SKEW_MS) {
      throw new SigV4Error('RequestTimeTooSkewed', {
        extra: { RequestTime: date, ServerTime: opts.now.toUTCString(), MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS },
      });
    }
    dateLine = amzDate !== '' ? '' : one('date');
  } else {
    kind = 'presigned';
    const get = (name: string): string | undefined => params.find((p) => p.name === name)?.value;
    accessKeyId = get('AWSAccessKeyId') ?? '';
    signature = get('Signature') ?? '';
    const expires = get('Expires') ?? '';
    if (!/^\d{1,12}$/.test(expires)) {
      throw new SigV4Error('AccessDenied', {
        message: 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
      });
    }
    if (Number(expires) * 1000 < opts.now.getTime()) {
      throw new SigV4Error('AccessDenied', {
        message: 'Request has expired',
        extra: { Expires: new Date(Number(expires) * 1000).toISOString(), ServerTime: opts.now.toISOString() },
      });
    }
    dateLine = expires;
    requestTime = opts.now;
  }

  const secret = await opts.lookup(accessKeyId);
  if (secret === undefined) throw new SigV4Error('InvalidAccessKeyId', { extra: { AWSAccessKeyId: accessKeyId } });
  const head = [req.method, one('content-md5'), one('content-type'), dateLine, amzHeaders(headers)].join('\n');
  // A bucket-only path is signed as "/bucket/" by botocore and as sent by others: take either.
  const candidates = resources(req, params).map((r) => head + r);
  const matched = candidates.map((c) =>
    constantTimeEqual(createHmac('sha1', secret).update(Buffer.from(c, 'latin1')).digest('base64'), signature),
  );
  const stringToSign = candidates[0]!;
  if (!matched.includes(true)) {
    throw new SigV4Error('SignatureDoesNotMatch', {
      extra: { AWSAccessKeyId: accessKeyId, StringToSign: stringToSign, SignatureProvided: signature },
    });
  }
  return {
    kind,
    accessKeyId,
    payload: { type: 'unsigned' },
    requestTime,
    signedHeaders: [],
    signatureVersion: 'AWS',
  };
}

/** "x-amz-name:value\n" per x-amz-* header, names sorted, repeats joined with ",". */
function amzHeaders(headers: ReadonlyMap<string, readonly string[]>): string {
  return [...headers.keys()]
    .filter((n) => n.startsWith('x-amz-'))
    .sort()
    .map(
      (n) =>
        `${n}:${headers
          .get(n)!
          .map((v) => v.trim())
          .join(',')}\n`,
    )
    .join('');
}

/**
 * The signed resource: the path as sent (with the bucket first when it came from the Host),
 * then the sub-resources; for a bucket-only path also its "/bucket/" form.
 */
function resources(req: SigV2Request, params: readonly QueryParam[]): string[] {
  const path = req.virtualHostBucket !== undefined ? `/${req.virtualHostBucket}${req.rawPath}` : req.rawPath;
  const sub = params
    .filter((p) => SUB_RESOURCES.has(p.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => (p.value === '' ? p.name : `${p.name}=${p.value}`));
  const query = sub.length === 0 ? '' : `?${sub.join('&')}`;
  const paths = /^\/[^/]+$/.test(path) ? [path, `${path}/`] : [path];
  return paths.map((p) => p + query);
}
