/**
 * The one XML request-body reader (S3 bodies and ACLs). Entity processing is XML's own
 * fixed set only: the five predefined entities and numeric character references. DOCTYPE
 * and ENTITY declarations are refused before parsing, and the parser is never handed a
 * declared entity either (no billion laughs, no XXE).
 */
import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { CodedError, type CodedErrorOptions } from './coded-error.js';

export type XmlParseErrorCode = 'MalformedXML';

export class XmlParseError extends CodedError<XmlParseErrorCode> {
  override readonly name = 'XmlParseError';

  constructor(options: CodedErrorOptions = {}) {
    super('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', options);
  }
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML 1.0 Char: what a numeric character reference may name. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Decodes references in one pass (so "&amp;lt;" stays "&lt;"); unknown names are left as written. */
export function decodeXmlReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z_][\w.-]*));/g, (ref, hex?: string, dec?: string, name?: string) => {
    if (name !== undefined) return PREDEFINED[name] ?? ref;
    const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    // Go's encoder (rclone, aws-sdk-go) writes quotes as &#34;: numeric references must decode.
    if (!isXmlChar(cp)) throw new XmlParseError();
    return String.fromCodePoint(cp);
  });
}

/** fast-xml-parser's decoder hook: declared (DOCTYPE) entities are dropped, never expanded. */
const ENTITY_DECODER: EntityDecoderOptions = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: decodeXmlReferences,
};

export interface XmlDocumentOptions {
  /** Keep attributes as "@name" keys (ACL grantees' xsi:type); otherwise they are dropped. */
  attributes: boolean;
  /** Trim whitespace around text. S3 bodies keep it: keys may start or end with spaces. */
  trimValues: boolean;
  /** Element names that always come back as arrays, even when they occur once. */
  lists: readonly string[];
}

/** A parser for one document shape: text → the parsed document, or XmlParseError. */
export function xmlDocumentParser(options: XmlDocumentOptions): (text: string) => unknown {
  const lists: ReadonlySet<string> = new Set(options.lists);
  const parser = new XMLParser({
    ignoreAttributes: !options.attributes,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: options.trimValues,
    processEntities: true,
    entityDecoder: ENTITY_DECODER,
    ignoreDeclaration: true,
    isArray: (name) => lists.has(name),
  });
  return (text) => {
    if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlParseError();
    if (text.trim() === '' || XMLValidator.validate(text) !== true) throw new XmlParseError();
    try {
      return parser.parse(text) as unknown;
    } catch (err) {
      throw new XmlParseError({ cause: err });
    }
  };
}

const parseS3Body = xmlDocumentParser({ attributes: false, trimValues: false, lists: ['Part', 'Object'] });

/** Parses an S3 request body and returns the root element's content; malformed XML → XmlParseError. */
export function parseXmlBody(text: string, root: string): Record<string, unknown> {
  const doc = parseS3Body(text);
  const body = (doc as Record<string, unknown>)[root];
  if (body === undefined) throw new XmlParseError();
  if (body === '') return {};
  if (typeof body !== 'object' || body === null) throw new XmlParseError();
  return body as Record<string, unknown>;
}

/** A child element's text, or undefined. Elements with attributes or children are not text. */
export function textOf(node: Record<string, unknown>, name: string): string | undefined {
  const v = node[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return '';
  throw new XmlParseError();
}

export function listOf(node: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const v = node[name];
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => {
    if (typeof x !== 'object' || x === null) throw new XmlParseError();
    return x as Record<string, unknown>;
  });
}
