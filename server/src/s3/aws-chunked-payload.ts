import { S3Error } from './errors.js';
import type { RequestContext } from './context.js';
import type { PayloadMode } from '../auth/sigv4/types.js';
import type { Integrity } from './integrity.js';
import type { OpenedPayload } from './body.js';

/** aws-chunked bodies: wired to the decoder in auth/sigv4/aws-chunked.ts. */
export function openAwsChunked(ctx: RequestContext, mode: PayloadMode, integrity: Integrity, length: number): OpenedPayload {
  void ctx; void mode; void integrity; void length;
  throw new S3Error('NotImplemented', { message: 'aws-chunked bodies are not wired yet' });
}
