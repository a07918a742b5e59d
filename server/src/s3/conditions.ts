import { principalContext } from '../policy/principal.js';
import type { RequestContext } from './context.js';
import type { Operation } from './router.js';
import { tagConditionKeys } from './tagging.js';

/**
 * The condition keys of this request, built on first use and then kept: authorization
 * asks for them only when a bucket policy is evaluated (most buckets have none).
 */
export function lazyConditionContext(ctx: RequestContext, operation: Operation): () => Record<string, string | string[]> {
  let built: Record<string, string | string[]> | undefined;
  return () => (built ??= conditionContext(ctx, operation));
}

/** The condition keys a bucket policy can test, for this request. */
export function conditionContext(ctx: RequestContext, operation: Operation): Record<string, string | string[]> {
  const now = new Date();
  const h = ctx.req.headers;
  const out: Record<string, string | string[]> = {
    ...principalContext(ctx.principal),
    'aws:SourceIp': ctx.remoteAddr,
    'aws:SecureTransport': ctx.secure ? 'true' : 'false',
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
  };
  if (typeof h['user-agent'] === 'string') out['aws:UserAgent'] = h['user-agent'];
  if (typeof h['referer'] === 'string') out['aws:Referer'] = h['referer'];
  if (typeof h['x-amz-acl'] === 'string') out['s3:x-amz-acl'] = h['x-amz-acl'];
  if (typeof h['x-amz-content-sha256'] === 'string') out['s3:x-amz-content-sha256'] = h['x-amz-content-sha256'];
  // What a write asks for; a request relying on the bucket default has no value (AWS: the key is absent).
  if (typeof h['x-amz-server-side-encryption'] === 'string') out['s3:x-amz-server-side-encryption'] = h['x-amz-server-side-encryption'];
  const kmsKey = h['x-amz-server-side-encryption-aws-kms-key-id'];
  if (typeof kmsKey === 'string') out['s3:x-amz-server-side-encryption-aws-kms-key-id'] = kmsKey;
  for (const g of ['read', 'write', 'read-acp', 'write-acp', 'full-control']) {
    const v = h[`x-amz-grant-${g}`];
    if (typeof v === 'string') out[`s3:x-amz-grant-${g}`] = v;
  }
  const auth = ctx.auth;
  if (auth && auth.kind !== 'anonymous') {
    out['s3:authType'] = auth.kind === 'header' ? 'REST-HEADER' : 'REST-QUERY-STRING';
    out['s3:signatureversion'] = auth.signatureVersion ?? 'AWS4-HMAC-SHA256';
    out['s3:signatureAge'] = String(Math.max(0, now.getTime() - auth.requestTime.getTime()));
  }
  if (operation === 'ListObjects' || operation === 'ListObjectsV2') {
    const q = ctx.target?.query;
    for (const k of ['prefix', 'delimiter', 'max-keys'] as const) {
      const v = q?.get(k)?.[0];
      if (v !== undefined) out[`s3:${k}`] = v;
    }
  }
  // The request's tags (parsed once, in handle.ts): s3:RequestObjectTag/<k>, s3:RequestObjectTagKeys.
  Object.assign(out, tagConditionKeys(ctx.requestTags));
  return out;
}
