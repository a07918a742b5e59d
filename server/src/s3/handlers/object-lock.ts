/** Object Lock: bucket configuration, per-version retention and legal hold, and the lock headers on writes. */
import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { el, isoDate, S3_XMLNS } from '../xml.js';
import { parseXmlBody, textOf } from '../../util/xml-parse.js';
import { readSmallBody } from '../body.js';
import { queryParam } from '../../http/target.js';
import { authorize } from '../../policy/authorize.js';
import { conditionContext } from '../conditions.js';
import type { DefaultRetention, LockMode, ObjectLockConfig, Retention } from '../../metadata/types.js';
import type { RequestedLock } from '../../model/object-service.js';

const MODES: ReadonlySet<string> = new Set(['GOVERNANCE', 'COMPLIANCE']);

function hasIntegrityHeader(ctx: RequestContext): boolean {
  return (
    header(ctx, 'content-md5') !== undefined ||
    Object.keys(ctx.req.headers).some((h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-mode') ||
    header(ctx, 'x-amz-sdk-checksum-algorithm') !== undefined ||
    header(ctx, 'x-amz-trailer') !== undefined
  );
}

function requireIntegrity(ctx: RequestContext, what: string): void {
  if (!hasIntegrityHeader(ctx)) {
    throw new S3Error('InvalidRequest', { message: `Content-MD5 OR x-amz-checksum- HTTP header is required for ${what}` });
  }
}

function parseDate(text: string | undefined, what: string): Date {
  const d = text === undefined ? NaN : Date.parse(text.trim());
  if (Number.isNaN(d)) throw new S3Error('InvalidArgument', { message: `The ${what} is not valid`, extra: { ArgumentName: what } });
  return new Date(d);
}

/** x-amz-object-lock-mode / -retain-until-date / -legal-hold of a PUT or copy, or undefined when none is sent. */
export function requestedLockFrom(
  ctx: RequestContext,
  get: (name: string) => string | undefined = (name) => header(ctx, name),
): RequestedLock | undefined {
  const mode = get('x-amz-object-lock-mode');
  const until = get('x-amz-object-lock-retain-until-date');
  const hold = get('x-amz-object-lock-legal-hold');
  if (mode === undefined && until === undefined && hold === undefined) return undefined;
  if ((mode === undefined) !== (until === undefined)) {
    throw new S3Error('InvalidArgument', {
      message: 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
      extra: { ArgumentName: mode === undefined ? 'x-amz-object-lock-mode' : 'x-amz-object-lock-retain-until-date' },
    });
  }
  if (mode !== undefined && !MODES.has(mode)) {
    throw new S3Error('InvalidArgument', {
      message: 'Unknown wormMode directive.',
      extra: { ArgumentName: 'x-amz-object-lock-mode', ArgumentValue: mode },
    });
  }
  if (hold !== undefined && hold !== 'ON' && hold !== 'OFF') {
    throw new S3Error('InvalidArgument', {
      message: "Legal Hold must be either of 'ON' or 'OFF'",
      extra: { ArgumentName: 'x-amz-object-lock-legal-hold' },
    });
  }
  let retention: Retention | null = null;
  if (mode !== undefined) {
    const retainUntil = parseDate(until, 'x-amz-object-lock-retain-until-date');
    if (retainUntil.getTime() <= Date.now()) {
      throw new S3Error('InvalidArgument', {
        message: 'The retain until date must be in the future!',
        extra: { ArgumentName: 'x-amz-object-lock-retain-until-date' },
      });
    }
    retention = { mode: mode as LockMode, retainUntil };
  }
  if (ctx.operation === 'PutObject') requireIntegrity(ctx, 'Put Object requests with Object Lock parameters');
  return { retention, legalHold: hold === 'ON' };
}

/**
 * x-amz-bypass-governance-retention: true counts only for a caller allowed
 * s3:BypassGovernanceRetention on the object (owner, admin or a policy; no ACL or grant).
 */
export function bypassGovernance(deps: S3Deps, ctx: RequestContext, key: string): boolean {
  if (header(ctx, 'x-amz-bypass-governance-retention')?.trim().toLowerCase() !== 'true') return false;
  const decision = authorize({
    principal: ctx.principal,
    action: 's3:BypassGovernanceRetention',
    bucket: ctx.bucket!,
    key,
    context: () => conditionContext(ctx, ctx.operation!),
  });
  if (!decision.allowed) deps.metrics.permissionDenied.inc();
  return decision.allowed;
}

// ---- bucket configuration ----

export async function handlePutObjectLockConfiguration(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  requireIntegrity(ctx, 'Put Object Lock Configuration requests');
  const doc = parseXmlBody((await readSmallBody(ctx, 64 * 1024)).toString('utf8'), 'ObjectLockConfiguration');
  if (textOf(doc, 'ObjectLockEnabled') !== 'Enabled') throw new S3Error('MalformedXML');
  const rule = doc['Rule'] as Record<string, unknown> | undefined;
  let defaultRetention: DefaultRetention | null = null;
  if (rule !== undefined) {
    const dr = (rule as Record<string, unknown>)['DefaultRetention'] as Record<string, unknown> | undefined;
    if (dr === undefined || typeof dr !== 'object') throw new S3Error('MalformedXML');
    const mode = textOf(dr, 'Mode');
    const days = textOf(dr, 'Days');
    const years = textOf(dr, 'Years');
    if (mode === undefined || !MODES.has(mode)) throw new S3Error('MalformedXML');
    if ((days === undefined) === (years === undefined)) throw new S3Error('MalformedXML');
    const n = Number(days ?? years);
    if (!/^\d+$/.test((days ?? years)!) || n <= 0) {
      throw new S3Error('InvalidArgument', {
        message: 'Default retention period must be a positive integer value.',
        extra: { ArgumentName: days ? 'Days' : 'Years' },
      });
    }
    defaultRetention = days !== undefined ? { mode: mode as LockMode, days: n } : { mode: mode as LockMode, years: n };
  }
  const config: ObjectLockConfig = { defaultRetention };
  await deps.objects.setObjectLockConfiguration(ctx.bucket!, config);
  deps.audit.write(ctx, 'bucket.object_lock.set', { bucket: ctx.bucket!.name, default_retention: defaultRetention });
  return emptyResult(200);
}

export async function handleGetObjectLockConfiguration(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const config = ctx.bucket!.objectLock;
  if (!config) throw new S3Error('ObjectLockConfigurationNotFoundError');
  const d = config.defaultRetention;
  return xmlResult(
    el(
      'ObjectLockConfiguration',
      [
        el('ObjectLockEnabled', 'Enabled'),
        d
          ? el('Rule', [
              el('DefaultRetention', [el('Mode', d.mode), d.days !== undefined ? el('Days', d.days) : el('Years', d.years ?? 0)]),
            ])
          : null,
      ],
      { xmlns: S3_XMLNS },
    ),
  );
}

// ---- per-version retention and legal hold ----

export async function handlePutObjectRetention(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  requireIntegrity(ctx, 'Put Object Retention requests');
  const key = ctx.target!.key!;
  const doc = parseXmlBody((await readSmallBody(ctx, 64 * 1024)).toString('utf8'), 'Retention');
  const mode = textOf(doc, 'Mode');
  const until = textOf(doc, 'RetainUntilDate');
  let retention: Retention | null = null;
  if (mode !== undefined || until !== undefined) {
    if (mode === undefined || until === undefined || !MODES.has(mode)) throw new S3Error('MalformedXML');
    const retainUntil = parseDate(until, 'RetainUntilDate');
    if (retainUntil.getTime() <= Date.now()) {
      throw new S3Error('InvalidArgument', {
        message: 'The retain until date must be in the future!',
        extra: { ArgumentName: 'RetainUntilDate' },
      });
    }
    retention = { mode: mode as LockMode, retainUntil };
  }
  const bypass = bypassGovernance(deps, ctx, key);
  const versionId = await deps.objects.putRetention(ctx.bucket!, key, queryParam(ctx.target!, 'versionId'), retention, bypass);
  deps.audit.write(ctx, 'object.retention.set', {
    bucket: ctx.bucket!.name,
    key,
    version_id: versionId,
    mode: retention?.mode ?? null,
    retain_until: retention?.retainUntil.toISOString() ?? null,
    bypass_governance: bypass,
  });
  return emptyResult(200, versionHeader(ctx, versionId));
}

export async function handleGetObjectRetention(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const r = await deps.objects.getRetention(ctx.bucket!, ctx.target!.key!, queryParam(ctx.target!, 'versionId'));
  return xmlResult(el('Retention', [el('Mode', r.mode), el('RetainUntilDate', isoDate(r.retainUntil))], { xmlns: S3_XMLNS }));
}

export async function handlePutObjectLegalHold(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  requireIntegrity(ctx, 'Put Object Legal Hold requests');
  const doc = parseXmlBody((await readSmallBody(ctx, 64 * 1024)).toString('utf8'), 'LegalHold');
  const status = textOf(doc, 'Status');
  if (status !== 'ON' && status !== 'OFF') throw new S3Error('MalformedXML');
  const versionId = await deps.objects.putLegalHold(ctx.bucket!, ctx.target!.key!, queryParam(ctx.target!, 'versionId'), status === 'ON');
  deps.audit.write(ctx, 'object.legal_hold.set', { bucket: ctx.bucket!.name, key: ctx.target!.key!, version_id: versionId, status });
  return emptyResult(200, versionHeader(ctx, versionId));
}

export async function handleGetObjectLegalHold(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const on = await deps.objects.getLegalHold(ctx.bucket!, ctx.target!.key!, queryParam(ctx.target!, 'versionId'));
  return xmlResult(el('LegalHold', [el('Status', on ? 'ON' : 'OFF')], { xmlns: S3_XMLNS }));
}

function versionHeader(ctx: RequestContext, versionId: string): Record<string, string> {
  return (ctx.bucket!.versioning ?? 'Unversioned') === 'Unversioned' ? {} : { 'x-amz-version-id': versionId };
}
