import { MAX_KEY_BYTES } from '@anode/shared';
import { S3Error } from '../errors.js';
import { header, type RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { xmlResult, type S3Result } from '../result.js';
import { el, S3_XMLNS, type XmlChild } from '../xml.js';
import { listOf, parseXmlBody, textOf } from '../../util/xml-parse.js';
import { readSmallBody } from '../body.js';
import { authorize } from '../../policy/authorize.js';
import { anonymousDisabledReason } from '../../model/lockdown.js';
import { recordDenial } from '../record-denial.js';
import { conditionContext } from '../conditions.js';
import { modelErrorToS3 } from '../model-errors.js';
import type { DeleteResult } from '../../model/object-service.js';
import { bypassGovernance } from './object-lock.js';
import { ownerOf } from './request-acl.js';

const MAX_KEYS = 1000;

/** POST /bucket?delete: each key is authorized and deleted on its own, and reported. */
export async function handleDeleteObjects(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const hasIntegrity =
    header(ctx, 'content-md5') !== undefined ||
    Object.keys(ctx.req.headers).some((h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-mode') ||
    header(ctx, 'x-amz-sdk-checksum-algorithm') !== undefined ||
    header(ctx, 'x-amz-trailer') !== undefined;
  if (!hasIntegrity) {
    throw new S3Error('InvalidRequest', { message: 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*' });
  }
  const body = await readSmallBody(ctx, 2 * 1024 * 1024);
  const doc = parseXmlBody(body.toString('utf8'), 'Delete');
  const quiet = textOf(doc, 'Quiet')?.trim().toLowerCase() === 'true';
  const objects = listOf(doc, 'Object');
  if (objects.length === 0 || objects.length > MAX_KEYS) throw new S3Error('MalformedXML');
  const keys = objects.map((o) => {
    const key = textOf(o, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML');
    return { key, versionId: textOf(o, 'VersionId') };
  });
  const bucket = ctx.bucket!;
  const context = conditionContext(ctx, 'DeleteObjects');
  const results: XmlChild[] = [];
  for (const { key, versionId } of keys) {
    const fail = (code: string, message: string) =>
      results.push(
        el('Error', [
          el('Key', key),
          versionId !== undefined ? el('VersionId', versionId) : null,
          el('Code', code),
          el('Message', message),
        ]),
      );
    if (key === '' || Buffer.byteLength(key) > MAX_KEY_BYTES) {
      fail(key === '' ? 'InvalidArgument' : 'KeyTooLongError', key === '' ? 'Invalid key' : 'Your key is too long');
      continue;
    }
    const action = versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion';
    const input = {
      principal: ctx.principal,
      action,
      bucket,
      key,
      context,
      anonymousDisabled: ctx.principal.kind === 'anonymous' ? anonymousDisabledReason(deps.config.auth.anonymous, deps.lockdown) : null,
    };
    if (!authorize(input).allowed) {
      deps.metrics.permissionDenied.inc();
      recordDenial(deps, ctx, 'DeleteObjects', input);
      fail('AccessDenied', 'Access Denied');
      continue;
    }
    let done: DeleteResult;
    try {
      done = await deps.objects.deleteObject(bucket, key, {
        versionId,
        bypassGovernance: versionId !== undefined && bypassGovernance(deps, ctx, key),
        owner: ownerOf(ctx, bucket.owner),
      });
    } catch (err) {
      const s3 = modelErrorToS3(err);
      if (s3 === null) throw err;
      fail(s3.code, s3.message);
      continue;
    }
    if (!quiet) {
      results.push(
        el('Deleted', [
          el('Key', key),
          versionId !== undefined ? el('VersionId', versionId) : null,
          done.deleteMarker ? el('DeleteMarker', true) : null,
          done.deleteMarker && done.versionId !== null ? el('DeleteMarkerVersionId', done.versionId) : null,
        ]),
      );
    }
  }
  return xmlResult(el('DeleteResult', results, { xmlns: S3_XMLNS }));
}
