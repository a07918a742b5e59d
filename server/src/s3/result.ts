/**
 * What an S3 handler answers, as a value: s3/respond.ts writeResult puts it on the wire.
 * Handlers never touch the response, so their behaviour can be tested without a socket.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { XmlNode } from './xml.js';

export type S3Body =
  /** No bytes, Content-Length: 0. */
  | { kind: 'empty' }
  /** Status line and headers only, no Content-Length at all (DeleteObject's 204). */
  | { kind: 'bare' }
  /** An XML document (application/xml). */
  | { kind: 'xml'; xml: XmlNode }
  /** A document already rendered (an ACL's XML, a policy's JSON). */
  | { kind: 'text'; contentType: string; text: string }
  /** Object bytes: Content-Length `length`, streamed with backpressure. */
  | {
      kind: 'stream';
      stream: AsyncIterable<Uint8Array>;
      length: number;
      /** Closes what the stream holds open (a chunk) if it will not be read after all. */
      release?: () => void;
    }
  /** Object bytes already in memory (a small object kept inline), sent in one write. */
  | { kind: 'bytes'; bytes: Buffer }
  /** HEAD: the Content-Length a GET would send, and no body. */
  | { kind: 'head'; length: number };

export interface S3Result {
  status: number;
  headers: OutgoingHttpHeaders;
  body: S3Body;
}

export function xmlResult(xml: XmlNode, headers: OutgoingHttpHeaders = {}, status = 200): S3Result {
  return { status, headers, body: { kind: 'xml', xml } };
}

export function emptyResult(status: number, headers: OutgoingHttpHeaders = {}): S3Result {
  return { status, headers, body: { kind: 'empty' } };
}
