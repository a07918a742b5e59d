import type { OutgoingHttpHeaders } from 'node:http';
import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { queryParam } from '../../http/target.js';
import { parseRange } from '../../util/range.js';
import type { ChunkRef } from '../../chunks/chunk-store.js';
import type { ObjectRecord } from '../../metadata/types.js';
import { checksumHeaderName } from '../../util/checksums.js';
import { checkPreconditions } from '../../model/preconditions.js';
import type { S3Result } from '../result.js';
import { customerKeyFrom, sseResponseHeaders } from './sse.js';
import { objectVersionHeader, versionIdHeader } from './versioning.js';
import { bypassGovernance } from './object-lock.js';
import { ownerOf } from './request-acl.js';
import { authorize } from '../../policy/authorize.js';
import { conditionContext } from '../conditions.js';
import { existingTagConditionKeys } from '../tagging.js';

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/** Headers describing a stored object (GET and HEAD). */
export function objectHeaders(obj: ObjectRecord): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = {
    etag: obj.etag,
    'last-modified': obj.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'content-type': obj.headers.contentType ?? 'binary/octet-stream',
  };
  if (obj.headers.contentEncoding) h['content-encoding'] = obj.headers.contentEncoding;
  if (obj.headers.contentDisposition) h['content-disposition'] = obj.headers.contentDisposition;
  if (obj.headers.contentLanguage) h['content-language'] = obj.headers.contentLanguage;
  if (obj.headers.cacheControl) h['cache-control'] = obj.headers.cacheControl;
  if (obj.headers.expires) h['expires'] = obj.headers.expires;
  if (obj.storageClass !== 'STANDARD') h['x-amz-storage-class'] = obj.storageClass;
  for (const [k, v] of Object.entries(obj.userMetadata)) h[`x-amz-meta-${k}`] = v;
  if (obj.tags !== undefined && obj.tags.length > 0) h['x-amz-tagging-count'] = String(obj.tags.length);
  return h;
}

/** GET and HEAD share everything but the body. */
async function serveObject(deps: S3Deps, ctx: RequestContext, withBody: boolean): Promise<S3Result> {
  const t = ctx.target!;
  const versionId = queryParam(t, 'versionId');
  const stored = await deps.objects.getVersion(ctx.bucket!, t.key!, versionId);
  // The version's own ACL counts, as for GetObject (a public-read version stays readable by id).
  if (versionId !== undefined) await requireAction(deps, ctx, 's3:GetObjectVersion', stored);
  checkPreconditions(
    {
      ifMatch: header(ctx, 'if-match'),
      ifNoneMatch: header(ctx, 'if-none-match'),
      ifModifiedSince: header(ctx, 'if-modified-since'),
      ifUnmodifiedSince: header(ctx, 'if-unmodified-since'),
    },
    stored,
    true,
  );
  // An encrypted object's data key is unwrapped (SSE-C: with the customer key, which must
  // be given and right) and its user metadata unsealed; its chunks read through that key.
  const customer = customerKeyFrom(deps, ctx);
  const opened = await deps.objects.unlock(stored, customer);
  const obj = opened.record;
  const headers = {
    ...objectHeaders(obj),
    ...sseResponseHeaders(obj.encryption, customer),
    ...objectVersionHeader(ctx.bucket!, obj),
  };
  // As AWS: the lock headers only for a caller who may read them.
  if (obj.retention && allowed(ctx, 's3:GetObjectRetention')) {
    headers['x-amz-object-lock-mode'] = obj.retention.mode;
    headers['x-amz-object-lock-retain-until-date'] = obj.retention.retainUntil.toISOString();
  }
  if (ctx.bucket!.objectLock && allowed(ctx, 's3:GetObjectLegalHold')) {
    headers['x-amz-object-lock-legal-hold'] = obj.legalHold === true ? 'ON' : 'OFF';
  }
  for (const [param, name] of Object.entries(OVERRIDES)) {
    const v = queryParam(t, param);
    if (v === undefined) continue;
    // AWS refuses response-* overrides on anonymous requests.
    if (ctx.principal.kind === 'anonymous') {
      throw new S3Error('InvalidRequest', { message: 'Request specific response headers cannot be used for anonymous GET requests.' });
    }
    // A value node cannot put in a header (CR, LF, other controls) is the client's error, not ours.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(v)) {
      throw new S3Error('InvalidArgument', { message: `Invalid value for ${param}`, extra: { ArgumentName: param } });
    }
    headers[name] = v;
  }

  // The span of the object this response covers: a part (?partNumber=) or the whole.
  let base = 0;
  let size = obj.size;
  const refs: readonly ChunkRef[] = obj.chunks;
  const partParam = queryParam(t, 'partNumber');
  if (partParam !== undefined) {
    const n = /^\d{1,5}$/.test(partParam) ? Number(partParam) : NaN;
    if (!(n >= 1 && n <= 10000)) {
      throw new S3Error('InvalidArgument', {
        message: 'Part number must be an integer between 1 and 10000, inclusive',
        extra: { ArgumentName: 'partNumber', ArgumentValue: partParam },
      });
    }
    const parts = obj.parts ?? [{ partNumber: 1, size: obj.size, etag: obj.etag }];
    const idx = parts.findIndex((p) => p.partNumber === n);
    if (idx === -1) throw new S3Error('InvalidPartNumber');
    base = parts.slice(0, idx).reduce((s, p) => s + p.size, 0);
    size = parts[idx]!.size;
    headers['x-amz-mp-parts-count'] = String(parts.length);
  }

  let start = base;
  let end = base + size - 1;
  let status = 200;
  const range = header(ctx, 'range');
  if (range !== undefined && partParam !== undefined) {
    throw new S3Error('InvalidRequest', { message: 'Cannot specify both Range header and partNumber query parameter' });
  }
  const r = parseRange(range, size);
  if (r === 'unsatisfiable') {
    throw new S3Error('InvalidRange', {
      extra: { RangeRequested: range ?? '', ActualObjectSize: size },
      headers: { 'content-range': `bytes */${size}` },
    });
  }
  if (r !== null) {
    start = base + r.start;
    end = base + r.end;
    status = 206;
    headers['content-range'] = `bytes ${r.start}-${r.end}/${size}`;
  } else if (partParam !== undefined && obj.parts !== null) {
    status = 206;
    headers['content-range'] = `bytes ${base}-${base + size - 1}/${obj.size}`;
  }
  // A checksum describes the whole object; AWS returns it only for whole-object reads.
  if (obj.checksum && status === 200 && header(ctx, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
    headers[checksumHeaderName(obj.checksum.algorithm)] = obj.checksum.value;
    headers['x-amz-checksum-type'] = obj.checksum.type;
  }
  const length = size === 0 ? 0 : end - start + 1;
  if (!withBody) return { status, headers, body: { kind: 'head', length } };
  // A small object kept in its metadata row: the bytes are at hand, no file to open.
  const inline = length > 0 ? deps.objects.inlineRange(opened, start, end) : null;
  if (inline !== null) return { status, headers, body: { kind: 'bytes', bytes: inline } };
  // The first chunk is opened before the status line goes out: a missing or unreadable
  // chunk becomes a clean 500 InternalError (logged) rather than a 200 reset mid-body.
  const first = length > 0 ? await deps.objects.open(refs, start, end, opened) : null;
  return {
    status,
    headers,
    body: {
      kind: 'stream',
      stream: first ?? deps.objects.read(refs, start, end, opened),
      length,
      ...(first ? { release: () => first.destroy() } : {}),
    },
  };
}

export function handleGetObject(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  return serveObject(deps, ctx, true);
}

export function handleHeadObject(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  return serveObject(deps, ctx, false);
}

export async function handleDeleteObject(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const key = ctx.target!.key!;
  const versionId = queryParam(ctx.target!, 'versionId');
  if (versionId !== undefined) await requireAction(deps, ctx, 's3:DeleteObjectVersion');
  const bypass = versionId !== undefined && bypassGovernance(deps, ctx, key);
  const result = await deps.objects.deleteObject(ctx.bucket!, key, {
    versionId,
    bypassGovernance: bypass,
    owner: ownerOf(ctx, ctx.bucket!.owner),
  });
  // Removing a version under object lock with the governance bypass is an administrative act.
  if (bypass && ctx.bucket!.objectLock)
    deps.audit.write(ctx, 'object.version.delete_bypass', { bucket: ctx.bucket!.name, key, version_id: versionId });
  const headers: Record<string, string> = { ...versionIdHeader(ctx.bucket!, result.versionId) };
  if (result.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  return { status: 204, headers, body: { kind: 'bare' } };
}

function allowed(ctx: RequestContext, action: string): boolean {
  return authorize({
    principal: ctx.principal,
    action,
    bucket: ctx.bucket!,
    key: ctx.target!.key!,
    context: () => conditionContext(ctx, ctx.operation!),
  }).allowed;
}

/** Versioned access needs its own action too (s3:GetObjectVersion, s3:DeleteObjectVersion), as in AWS. */
export async function requireAction(deps: S3Deps, ctx: RequestContext, action: string, object?: ObjectRecord): Promise<void> {
  const tags = object ? existingTagConditionKeys(await deps.objects.tagsOf(object)) : {};
  const decision = authorize({
    ...(object ? { objectAcl: object.acl } : {}),
    principal: ctx.principal,
    action,
    bucket: ctx.bucket!,
    key: ctx.target!.key!,
    // The version's own tags (opened when sealed), for s3:ExistingObjectTag/<k>.
    context: () => ({ ...conditionContext(ctx, ctx.operation!), ...tags }),
  });
  if (!decision.allowed) {
    deps.metrics.permissionDenied.inc();
    throw new S3Error('AccessDenied');
  }
}
