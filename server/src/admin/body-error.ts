import type { ServerResponse } from 'node:http';
import type { BodyError } from '../http/listen.js';

/** The answer to an admin request whose body failed (the plane's JSON error shape). */
export function sendAdminBodyError(res: ServerResponse, reason: BodyError): void {
  const error =
    reason === 'stalled'
      ? { code: 'RequestTimeout', message: 'the request body stopped arriving; send it again', request_id: null }
      : { code: 'IncompleteBody', message: 'the request body ended before its Content-Length', request_id: null };
  const body = Buffer.from(JSON.stringify({ error }));
  res.writeHead(reason === 'stalled' ? 408 : 400, {
    'content-type': 'application/json',
    'content-length': body.length,
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(body);
}
