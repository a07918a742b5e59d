import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Target } from '../http/target.js';
import type { VerifiedAuth } from '../auth/sigv4/types.js';
import type { Principal } from '../policy/principal.js';
import type { BucketRecord, Tag } from '../metadata/types.js';
import type { Operation } from './router.js';

/** Everything known about one S3 request while it is handled. */
export interface RequestContext {
  readonly requestId: string;
  readonly startedAt: bigint;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Client address after trusted-proxy resolution. */
  readonly remoteAddr: string;
  /** TLS to us, or to a trusted proxy that said so. */
  readonly secure: boolean;
  target?: Target;
  operation?: Operation;
  auth?: VerifiedAuth;
  principal: Principal;
  bucket?: BucketRecord;
  /** The tags this request gives an object (x-amz-tagging, a Tagging body, a POST field), parsed once. */
  requestTags?: Tag[];
  bytesSent: number;
}

/** Header value as one string (node joins repeats for most headers). */
export function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
