/**
 * Minimal XML writer for S3 responses. S3 bodies are small documents with a fixed shape;
 * writing them by hand keeps element order exact and escaping in one place.
 */
import { escapeXml } from '../util/xml-escape.js';

export type XmlChild = XmlNode | null | undefined | false;
export interface XmlNode {
  name: string;
  attrs?: Record<string, string>;
  children?: XmlChild[];
  text?: string | number | boolean;
}

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function el(name: string, content?: string | number | boolean | XmlChild[], attrs?: Record<string, string>): XmlNode {
  const node: XmlNode = { name };
  if (attrs) node.attrs = attrs;
  if (Array.isArray(content)) node.children = content;
  else if (content !== undefined) node.text = content;
  return node;
}

function write(node: XmlNode, out: string[]): void {
  out.push('<', node.name);
  if (node.attrs) for (const [k, v] of Object.entries(node.attrs)) out.push(' ', k, '="', escapeXml(v), '"');
  const kids = node.children?.filter((c): c is XmlNode => Boolean(c));
  if (node.text === undefined && (kids === undefined || kids.length === 0)) {
    out.push('></', node.name, '>');
    return;
  }
  out.push('>');
  if (node.text !== undefined) out.push(escapeXml(String(node.text)));
  if (kids) for (const k of kids) write(k, out);
  out.push('</', node.name, '>');
}

export function toXml(root: XmlNode): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  write(root, out);
  return out.join('');
}

/** S3 timestamps: ISO 8601 with milliseconds, UTC. */
export function isoDate(d: Date): string {
  return d.toISOString();
}
