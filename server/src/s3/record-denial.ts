import { explainAuthorization, type AuthorizeInput } from '../policy/authorize.js';
import type { RequestContext } from './context.js';
import type { S3Deps } from './deps.js';

/** Keeps the why of a denial for `anodectl policy explain` (the trace is built only here, off the allow path). */
export function recordDenial(deps: S3Deps, ctx: RequestContext, operation: string, input: AuthorizeInput): void {
  if (deps.denials === undefined) return;
  deps.denials.record({
    ...explainAuthorization(input),
    request_id: ctx.requestId,
    at: new Date().toISOString(),
    remote_addr: ctx.remoteAddr,
    operation,
    bucket: input.bucket?.name ?? null,
    key: input.key ?? null,
  });
}

/** A write refused by read-only mode, kept like an authorization denial (no policy was evaluated). */
export function recordReadOnlyDenial(deps: S3Deps, ctx: RequestContext, operation: string, action: string): void {
  if (deps.denials === undefined) return;
  const p = ctx.principal;
  const bucket = ctx.target?.bucket ?? null;
  const key = ctx.target?.key ?? null;
  deps.denials.record({
    allowed: false,
    reason: 'read-only',
    action,
    principal: p.kind === 'anonymous' ? '*' : `user:${p.user} (${p.accessKey})`,
    resource: bucket === null ? '*' : `arn:aws:s3:::${bucket}${key !== null ? `/${key}` : ''}`,
    decided_by: 'read-only mode: writes are refused until anodectl readonly off (or anodectl incident unlock)',
    policy: 'absent',
    statements: [],
    request_id: ctx.requestId,
    at: new Date().toISOString(),
    remote_addr: ctx.remoteAddr,
    operation,
    bucket,
    key,
  });
}
