import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestContext } from './context.js';
import { S3Error } from './errors.js';
import { el, toXml, type XmlNode } from './xml.js';

/** Sends an XML document. */
export function sendXml(ctx: RequestContext, status: number, root: XmlNode, headers: OutgoingHttpHeaders = {}): void {
  const body = Buffer.from(toXml(root), 'utf8');
  ctx.res.writeHead(status, { ...headers, 'content-type': 'application/xml', 'content-length': body.length });
  ctx.res.end(body);
  ctx.bytesSent += body.length;
}

export function sendEmpty(ctx: RequestContext, status: number, headers: OutgoingHttpHeaders = {}): void {
  ctx.res.writeHead(status, { ...headers, 'content-length': 0 });
  ctx.res.end();
}

/** The S3 XML error body: Code, Message, extra elements, Resource, RequestId, HostId. */
export function errorBody(err: S3Error, resource: string | undefined, requestId: string): XmlNode {
  return el('Error', [
    el('Code', err.code),
    el('Message', err.message),
    ...Object.entries(err.extra).map(([k, v]) => el(k, v)),
    resource !== undefined ? el('Resource', resource) : null,
    el('RequestId', requestId),
    el('HostId', requestId),
  ]);
}

/** Writes an error response, or ends the connection if headers already went out. */
export function sendError(ctx: RequestContext, err: S3Error): void {
  const { res, req } = ctx;
  if (res.headersSent) {
    // Mid-body failure: the only honest signal left is to cut the connection.
    res.destroy();
    return;
  }
  const headers: OutgoingHttpHeaders = { ...err.headers };
  if (err.status === 304) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (req.method === 'HEAD') {
    res.writeHead(err.status, { ...headers, 'x-amz-error-code': err.code });
    res.end();
    return;
  }
  // A client that is still sending a body we refuse gets the answer and a closed connection,
  // rather than us reading (or buffering) an unbounded body first.
  if (!req.complete) headers['connection'] = 'close';
  sendXml(ctx, err.status, errorBody(err, ctx.req.url?.split('?')[0], ctx.requestId), headers);
}
