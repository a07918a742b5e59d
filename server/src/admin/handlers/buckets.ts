/** Buckets as an operator sees them, and the per-user permission grants the S3 plane enforces. */
import { OBJECT_COUNT_CAP, PUBLIC_OBJECT_EXAMPLES, type BucketInfo, type BucketPermissions } from '@anode/shared/admin-api/index';
import type { BucketRecord, MetadataStore } from '../../metadata/types.js';
import { randomBytes } from 'node:crypto';
import { bucketNameProblem } from '@anode/shared';
import { isPublicAcl, privateAcl } from '../../policy/acl.js';
import { parseBucketPolicy } from '../../policy/policy-parse.js';
import { getPolicyStatus } from '../../policy/policy-evaluate.js';
import { AdminError, invalid } from '../errors.js';
import { objectBody, permissionNames, USER_NAME } from '../validate.js';
import type { AdminHandler } from './types.js';

function publicPolicy(bucket: BucketRecord): boolean {
  if (bucket.policy === null) return false;
  try {
    return getPolicyStatus(parseBucketPolicy(bucket.policy, bucket.name)).isPublic;
  } catch {
    return false;
  }
}

/** Objects counted up to the cap, and those among them whose own ACL makes them public. */
async function countObjects(
  metadata: MetadataStore,
  bucketId: string,
): Promise<{ count: number; truncated: boolean; publicCount: number; publicKeys: string[] }> {
  const page = await metadata.listObjects(bucketId, { prefix: '', startAfter: '', limit: OBJECT_COUNT_CAP + 1 });
  const counted = page.slice(0, OBJECT_COUNT_CAP);
  const open = counted.filter((o) => isPublicAcl(o.acl));
  return {
    count: counted.length,
    truncated: page.length > OBJECT_COUNT_CAP,
    publicCount: open.length,
    publicKeys: open.slice(0, PUBLIC_OBJECT_EXAMPLES).map((o) => o.key),
  };
}

async function bucketInfo(metadata: MetadataStore, b: BucketRecord): Promise<BucketInfo> {
  const objects = await countObjects(metadata, b.id);
  return {
    name: b.name,
    owner: b.owner,
    region: b.region,
    created: b.createdAt.toISOString(),
    object_count: objects.count,
    object_count_truncated: objects.truncated,
    public_acl: isPublicAcl(b.acl),
    has_policy: b.policy !== null,
    public_policy: publicPolicy(b),
    public_objects: objects.publicCount,
    public_object_keys: objects.publicKeys,
    grants: Object.keys(b.permissions).length,
  };
}

export const listBuckets: AdminHandler = async (deps) => {
  const buckets = await deps.metadata.listBuckets();
  const out: BucketInfo[] = [];
  for (const b of buckets) out.push(await bucketInfo(deps.metadata, b));
  return { body: { buckets: out } };
};

/** `{"name": "photos", "owner": "alice"}`: a private bucket in the node's region, owned by owner (default the caller). */
export const createBucket: AdminHandler = async (deps, ctx) => {
  const body = objectBody(ctx.body ?? {});
  const name = body['name'];
  if (typeof name !== 'string') throw invalid('"name" (the bucket name) is required');
  const problem = bucketNameProblem(name);
  if (problem !== null) throw new AdminError('InvalidBucketName', `bucket name ${JSON.stringify(name.slice(0, 80))} ${problem}`);
  const ownerField = body['owner'];
  if (ownerField !== undefined && (typeof ownerField !== 'string' || !USER_NAME.test(ownerField)))
    throw invalid('"owner" must be a user name');
  const owner = ownerField ?? (ctx.principal.kind === 'user' ? ctx.principal.user : undefined);
  if (owner === undefined) throw invalid('"owner" is required');
  const record: BucketRecord = {
    id: randomBytes(16).toString('hex'),
    name,
    owner,
    region: deps.config.server.region,
    createdAt: new Date(),
    acl: privateAcl(owner),
    policy: null,
    permissions: {},
  };
  if ((await deps.metadata.createBucket(record)) === 'exists')
    throw new AdminError('BucketAlreadyExists', `a bucket named ${JSON.stringify(name)} already exists`);
  return { status: 201, body: await bucketInfo(deps.metadata, record), audit: { details: { bucket: name, owner } } };
};

/** Deletes an empty bucket (BucketNotEmpty otherwise: `emptyBucket` first). */
export const deleteBucket: AdminHandler = async (deps, ctx) => {
  const bucket = await bucketParam(deps.metadata, ctx.params['bucket']);
  if (deps.bucketWrites.busy(bucket.id))
    throw new AdminError(
      'BucketNotEmpty',
      `bucket ${JSON.stringify(bucket.name)} has writes in progress; try again when they have finished`,
    );
  const result = await deps.metadata.deleteBucket(bucket.id);
  if (result === 'not-empty')
    throw new AdminError('BucketNotEmpty', `bucket ${JSON.stringify(bucket.name)} is not empty (objects or multipart uploads)`);
  if (result === 'not-found') throw new AdminError('NoSuchBucket', `no such bucket: ${JSON.stringify(bucket.name)}`);
  return { body: { bucket: bucket.name, deleted: true }, audit: { details: { bucket: bucket.name, owner: bucket.owner } } };
};

const EMPTY_BATCH = 1000;

/**
 * Removes up to `limit` objects, then (once no object is left) up to `limit` multipart
 * uploads. One bounded batch per call, so the caller shows progress and a request never
 * runs for long; their chunks go to the trash for GC, as with DeleteObject.
 */
export const emptyBucket: AdminHandler = async (deps, ctx) => {
  const bucket = await bucketParam(deps.metadata, ctx.params['bucket']);
  const body = objectBody(ctx.body ?? {});
  const limitField = body['limit'] ?? EMPTY_BATCH;
  if (typeof limitField !== 'number' || !Number.isInteger(limitField) || limitField < 1 || limitField > EMPTY_BATCH)
    throw invalid(`"limit" must be an integer from 1 to ${EMPTY_BATCH}`);
  const objects = await deps.metadata.listObjects(bucket.id, { prefix: '', startAfter: '', limit: limitField });
  for (const o of objects) await deps.objects.deleteObject(bucket, o.key);
  let aborted = 0;
  if (objects.length < limitField) {
    const uploads = await deps.metadata.listUploads(bucket.id, {
      prefix: '',
      keyMarker: '',
      uploadIdMarker: '',
      limit: limitField - objects.length,
    });
    for (const u of uploads) if ((await deps.metadata.abortUpload(u.uploadId)) === 'ok') aborted++;
  }
  const done =
    (await deps.metadata.listObjects(bucket.id, { prefix: '', startAfter: '', limit: 1 })).length === 0 &&
    (await deps.metadata.listUploads(bucket.id, { prefix: '', keyMarker: '', uploadIdMarker: '', limit: 1 })).length === 0;
  return {
    body: { bucket: bucket.name, objects_deleted: objects.length, uploads_aborted: aborted, done },
    audit: { details: { bucket: bucket.name, objects_deleted: objects.length, uploads_aborted: aborted } },
  };
};

async function bucketParam(metadata: MetadataStore, name: string | undefined): Promise<BucketRecord> {
  const bucket = name === undefined ? null : await metadata.getBucket(name);
  if (!bucket) throw new AdminError('NoSuchBucket', `no such bucket: ${JSON.stringify((name ?? '').slice(0, 80))}`);
  return bucket;
}

export const getBucketPermissions: AdminHandler = async (deps, ctx) => {
  const bucket = await bucketParam(deps.metadata, ctx.params['bucket']);
  return { body: { bucket: bucket.name, permissions: bucket.permissions } };
};

/** `{"user:alice": ["read"]}`: keys name a user, values the bucket permissions; [] drops the user. */
export function parsePermissions(body: unknown): BucketPermissions {
  const obj = objectBody(body);
  const out: BucketPermissions = {};
  for (const [key, value] of Object.entries(obj)) {
    const m = /^user:(.+)$/.exec(key);
    if (!m || !USER_NAME.test(m[1]!)) throw invalid(`permission keys must be "user:<name>" (got ${JSON.stringify(key.slice(0, 80))})`);
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(`"${key}" must be an array of permission names`);
    const perms = permissionNames(value as string[], `"${key}"`);
    if (perms.length > 0) out[key] = perms;
  }
  return out;
}

export const putBucketPermissions: AdminHandler = async (deps, ctx) => {
  const bucket = await bucketParam(deps.metadata, ctx.params['bucket']);
  const permissions = parsePermissions(ctx.body ?? {});
  await deps.metadata.setBucketPermissions(bucket.id, permissions);
  const known = new Set((await deps.metadata.listCredentials()).map((c) => c.user));
  const unknown = Object.keys(permissions)
    .map((k) => k.slice('user:'.length))
    .filter((u) => !known.has(u));
  return {
    body: { bucket: bucket.name, permissions, unknown_users: unknown },
    audit: { details: { bucket: bucket.name, permissions, previous: bucket.permissions } },
  };
};
