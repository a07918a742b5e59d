import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { readSmallBody } from '../body.js';
import { corsResponseHeaders, corsXml, matchCorsRule, parseCorsBody, requestedHeaders } from '../cors.js';

/** 100 rules with their origins and headers stay well under this. */
const MAX_CORS_BYTES = 64 * 1024;

export async function handleGetBucketCors(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const rules = ctx.bucket!.settings?.cors;
  if (rules === undefined) throw new S3Error('NoSuchCORSConfiguration', { extra: { BucketName: ctx.bucket!.name } });
  return xmlResult(corsXml(rules));
}

export async function handlePutBucketCors(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  const body = await readSmallBody(ctx, MAX_CORS_BYTES);
  if (body.length === 0) throw new S3Error('MalformedXML');
  const rules = parseCorsBody(body.toString('utf8'));
  await deps.metadata.setBucketSetting(bucket.id, 'cors', rules);
  deps.audit.write(ctx, 'bucket.cors.set', { bucket: bucket.name, rules: rules.length });
  return emptyResult(200);
}

export async function handleDeleteBucketCors(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const bucket = ctx.bucket!;
  await deps.metadata.setBucketSetting(bucket.id, 'cors', null);
  deps.audit.write(ctx, 'bucket.cors.delete', { bucket: bucket.name });
  return emptyResult(204);
}

/**
 * OPTIONS preflight: unauthenticated, answered from the bucket's CORS rules alone. A
 * request no rule allows gets AWS's 403 AccessForbidden "CORSResponse: …".
 */
export async function handlePreflight(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const origin = header(ctx, 'origin');
  const method = header(ctx, 'access-control-request-method');
  if (origin === undefined) throw new S3Error('BadRequest', { message: 'Insufficient information. Origin request header needed.' });
  if (method === undefined) throw new S3Error('BadRequest', { message: `Invalid Access-Control-Request-Method: null` });
  const resourceType = ctx.target?.key !== null && ctx.target?.key !== undefined ? 'OBJECT' : 'BUCKET';
  const rules = ctx.bucket?.settings?.cors;
  if (rules === undefined) {
    throw new S3Error('AccessForbidden', {
      message: 'CORSResponse: CORS is not enabled for this bucket.',
      extra: { Method: method, ResourceType: resourceType },
    });
  }
  const headers = requestedHeaders(header(ctx, 'access-control-request-headers'));
  const rule = matchCorsRule(rules, origin, method, headers);
  if (rule === null) {
    throw new S3Error('AccessForbidden', {
      message:
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      extra: { Method: method, ResourceType: resourceType },
    });
  }
  return emptyResult(200, {
    ...corsResponseHeaders(rule, origin, headers),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  });
}

/** On an actual request with an Origin: the matching rule's headers, on success and error alike. */
export function applyCorsHeaders(ctx: RequestContext): void {
  const origin = header(ctx, 'origin');
  const rules = ctx.bucket?.settings?.cors;
  if (origin === undefined || rules === undefined) return;
  // The answer depends on the Origin whether or not a rule matches: caches must know.
  ctx.res.setHeader('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  const rule = matchCorsRule(rules, origin, ctx.req.method ?? 'GET', []);
  if (rule === null) return;
  for (const [name, value] of Object.entries(corsResponseHeaders(rule, origin, null))) ctx.res.setHeader(name, value as string);
}
