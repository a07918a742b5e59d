import { S3Error } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { S3Deps } from '../deps.js';
import { emptyResult, xmlResult, type S3Result } from '../result.js';
import { el, S3_XMLNS } from '../xml.js';
import { readSmallBody } from '../body.js';
import { getPolicyStatus } from '../../policy/policy-evaluate.js';
import { parseBucketPolicy } from '../../policy/policy-parse.js';
import { publicPolicyBlocked } from '../../policy/authorize.js';
import { policyDeleteOnlyTightens, policyOnlyTightens, readOnlyRefusal } from '../tightening.js';

/** Bodies above this are refused before parsing (AWS documents 20 KB). */
const MAX_POLICY_BYTES = 20 * 1024;

function policyOf(ctx: RequestContext): string {
  const policy = ctx.bucket!.policy;
  if (policy === null) throw new S3Error('NoSuchBucketPolicy', { extra: { BucketName: ctx.bucket!.name } });
  return policy;
}

export async function handleGetBucketPolicy(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  return { status: 200, headers: {}, body: { kind: 'text', contentType: 'application/json', text: policyOf(ctx) } };
}

export async function handlePutBucketPolicy(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const body = await readSmallBody(
    ctx,
    MAX_POLICY_BYTES,
    () => new S3Error('MalformedPolicy', { message: `Policy document exceeds the ${MAX_POLICY_BYTES}-byte limit` }),
  );
  const text = body.toString('utf8');
  const parsed = parseBucketPolicy(text, ctx.bucket!.name);
  if (deps.node.readOnly && !policyOnlyTightens(ctx.bucket!.policy, text))
    throw readOnlyRefusal('a policy whose Allow statements were all in the old one; Deny statements may be added');
  // BlockPublicPolicy: a policy that makes the bucket public is refused.
  if (publicPolicyBlocked(ctx.bucket!, parsed)) throw new S3Error('AccessDenied');
  await deps.metadata.setBucketPolicy(ctx.bucket!.id, text);
  deps.audit.write(ctx, 'bucket.policy.set', { bucket: ctx.bucket!.name, bytes: body.length });
  return emptyResult(204);
}

export async function handleDeleteBucketPolicy(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  if (deps.node.readOnly && !policyDeleteOnlyTightens(ctx.bucket!.policy))
    throw readOnlyRefusal('deleting a policy with Deny statements would widen access');
  await deps.metadata.setBucketPolicy(ctx.bucket!.id, null);
  deps.audit.write(ctx, 'bucket.policy.delete', { bucket: ctx.bucket!.name });
  return emptyResult(204);
}

export async function handleGetBucketPolicyStatus(deps: S3Deps, ctx: RequestContext): Promise<S3Result> {
  const { isPublic } = getPolicyStatus(parseBucketPolicy(policyOf(ctx), ctx.bucket!.name));
  return xmlResult(el('PolicyStatus', [el('IsPublic', isPublic)], { xmlns: S3_XMLNS }));
}
