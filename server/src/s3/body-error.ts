import type { ServerResponse } from 'node:http';
import type { BodyError } from '../http/listen.js';
import { S3Error } from './errors.js';
import { errorBody } from './respond.js';
import { toXml } from './xml.js';

/**
 * The answer to a request whose body failed before its handler could answer, as AWS sends
 * it: stopped arriving (400 RequestTimeout) or ended short (400 IncompleteBody).
 */
export function sendBodyError(res: ServerResponse, reason: BodyError): void {
  const requestId = String(res.getHeader('x-amz-request-id') ?? '');
  const err = reason === 'stalled' ? new S3Error('RequestTimeout') : new S3Error('IncompleteBody');
  const body = Buffer.from(toXml(errorBody(err, res.req.url?.split('?')[0], requestId)), 'utf8');
  res.writeHead(400, { 'content-type': 'application/xml', 'content-length': body.length, connection: 'close' });
  res.end(body);
}
