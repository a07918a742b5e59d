/**
 * Sub-resources of one object version (tagging, ACL, attributes) addressed by ?versionId=:
 * the IAM action AWS checks for them, and the version they act on.
 */
import { S3Error } from './errors.js';
import type { RequestContext } from './context.js';
import type { S3Deps } from './deps.js';
import type { Operation } from './router.js';
import { OPERATIONS } from './router.js';
import { queryParam, type Target } from '../http/target.js';
import { isModelError } from '../model/errors.js';
import { isWellFormedVersionId } from '../model/versioning.js';
import { modelErrorToS3 } from './model-errors.js';
import type { ObjectRecord } from '../metadata/types.js';

/** With ?versionId=, AWS checks the *Version action instead of the plain one. */
const VERSION_ACTIONS: Partial<Readonly<Record<Operation, string>>> = {
  GetObjectTagging: 's3:GetObjectVersionTagging',
  PutObjectTagging: 's3:PutObjectVersionTagging',
  DeleteObjectTagging: 's3:DeleteObjectVersionTagging',
  GetObjectAcl: 's3:GetObjectVersionAcl',
  PutObjectAcl: 's3:PutObjectVersionAcl',
  GetObjectAttributes: 's3:GetObjectVersionAttributes',
};

/** The IAM action a request needs: the operation's, or its *Version action when a version is named. */
export function requestAction(operation: Operation, target: Target | null | undefined): string {
  const versioned = VERSION_ACTIONS[operation];
  if (versioned !== undefined && target && queryParam(target, 'versionId') !== undefined) return versioned;
  return OPERATIONS[operation].action;
}

/**
 * The stored record a request's authorization reads (its ACL, its tags for
 * s3:ExistingObjectTag): the version ?versionId= names, else the current object; null when
 * there is none (the handler then answers the error).
 */
export async function authorizedRecord(deps: S3Deps, ctx: RequestContext): Promise<ObjectRecord | null> {
  const key = ctx.target?.key;
  if (!ctx.bucket || key == null) return null;
  const versionId = queryParam(ctx.target!, 'versionId');
  if (versionId === undefined) return deps.metadata.getObject(ctx.bucket.id, key);
  if (!isWellFormedVersionId(versionId)) return null;
  const entry = await deps.metadata.getObjectVersion(ctx.bucket.id, key, versionId);
  return entry?.type === 'object' ? entry.object : null;
}

/**
 * The version a tagging/ACL/attributes request acts on: ?versionId='s (NoSuchVersion when
 * unknown; 405 MethodNotAllowed naming the request's method for a delete marker) or the
 * current one (NoSuchKey, with the delete-marker headers when a marker is latest).
 */
export async function addressedVersion(deps: S3Deps, ctx: RequestContext): Promise<ObjectRecord> {
  try {
    return await deps.objects.getVersion(ctx.bucket!, ctx.target!.key!, queryParam(ctx.target!, 'versionId'));
  } catch (err) {
    if (isModelError(err) && err.code === 'DeleteMarker') {
      const mapped = modelErrorToS3(err)!;
      if (mapped.code === 'MethodNotAllowed') {
        throw new S3Error('MethodNotAllowed', {
          headers: mapped.headers,
          extra: { ...mapped.extra, Method: ctx.req.method ?? 'GET' },
        });
      }
    }
    throw err;
  }
}
