import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestContext } from './context.js';
import { S3Error } from './errors.js';
import type { S3Result } from './result.js';
import { el, toXml, type XmlNode } from './xml.js';
import { awaitingContinue } from '../http/expect-continue.js';
import { sendBody } from '../http/send-body.js';

/** Writes a handler's result; resolves once the body is handed off (streamed to the end for a GET). */
export async function writeResult(ctx: RequestContext, result: S3Result): Promise<void> {
  const { res } = ctx;
  const { status, headers, body } = result;
  switch (body.kind) {
    case 'empty':
      res.writeHead(status, { ...headers, 'content-length': 0 });
      res.end();
      return;
    case 'bare':
      res.writeHead(status, headers);
      res.end();
      return;
    case 'xml':
      return sendDocument(ctx, status, headers, 'application/xml', toXml(body.xml));
    case 'text':
      return sendDocument(ctx, status, headers, body.contentType, body.text);
    case 'bytes':
      res.writeHead(status, { ...headers, 'content-length': body.bytes.length });
      ctx.bytesSent += body.bytes.length;
      res.end(body.bytes);
      return;
    case 'head':
      res.writeHead(status, { ...headers, 'content-length': body.length });
      res.end();
      return;
    case 'stream':
      try {
        res.writeHead(status, { ...headers, 'content-length': body.length });
      } catch (err) {
        body.release?.(); // a chunk already open must not wait for GC to close it
        throw err;
      }
      if (body.length === 0) {
        res.end();
        return;
      }
      // Counted up front, as the access log has always counted a GET: the bytes announced.
      ctx.bytesSent += body.length;
      await sendBody(body.stream, res);
      return;
  }
}

function sendDocument(ctx: RequestContext, status: number, headers: OutgoingHttpHeaders, contentType: string, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  ctx.res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': bytes.length });
  ctx.res.end(bytes);
  ctx.bytesSent += bytes.length;
}

/** Sends an XML document (error bodies; handlers return an S3Result instead). */
function sendXml(ctx: RequestContext, status: number, root: XmlNode, headers: OutgoingHttpHeaders = {}): void {
  sendDocument(ctx, status, headers, 'application/xml', toXml(root));
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

/** Bodies up to this size are read and discarded before an error answer, so the client sees it. */
const DRAIN_LIMIT = 1024 * 1024;

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
  const write = () => {
    if (req.method === 'HEAD') {
      res.writeHead(err.status, headers);
      res.end();
    } else {
      sendXml(ctx, err.status, errorBody(err, req.url?.split('?')[0], ctx.requestId), headers);
    }
  };
  if (req.complete || req.readableEnded || req.destroyed) return write();
  // The client holds its body back until we say 100 Continue, which a refused request
  // never gets: answer now and close, as RFC 9110 lets the client skip the body.
  if (awaitingContinue(req)) {
    headers['connection'] = 'close';
    return write();
  }
  // A refused request whose body is still arriving: a small one is read and dropped so the
  // client is not reset before it reads the answer; a large one is not read (no unbounded
  // work for a request we refuse) and the connection closes after the answer.
  const declared = Number(req.headers['content-length'] ?? Infinity);
  if (declared <= DRAIN_LIMIT) {
    let seen = 0;
    req.on('data', (b: Buffer) => {
      seen += b.length;
      if (seen > DRAIN_LIMIT) req.destroy();
    });
    req.once('end', write);
    req.once('error', () => res.destroy());
    req.resume();
    return;
  }
  headers['connection'] = 'close';
  write();
}
