/** Put/Get/DeleteBucketLifecycleConfiguration; model/lifecycle.ts applies the rules. */
import { randomBytes } from 'node:crypto';
import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { el, S3_XMLNS, type XmlChild } from '../xml.js';
import { listOf, parseXmlBody, textOf } from '../../util/xml-parse.js';
import { readSmallBody } from '../body.js';
import type { LifecycleFilter, LifecycleRule, Tag } from '../../metadata/types.js';
import { validateTags } from '../tagging.js';

const MAX_RULES = 1000;

function child(node: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const v = node[name];
  if (v === undefined) return undefined;
  if (v === '') return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new S3Error('MalformedXML');
  return v as Record<string, unknown>;
}

function positive(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || n <= 0) {
    throw new S3Error('InvalidArgument', {
      message: `'${what}' must be a positive integer`,
      extra: { ArgumentName: what, ArgumentValue: text },
    });
  }
  return n;
}

function nonNegative(text: string | undefined, what: string): number | null {
  if (text === undefined) return null;
  if (!/^\d+$/.test(text.trim()))
    throw new S3Error('InvalidArgument', { message: `'${what}' must be a non-negative integer`, extra: { ArgumentName: what } });
  return Number(text.trim());
}

function parseFilter(rule: Record<string, unknown>): LifecycleFilter {
  const legacy = textOf(rule, 'Prefix');
  const f = child(rule, 'Filter');
  if (legacy !== undefined && f !== undefined) throw new S3Error('MalformedXML');
  if (f === undefined) return { prefix: legacy ?? '', sizeGreaterThan: null, sizeLessThan: null };
  const and = child(f, 'And');
  const node = and ?? f;
  // Tag filters: one <Tag> in <Filter>, or any number in <And>; an object matches with all of them.
  const tagNodes = listOf(node, 'Tag');
  const tags: Tag[] = validateTags(
    tagNodes.map((t) => {
      const key = textOf(t, 'Key');
      if (key === undefined) throw new S3Error('MalformedXML');
      return { key, value: textOf(t, 'Value') ?? '' };
    }),
    'bucket',
  );
  const parts = ['Prefix', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'].filter((n) => node[n] !== undefined);
  if (and === undefined && parts.length + tagNodes.length > 1) throw new S3Error('MalformedXML');
  return {
    prefix: textOf(node, 'Prefix') ?? '',
    sizeGreaterThan: nonNegative(textOf(node, 'ObjectSizeGreaterThan'), 'ObjectSizeGreaterThan'),
    sizeLessThan: nonNegative(textOf(node, 'ObjectSizeLessThan'), 'ObjectSizeLessThan'),
    ...(tags.length > 0 ? { tags } : {}),
  };
}

function parseRule(rule: Record<string, unknown>): LifecycleRule {
  for (const unsupported of ['Transition', 'NoncurrentVersionTransition']) {
    if (rule[unsupported] !== undefined) {
      throw new S3Error('NotImplemented', {
        message: `Lifecycle ${unsupported} actions are not implemented by this server (one storage class).`,
      });
    }
  }
  const id = textOf(rule, 'ID') ?? randomBytes(12).toString('base64url');
  if (id.length > 255)
    throw new S3Error('InvalidArgument', { message: 'ID length should not exceed allowed limit of 255', extra: { ArgumentName: 'ID' } });
  const status = textOf(rule, 'Status');
  if (status !== 'Enabled' && status !== 'Disabled') throw new S3Error('MalformedXML');
  const x = child(rule, 'Expiration');
  let expiration: LifecycleRule['expiration'] = null;
  if (x !== undefined) {
    const days = positive(textOf(x, 'Days'), 'Days');
    const dateText = textOf(x, 'Date');
    const marker = textOf(x, 'ExpiredObjectDeleteMarker');
    const set = [days !== undefined, dateText !== undefined, marker !== undefined].filter(Boolean).length;
    if (set !== 1) throw new S3Error('MalformedXML');
    if (marker !== undefined && marker !== 'true' && marker !== 'false') throw new S3Error('MalformedXML');
    let date: string | undefined;
    if (dateText !== undefined) {
      const ms = Date.parse(dateText.trim());
      if (Number.isNaN(ms) || ms % 86_400_000 !== 0) {
        throw new S3Error('InvalidArgument', {
          message: "'Date' must be at midnight GMT",
          extra: { ArgumentName: 'Date', ArgumentValue: dateText },
        });
      }
      date = new Date(ms).toISOString();
    }
    expiration = {
      ...(days !== undefined ? { days } : {}),
      ...(date !== undefined ? { date } : {}),
      ...(marker !== undefined ? { expiredObjectDeleteMarker: marker === 'true' } : {}),
    };
  }
  const n = child(rule, 'NoncurrentVersionExpiration');
  let noncurrentExpiration: LifecycleRule['noncurrentExpiration'] = null;
  if (n !== undefined) {
    const noncurrentDays = positive(textOf(n, 'NoncurrentDays'), 'NoncurrentDays');
    if (noncurrentDays === undefined) throw new S3Error('MalformedXML');
    const newer = positive(textOf(n, 'NewerNoncurrentVersions'), 'NewerNoncurrentVersions');
    noncurrentExpiration = { noncurrentDays, ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}) };
  }
  const a = child(rule, 'AbortIncompleteMultipartUpload');
  const abortDays = a === undefined ? null : (positive(textOf(a, 'DaysAfterInitiation'), 'DaysAfterInitiation') ?? null);
  if (a !== undefined && abortDays === null) throw new S3Error('MalformedXML');
  if (expiration === null && noncurrentExpiration === null && abortDays === null) {
    throw new S3Error('InvalidRequest', { message: 'At least one action needs to be specified in a rule' });
  }
  const filter = parseFilter(rule);
  if (abortDays !== null && (filter.sizeGreaterThan !== null || filter.sizeLessThan !== null)) {
    throw new S3Error('InvalidRequest', { message: 'AbortIncompleteMultipartUpload cannot be specified with an object size filter' });
  }
  // Uploads and delete markers carry no tags: AWS refuses these actions beside a tag filter.
  if (filter.tags !== undefined && abortDays !== null) {
    throw new S3Error('InvalidRequest', { message: 'AbortIncompleteMultipartUpload cannot be specified with Tags.' });
  }
  if (filter.tags !== undefined && expiration?.expiredObjectDeleteMarker !== undefined) {
    throw new S3Error('InvalidRequest', { message: 'ExpiredObjectDeleteMarker cannot be specified with Tags.' });
  }
  return { id, enabled: status === 'Enabled', filter, expiration, noncurrentExpiration, abortIncompleteMultipartDays: abortDays };
}

export async function handlePutBucketLifecycleConfiguration(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const integrity =
    header(ctx, 'content-md5') !== undefined ||
    Object.keys(ctx.req.headers).some((h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-mode') ||
    header(ctx, 'x-amz-sdk-checksum-algorithm') !== undefined ||
    header(ctx, 'x-amz-trailer') !== undefined;
  if (!integrity)
    throw new S3Error('InvalidRequest', { message: 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*' });
  const doc = parseXmlBody((await readSmallBody(ctx, 1024 * 1024)).toString('utf8'), 'LifecycleConfiguration');
  const raw = listOf(doc, 'Rule');
  if (raw.length === 0 || raw.length > MAX_RULES) throw new S3Error('MalformedXML');
  const rules = raw.map(parseRule);
  if (new Set(rules.map((r) => r.id)).size !== rules.length) {
    throw new S3Error('InvalidArgument', {
      message: 'Rule ID must be unique. Found same ID for more than one rule',
      extra: { ArgumentName: 'ID' },
    });
  }
  await deps.metadata.setBucketLifecycle(ctx.bucket!.id, rules);
  deps.audit.write(ctx, 'bucket.lifecycle.set', { bucket: ctx.bucket!.name, rules: rules.length });
  return emptyResult(200);
}

export async function handleGetBucketLifecycleConfiguration(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const rules = ctx.bucket!.lifecycle;
  if (!rules || rules.length === 0) throw new S3Error('NoSuchLifecycleConfiguration', { extra: { BucketName: ctx.bucket!.name } });
  return xmlResult(el('LifecycleConfiguration', rules.map(ruleXml), { xmlns: S3_XMLNS }));
}

export async function handleDeleteBucketLifecycle(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  await deps.metadata.setBucketLifecycle(ctx.bucket!.id, null);
  deps.audit.write(ctx, 'bucket.lifecycle.delete', { bucket: ctx.bucket!.name });
  return emptyResult(204);
}

function ruleXml(r: LifecycleRule): XmlChild {
  const f = r.filter;
  const conditions = [
    f.prefix !== '' ? el('Prefix', f.prefix) : null,
    f.sizeGreaterThan !== null ? el('ObjectSizeGreaterThan', f.sizeGreaterThan) : null,
    f.sizeLessThan !== null ? el('ObjectSizeLessThan', f.sizeLessThan) : null,
    ...(f.tags ?? []).map((t) => el('Tag', [el('Key', t.key), el('Value', t.value)])),
  ].filter(Boolean);
  const filter =
    conditions.length > 1 ? el('Filter', [el('And', conditions)]) : el('Filter', conditions.length === 1 ? conditions : [el('Prefix', '')]);
  const x = r.expiration;
  return el('Rule', [
    el('ID', r.id),
    filter,
    el('Status', r.enabled ? 'Enabled' : 'Disabled'),
    x
      ? el('Expiration', [
          x.days !== undefined ? el('Days', x.days) : null,
          x.date !== undefined ? el('Date', x.date) : null,
          x.expiredObjectDeleteMarker !== undefined ? el('ExpiredObjectDeleteMarker', x.expiredObjectDeleteMarker) : null,
        ])
      : null,
    r.noncurrentExpiration
      ? el('NoncurrentVersionExpiration', [
          el('NoncurrentDays', r.noncurrentExpiration.noncurrentDays),
          r.noncurrentExpiration.newerNoncurrentVersions !== undefined
            ? el('NewerNoncurrentVersions', r.noncurrentExpiration.newerNoncurrentVersions)
            : null,
        ])
      : null,
    r.abortIncompleteMultipartDays !== null
      ? el('AbortIncompleteMultipartUpload', [el('DaysAfterInitiation', r.abortIncompleteMultipartDays)])
      : null,
  ]);
}
