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
