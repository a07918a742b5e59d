import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTarget } from '../http/target.js';
import { clientAddress } from '../http/client-address.js';
import { hasDuplicateHost } from '../http/host-header.js';
import { verifyRequest } from '../auth/sigv4/verify.js';
import { anonymousMayDelete, authorize, type AuthorizeInput } from '../policy/authorize.js';
import { anonymousDisabledReason } from '../model/lockdown.js';
import { recordDenial, recordReadOnlyDenial } from './record-denial.js';
import { READ_ONLY_TIGHTENING } from './tightening.js';
import type { TokenBuckets } from '../util/token-buckets.js';
import type { Principal } from '../policy/principal.js';
import type { RequestContext } from './context.js';
import type { S3Deps } from './deps.js';
import { S3Error } from './errors.js';
import { toS3Error as fromKnownError } from './error-map.js';
import { sendError, writeResult } from './respond.js';
import { header } from './context.js';
import { modelErrorToS3 } from './model-errors.js';
import { ModelError } from '../model/errors.js';
import { OPERATIONS, route, type Operation } from './router.js';
import { conditionContext, lazyConditionContext } from './conditions.js';
import { HANDLERS } from './handlers/index.js';
import { applyCorsHeaders } from './handlers/cors.js';
import { checkExpectedOwner, refuseAclUnderEnforcedOwnership, refusePublicAcl } from './bucket-guards.js';
import { existingTagConditionKeys, parseTaggingBody, parseTaggingHeader } from './tagging.js';
import { readSmallBody } from './body.js';
import { needsExistingObjectTags } from '../policy/authorize.js';
import { authorizedRecord, requestAction } from './version-access.js';
import { flatHeaders } from './handlers/request-acl.js';

const ANONYMOUS: Principal = { kind: 'anonymous' };

/** Random bytes drawn 4 KiB at a time (one randomFillSync per 512 requests, not one each). */
const idPool = Buffer.alloc(4096);
let idOffset = idPool.length;

/** AWS-style request id: 16 uppercase hex characters. */
function newRequestId(): string {
  if (idOffset + 8 > idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  idOffset += 8;
  return idPool.toString('hex', idOffset - 8, idOffset).toUpperCase();
}

/**
 * One straight line for every S3 request: parse the target → verify the signature →
 * route → refuse writes in read-only mode → resolve the bucket → authorize → dispatch.
 */
export async function handleS3(deps: S3Deps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { address, secure } = clientAddress(req, deps.trustedProxies, deps.tls);
  const ctx: RequestContext = {
    requestId: newRequestId(),
    startedAt: process.hrtime.bigint(),
    req,
    res,
    remoteAddr: address,
    secure,
    principal: ANONYMOUS,
    bytesSent: 0,
  };
  res.setHeader('x-amz-request-id', ctx.requestId);
  res.setHeader('x-amz-id-2', ctx.requestId);
  res.setHeader('server', 'Anode');
  deps.metrics.inFlight.inc({ api: 's3' });
  res.once('close', () => finish(deps, ctx));
  try {
    if (deps.node.isBlocked(address)) throw new S3Error('AccessDenied');
    // An address that spent its failed-authentication budget costs nothing more: refused
    // before its signature is checked (a brute force gains no guesses, others are not slowed).
    if (deps.clientLimits.authFailures.exhausted(address)) throw slowDown(deps, 'auth-failures', deps.clientLimits.authFailures, address);
    await dispatch(deps, ctx);
  } catch (err) {
    try {
      sendError(ctx, toS3Error(deps, ctx, err));
    } catch (sendFailure) {
      // The connection is already gone: nothing left to tell the client.
      deps.logger.warn({ err: sendFailure, requestId: ctx.requestId }, 'could not send the error response');
      res.destroy();
    }
  }
}

async function dispatch(deps: S3Deps, ctx: RequestContext): Promise<void> {
  const { req } = ctx;
  // Node keeps the first of two Host headers, the signature covers both: refuse, as HTTP says.
  if (hasDuplicateHost(req.rawHeaders)) throw new S3Error('InvalidRequest', { message: 'The request has more than one Host header.' });
  const target = parseTarget(req.url ?? '/', req.headers.host, deps.config.server.domain);
  ctx.target = target;
  // A CORS preflight carries no credentials: the bucket's CORS rules alone answer it.
  if (req.method === 'OPTIONS' && target.bucket !== null) {
    ctx.operation = 'OptionsObject';
    if (!deps.clientLimits.anonymous.take(ctx.remoteAddr)) throw slowDown(deps, 'anonymous', deps.clientLimits.anonymous, ctx.remoteAddr);
    const bucket = await deps.metadata.getBucket(target.bucket);
    if (!bucket) throw new S3Error('NoSuchBucket', { extra: { BucketName: target.bucket } });
    ctx.bucket = bucket;
    await writeResult(ctx, await HANDLERS.OptionsObject(deps, ctx));
    return;
  }
  const now = new Date();
  let auth;
  // Set only once the signature has verified: a failed request stays anonymous throughout.
  let principal: Principal | undefined;
  try {
    auth = await verifyRequest(
      {
        method: req.method ?? 'GET',
        rawPath: target.rawPath,
        rawQuery: target.rawQuery,
        rawHeaders: req.rawHeaders,
        ...(target.virtualHost && target.bucket !== null ? { virtualHostBucket: target.bucket } : {}),
      },
      {
        region: deps.config.server.region,
        service: 's3',
        now,
        allowSigV2: deps.config.auth.allow_sigv2,
        lookup: async (accessKey) => {
          const found = await deps.credentials.resolve(accessKey, now);
          principal = found?.principal;
          return found?.secret;
        },
      },
    );
  } catch (err) {
    const known = fromKnownError(err);
    if (known) {
      deps.metrics.authFailures.inc({ reason: known.code });
      deps.clientLimits.authFailures.take(ctx.remoteAddr);
    }
    throw err;
  }
  ctx.auth = auth;
  ctx.principal = auth.kind === 'anonymous' ? ANONYMOUS : (principal ?? ANONYMOUS);
  if (ctx.principal.kind === 'anonymous') {
    if (!deps.clientLimits.anonymous.take(ctx.remoteAddr)) throw slowDown(deps, 'anonymous', deps.clientLimits.anonymous, ctx.remoteAddr);
  } else deps.credentials.touch(ctx.principal.accessKey, now);

  const operation = route(req.method ?? 'GET', target, req.headers);
  ctx.operation = operation;
  // ACL/policy changes that only take access away are judged by their handler (s3/tightening.ts).
  if (deps.node.readOnly && OPERATIONS[operation].mutating && !READ_ONLY_TIGHTENING.has(operation)) {
    recordReadOnlyDenial(deps, ctx, operation, OPERATIONS[operation].action);
    throw new S3Error('AccessDenied', {
      message: 'This node is in read-only mode: writes are refused until an operator turns read-only mode off.',
    });
  }
  if (target.bucket !== null && operation !== 'CreateBucket') {
    const bucket = await deps.metadata.getBucket(target.bucket);
    if (!bucket) throw new S3Error('NoSuchBucket', { extra: { BucketName: target.bucket } });
    ctx.bucket = bucket;
    applyCorsHeaders(ctx);
    checkExpectedOwner(ctx, bucket);
    await guardBucketSettings(ctx, operation, bucket);
  }
  // A browser form names its signer and key in the body: the handler authorizes it.
  if (operation !== 'PostObject') await checkAccess(deps, ctx, operation);
  let result;
  try {
    result = await HANDLERS[operation](deps, ctx);
  } catch (err) {
    throw hideMissingKey(deps, ctx, operation, err);
  }
  await writeResult(ctx, result);
}

/**
 * S3's rule for reads of a missing key: NoSuchKey (404) only to a caller who could list
 * it (s3:ListBucket with s3:prefix = the key); anyone else gets AccessDenied, so the
 * answer does not tell which keys exist.
 */
function hideMissingKey(deps: S3Deps, ctx: RequestContext, operation: Operation, err: unknown): unknown {
  if (operation !== 'GetObject' && operation !== 'HeadObject') return err;
  if (!(err instanceof ModelError && err.code === 'NoSuchKey') || !ctx.bucket || ctx.target?.key == null) return err;
  const context = { ...conditionContext(ctx, operation), 's3:prefix': ctx.target.key };
  if (authorize({ principal: ctx.principal, action: 's3:ListBucket', bucket: ctx.bucket, context }).allowed) return err;
  deps.metrics.permissionDenied.inc();
  return new S3Error('AccessDenied');
}

/**
 * Bucket-level decision first; for object reads by someone the bucket does not already
 * allow, the object's own ACL may still grant access, so it is loaded only then.
 */
async function checkAccess(deps: S3Deps, ctx: RequestContext, operation: Operation): Promise<void> {
  // DeleteObjects names its keys in the body: the handler authorizes each one, but an
  // anonymous caller is refused before the body is read unless the bucket could allow it.
  if (operation === 'DeleteObjects') {
    if (
      ctx.principal.kind === 'anonymous' &&
      ctx.bucket &&
      (anonymousDisabledReason(deps.config.auth.anonymous, deps.lockdown) !== null || !anonymousMayDelete(ctx.bucket))
    ) {
      deps.metrics.permissionDenied.inc();
      throw new S3Error('AccessDenied');
    }
    return;
  }
  const action = requestAction(operation, ctx.target);
  const key = ctx.target?.key ?? undefined;
  const context = lazyConditionContext(ctx, operation);
  const base: AuthorizeInput = {
    principal: ctx.principal,
    action,
    bucket: ctx.bucket ?? null,
    context,
    anonymousDisabled: ctx.principal.kind === 'anonymous' ? anonymousDisabledReason(deps.config.auth.anonymous, deps.lockdown) : null,
    ...(key !== undefined ? { key } : {}),
  };
  let input = base;
  // s3:ExistingObjectTag/<k>: the stored tags are read only when a statement tests them.
  if (key !== undefined && EXISTING_TAG_OPS.has(operation) && needsExistingObjectTags(ctx.bucket ?? null, ctx.principal, action)) {
    const object = await authorizedRecord(deps, ctx);
    if (object) Object.assign(context(), existingTagConditionKeys(await deps.objects.tagsOf(object)));
  }
  let decision = authorize(base);
  if (!decision.allowed && decision.reason === 'implicit-deny' && ctx.bucket && key !== undefined && OBJECT_ACL_OPS.has(operation)) {
    const object = await authorizedRecord(deps, ctx);
    if (object) {
      input = { ...base, objectAcl: object.acl };
      decision = authorize(input);
    }
  }
  if (!decision.allowed) {
    deps.metrics.permissionDenied.inc();
    recordDenial(deps, ctx, operation, input);
    throw new S3Error('AccessDenied');
  }
}

/** Operations whose request carries an ACL in x-amz-acl / x-amz-grant-* headers. */
const ACL_HEADER_OPS: ReadonlySet<Operation> = new Set<Operation>([
  'PutObject',
  'CopyObject',
  'CreateMultipartUpload',
  'PutBucketAcl',
  'PutObjectAcl',
]);
/** Operations that take tags in x-amz-tagging. */
const TAGGING_HEADER_OPS: ReadonlySet<Operation> = new Set<Operation>(['PutObject', 'CopyObject', 'CreateMultipartUpload']);
/** Bodies of PutObjectTagging are small: read before authorization when a policy may test their tags. */
const MAX_TAGGING_BODY = 256 * 1024;

/**
 * Before authorization: Object Ownership (ACLs disabled), BlockPublicAcls, and the request's
 * tags parsed once for the policy condition keys and the handler.
 */
async function guardBucketSettings(
  ctx: RequestContext,
  operation: Operation,
  bucket: NonNullable<RequestContext['bucket']>,
): Promise<void> {
  if (ACL_HEADER_OPS.has(operation)) {
    const headers = flatHeaders(ctx);
    refuseAclUnderEnforcedOwnership(bucket, headers);
    refusePublicAcl(bucket, headers);
  }
  if (TAGGING_HEADER_OPS.has(operation)) {
    const tagging = header(ctx, 'x-amz-tagging');
    if (tagging !== undefined) ctx.requestTags = parseTaggingHeader(tagging);
  }
  if (operation === 'PutObjectTagging' && bucket.policy !== null) {
    const body = await readSmallBody(ctx, MAX_TAGGING_BODY);
    if (body.length === 0) throw new S3Error('MalformedXML');
    ctx.requestTags = parseTaggingBody(body.toString('utf8'), 'object');
  }
}

function slowDown(deps: S3Deps, reason: 'auth-failures' | 'anonymous', buckets: TokenBuckets, address: string): S3Error {
  deps.metrics.rateLimited.inc({ reason });
  return new S3Error('SlowDown', { headers: { 'retry-after': String(Math.max(1, buckets.retryAfterSeconds(address))) } });
}

const OBJECT_ACL_OPS: ReadonlySet<Operation> = new Set<Operation>([
  'GetObject',
  'HeadObject',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectTagging',
  'GetObjectAttributes',
]);

/** Operations on an existing object, where AWS sets s3:ExistingObjectTag/<k>. */
const EXISTING_TAG_OPS: ReadonlySet<Operation> = new Set<Operation>([
  'GetObject',
  'HeadObject',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'GetObjectAttributes',
]);

function toS3Error(deps: S3Deps, ctx: RequestContext, err: unknown): S3Error {
  const known = fromKnownError(err);
  if (known) return known;
  const fromModel = modelErrorToS3(err);
  if (fromModel) return fromModel;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ABORT_ERR') {
    return new S3Error('IncompleteBody', { message: 'The request body terminated unexpectedly' });
  }
  // Cluster mode: fewer nodes than the write quorum took the data. Retryable, so 503 (by
  // its stable code: the plane does not import the cluster's internals).
  if (code === 'ClusterQuorum') {
    deps.logger.warn({ err, requestId: ctx.requestId, operation: ctx.operation }, 'write quorum not reached');
    return new S3Error('ServiceUnavailable', { message: 'Not enough cluster nodes are available to store the data durably.' });
  }
  deps.logger.error({ err, requestId: ctx.requestId, operation: ctx.operation }, 'internal error');
  return new S3Error('InternalError');
}

function finish(deps: S3Deps, ctx: RequestContext): void {
  const durationMs = Number(process.hrtime.bigint() - ctx.startedAt) / 1e6;
  // The connection closed before the answer was complete: never log what was not sent.
  // 499 (nginx's "client closed request") when no answer started at all.
  const aborted = !ctx.res.writableFinished;
  const status = ctx.res.headersSent ? ctx.res.statusCode : 499;
  const method = ctx.req.method ?? '';
  deps.metrics.inFlight.dec({ api: 's3' });
  deps.metrics.requests.inc({ api: 's3', method, status: String(status) });
  deps.metrics.duration.observe({ api: 's3', operation: ctx.operation ?? 'unknown' }, durationMs / 1000);
  deps.metrics.bytesOut.inc(ctx.bytesSent);
  deps.accessLog.write({
    timestamp: new Date().toISOString(),
    request_id: ctx.requestId,
    remote_addr: ctx.remoteAddr,
    user: ctx.principal.kind === 'user' ? ctx.principal.user : 'anonymous',
    access_key: ctx.principal.kind === 'user' ? ctx.principal.accessKey : undefined,
    method,
    operation: ctx.operation,
    bucket: ctx.target?.bucket ?? undefined,
    key: ctx.target?.key ?? undefined,
    status,
    bytes_sent: ctx.bytesSent,
    user_agent: ctx.req.headers['user-agent'],
    duration_ms: Math.round(durationMs * 1000) / 1000,
    ...(aborted ? { aborted: true } : {}),
  });
}
