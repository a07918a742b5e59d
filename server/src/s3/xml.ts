/**
 * Minimal XML writer for S3 responses. S3 bodies are small documents with a fixed shape;
 * writing them by hand keeps element order exact and escaping in one place.
 */
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

/**
 * Escapes text as AWS does (S3 user guide, "XML related object key constraints"): the five
 * markup characters by name; CR and LF as numeric references, so a parser's end-of-line
 * normalisation cannot turn a key's CR into LF; and every character XML 1.0 cannot carry
 * (the other C0 controls, U+FFFE, U+FFFF) as a numeric reference too. A strict XML 1.0
 * parser still rejects those references: for such keys clients list with
 * encoding-type=url, which AWS documents for exactly this (botocore sends it by default).
 */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"'\u0000-\u0008\u000a-\u001f\ufffe\uffff]/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#x${c.charCodeAt(0).toString(16)};`;
    }
  });
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
