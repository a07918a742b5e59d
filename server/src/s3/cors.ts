/**
 * Bucket CORS as S3 does it: a CORSConfiguration of up to 100 rules; the first rule whose
 * AllowedOrigin (at most one `*`), AllowedMethod and AllowedHeader (case-insensitive, at
 * most one `*`) match answers the preflight, and decorates actual requests.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { S3Error } from './errors.js';
import { el, S3_XMLNS, type XmlNode } from './xml.js';
import { XmlParseError, xmlDocumentParser } from '../util/xml-parse.js';
import type { CorsRule } from '../metadata/types.js';

export const MAX_CORS_RULES = 100;
const METHODS: ReadonlySet<string> = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);

const parseCorsXml = xmlDocumentParser({
  attributes: false,
  trimValues: true,
  lists: ['CORSRule', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader'],
});

function strings(node: Record<string, unknown>, name: string): string[] {
  const v = node[name];
  if (v === undefined) return [];
  return (v as unknown[]).map((x) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return String(x);
    if (typeof x === 'object' && x !== null && Object.keys(x).length === 0) return '';
    throw new XmlParseError();
  });
}

function oneWildcard(kind: string, values: string[]): void {
  for (const v of values) {
    if (v.split('*').length > 2) {
      throw new S3Error('InvalidRequest', { message: `${kind} "${v}" can not have more than one wildcard.` });
    }
  }
}

export function parseCorsBody(text: string): CorsRule[] {
  const doc = parseCorsXml(text) as Record<string, unknown>;
  const root = doc['CORSConfiguration'];
  if (typeof root !== 'object' || root === null) throw new XmlParseError();
  const rules = (root as Record<string, unknown>)['CORSRule'];
  if (!Array.isArray(rules) || rules.length === 0) throw new XmlParseError();
  if (rules.length > MAX_CORS_RULES) {
    throw new S3Error('InvalidRequest', { message: 'The number of CORS rules should not exceed allowed limit of 100 rules.' });
  }
  return rules.map((r: unknown) => {
    if (typeof r !== 'object' || r === null) throw new XmlParseError();
    const node = r as Record<string, unknown>;
    const allowedOrigins = strings(node, 'AllowedOrigin');
    const allowedMethods = strings(node, 'AllowedMethod');
    if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw new XmlParseError();
    for (const m of allowedMethods) {
      if (!METHODS.has(m)) {
        throw new S3Error('InvalidRequest', { message: `Found unsupported HTTP method in CORS config. Unsupported method is ${m}` });
      }
    }
    const allowedHeaders = strings(node, 'AllowedHeader');
    oneWildcard('AllowedOrigin', allowedOrigins);
    oneWildcard('AllowedHeader', allowedHeaders);
    const rule: CorsRule = { allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders: strings(node, 'ExposeHeader') };
    const id = node['ID'];
    if (id !== undefined) {
      if (typeof id !== 'string' || id.length > 255) throw new XmlParseError();
      rule.id = id;
    }
    const maxAge = node['MaxAgeSeconds'];
    if (maxAge !== undefined) {
      if (typeof maxAge !== 'string' || !/^\d{1,10}$/.test(maxAge)) throw new XmlParseError();
      rule.maxAgeSeconds = Number(maxAge);
    }
    return rule;
  });
}

export function corsXml(rules: readonly CorsRule[]): XmlNode {
  return el(
    'CORSConfiguration',
    rules.map((r) =>
      el('CORSRule', [
        r.id !== undefined ? el('ID', r.id) : null,
        ...r.allowedHeaders.map((h) => el('AllowedHeader', h)),
        ...r.allowedMethods.map((m) => el('AllowedMethod', m)),
        ...r.allowedOrigins.map((o) => el('AllowedOrigin', o)),
        ...r.exposeHeaders.map((h) => el('ExposeHeader', h)),
        r.maxAgeSeconds !== undefined ? el('MaxAgeSeconds', r.maxAgeSeconds) : null,
      ]),
    ),
    { xmlns: S3_XMLNS },
  );
}

/** `pattern` with at most one `*` (any run of characters) against `value`. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

/** The first rule allowing `origin` with `method` and every one of `headers`; null if none does. */
export function matchCorsRule(rules: readonly CorsRule[], origin: string, method: string, headers: readonly string[]): CorsRule | null {
  for (const rule of rules) {
    if (!rule.allowedOrigins.some((o) => wildcardMatch(o, origin, false))) continue;
    if (!rule.allowedMethods.includes(method)) continue;
    if (!headers.every((h) => rule.allowedHeaders.some((a) => wildcardMatch(a, h, true)))) continue;
    return rule;
  }
  return null;
}

/** The Access-Control-* headers a matching rule gives a response (actual or preflight). */
export function corsResponseHeaders(rule: CorsRule, origin: string, requestHeaders: readonly string[] | null): OutgoingHttpHeaders {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const out: OutgoingHttpHeaders = {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
  };
  if (!anyOrigin) out['access-control-allow-credentials'] = 'true';
  if (requestHeaders !== null && requestHeaders.length > 0) out['access-control-allow-headers'] = requestHeaders.join(', ');
  if (rule.exposeHeaders.length > 0) out['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.maxAgeSeconds);
  return out;
}

/** Access-Control-Request-Headers as a list of lowercased names. */
export function requestedHeaders(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}
