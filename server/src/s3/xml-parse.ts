import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from './errors.js';

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  // Go's encoder (rclone, aws-sdk-go) writes quotes as &#34;: numeric references must decode.
  htmlEntities: true,
  ignoreDeclaration: true,
  isArray: (name) => ['Part', 'Object'].includes(name),
});

/**
 * Parses a request body and returns the root element's content. DOCTYPE and ENTITY are
 * refused outright (no entity expansion: billion laughs, XXE); malformed XML → MalformedXML.
 */
export function parseXmlBody(text: string, root: string): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new S3Error('MalformedXML');
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw new S3Error('MalformedXML');
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (err) {
    throw new S3Error('MalformedXML', { cause: err });
  }
  const body = (doc as Record<string, unknown>)[root];
  if (body === undefined) throw new S3Error('MalformedXML');
  if (body === '') return {};
  if (typeof body !== 'object' || body === null) throw new S3Error('MalformedXML');
  return body as Record<string, unknown>;
}

/** A child element's text, or undefined. Elements with attributes or children are not text. */
export function textOf(node: Record<string, unknown>, name: string): string | undefined {
  const v = node[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return '';
  throw new S3Error('MalformedXML');
}

export function listOf(node: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const v = node[name];
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => {
    if (typeof x !== 'object' || x === null) throw new S3Error('MalformedXML');
    return x as Record<string, unknown>;
  });
}
