/**
 * Object and bucket tags as S3 takes them: a Tagging XML body (Put*Tagging) or the
 * URL-encoded `x-amz-tagging` header (PUT, Copy with REPLACE, CreateMultipartUpload, POST
 * form field), checked against AWS's limits with AWS's error codes.
 */
import { S3Error } from './errors.js';
import { el, S3_XMLNS, type XmlNode } from './xml.js';
import { textOf, xmlDocumentParser } from '../util/xml-parse.js';
import { XmlParseError } from '../util/xml-parse.js';
import type { Tag } from '../metadata/types.js';

export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;
const MAX_KEY_CHARS = 128;
const MAX_VALUE_CHARS = 256;
/** Letters, digits and spaces representable in UTF-8, and + - = . _ : / @ (AWS's tag character set). */
const TAG_CHARS = /^[\p{L}\p{M}\p{N}\p{Z}+\-=._:/@]*$/u;

const parseTaggingXml = xmlDocumentParser({ attributes: false, trimValues: false, lists: ['Tag'] });

function chars(s: string): number {
  return [...s].length;
}

/** AWS's checks, in AWS's order: each tag in turn, then the count. */
export function validateTags(tags: Tag[], kind: 'object' | 'bucket'): Tag[] {
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key === '' || chars(key) > MAX_KEY_CHARS || !TAG_CHARS.test(key)) {
      throw new S3Error('InvalidTag', {
        message:
          chars(key) > MAX_KEY_CHARS ? 'The TagKey you have provided is too long, max 128' : 'The TagKey you have provided is invalid',
      });
    }
    if (chars(value) > MAX_VALUE_CHARS || !TAG_CHARS.test(value)) {
      throw new S3Error('InvalidTag', {
        message:
          chars(value) > MAX_VALUE_CHARS
            ? 'The TagValue you have provided is too long, max 256'
            : 'The TagValue you have provided is invalid',
      });
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new S3Error('InvalidTag', { message: 'Your TagKey cannot be prefixed with aws:' });
    }
    if (seen.has(key)) throw new S3Error('InvalidTag', { message: 'Cannot provide multiple Tags with the same key' });
    seen.add(key);
  }
  if (kind === 'object' && tags.length > MAX_OBJECT_TAGS) {
    throw new S3Error('BadRequest', { message: 'Object tags cannot be greater than 10' });
  }
  if (kind === 'bucket' && tags.length > MAX_BUCKET_TAGS) {
    throw new S3Error('BadRequest', { message: 'Bucket tag count cannot be greater than 50' });
  }
  return tags;
}

/** A `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>` body. */
export function parseTaggingBody(text: string, kind: 'object' | 'bucket'): Tag[] {
  const doc = parseTaggingXml(text) as Record<string, unknown>;
  const root = doc['Tagging'];
  if (root === undefined || typeof root !== 'object' || root === null) throw new XmlParseError();
  const set = (root as Record<string, unknown>)['TagSet'];
  if (set === undefined) throw new XmlParseError();
  const list = set === '' ? [] : (set as Record<string, unknown>)['Tag'];
  const tags: Tag[] = [];
  for (const t of (list as unknown[] | undefined) ?? []) {
    if (typeof t !== 'object' || t === null) throw new XmlParseError();
    const key = textOf(t as Record<string, unknown>, 'Key');
    const value = textOf(t as Record<string, unknown>, 'Value');
    if (key === undefined || value === undefined) throw new XmlParseError();
    tags.push({ key, value });
  }
  return validateTags(tags, kind);
}

function badTaggingHeader(): S3Error {
  return new S3Error('InvalidArgument', {
    message: "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
    extra: { ArgumentName: 'x-amz-tagging' },
  });
}

/** `x-amz-tagging: k1=v1&k2=v2` (URL-encoded). */
export function parseTaggingHeader(value: string): Tag[] {
  const tags: Tag[] = [];
  if (value === '') return tags;
  const seen = new Set<string>();
  for (const pair of value.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let val: string;
    try {
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      val = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw badTaggingHeader();
    }
    if (seen.has(key)) throw badTaggingHeader();
    seen.add(key);
    tags.push({ key, value: val });
  }
  return validateTags(tags, 'object');
}

export function taggingXml(tags: readonly Tag[]): XmlNode {
  return el(
    'Tagging',
    [
      el(
        'TagSet',
        tags.map((t) => el('Tag', [el('Key', t.key), el('Value', t.value)])),
      ),
    ],
    { xmlns: S3_XMLNS },
  );
}

/** s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys for a request carrying `tags`. */
export function tagConditionKeys(tags: readonly Tag[] | undefined): Record<string, string | string[]> {
  if (tags === undefined) return {};
  const out: Record<string, string | string[]> = { 's3:RequestObjectTagKeys': tags.map((t) => t.key) };
  for (const t of tags) out[`s3:RequestObjectTag/${t.key}`] = t.value;
  return out;
}

/** s3:ExistingObjectTag/<key> for an object's stored tags. */
export function existingTagConditionKeys(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[`s3:ExistingObjectTag/${t.key}`] = t.value;
  return out;
}
