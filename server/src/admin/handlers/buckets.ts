/** Buckets as an operator sees them, and the per-user permission grants the S3 plane enforces. */
import { OBJECT_COUNT_CAP, PUBLIC_OBJECT_EXAMPLES, type BucketInfo, type BucketPermissions } from '@anode/shared/admin-api/index';
import type { BucketRecord, MetadataStore } from '../../metadata/types.js';
import { isPublicAcl } from '../../policy/acl.js';
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

export const listBuckets: AdminHandler = async (deps) => {
  const buckets = await deps.metadata.listBuckets();
  const out: BucketInfo[] = [];
  for (const b of buckets) {
    const objects = await countObjects(deps.metadata, b.id);
    out.push({
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
    });
  }
  return { body: { buckets: out } };
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
