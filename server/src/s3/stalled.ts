import type { ServerResponse } from 'node:http';
import { S3Error } from './errors.js';
import { errorBody } from './respond.js';
import { toXml } from './xml.js';

/** The answer to a request whose body stopped arriving: 400 RequestTimeout, as AWS sends it. */
export function sendRequestTimeout(res: ServerResponse): void {
  const requestId = String(res.getHeader('x-amz-request-id') ?? '');
  const body = Buffer.from(toXml(errorBody(new S3Error('RequestTimeout'), res.req.url?.split('?')[0], requestId)), 'utf8');
  res.writeHead(400, { 'content-type': 'application/xml', 'content-length': body.length, connection: 'close' });
  res.end(body);
}
