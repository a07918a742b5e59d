import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendContinue } from '../http/expect-continue.js';
import { AdminError } from './errors.js';

/** Admin requests are small JSON documents; anything bigger is refused before it is buffered. */
export const MAX_ADMIN_BODY_BYTES = 1024 * 1024;

/** Reads the whole body (bounded) and returns it with its SHA-256, which the signature covers. */
export async function readBody(req: IncomingMessage, res: ServerResponse): Promise<{ body: Buffer; sha256: string }> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_ADMIN_BODY_BYTES)
    throw new AdminError('MaxMessageLengthExceeded', `admin request bodies are limited to ${MAX_ADMIN_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  sendContinue(req, res);
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ADMIN_BODY_BYTES)
      throw new AdminError('MaxMessageLengthExceeded', `admin request bodies are limited to ${MAX_ADMIN_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  return { body, sha256: createHash('sha256').update(body).digest('hex') };
}

/** Parses a JSON body; an empty body is undefined. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new AdminError('MalformedJSON', 'the request body is not valid JSON');
  }
}
