/**
 * `anodectl policy simulate` and `policy explain`: the authorizer's own decision, with its
 * trace. Simulate builds the same AuthorizeInput the S3 plane builds for a request (the
 * principal from the user's credential, the object's ACL for object reads) and calls
 * explainAuthorization, the same code path as authorize().
 */
import type { DenialTraceResponse, PolicySimulateResponse } from '@anode/shared/admin-api/index';
import { actionInfo } from '../../policy/actions.js';
import { explainAuthorization, type AuthorizeInput } from '../../policy/authorize.js';
import type { Principal } from '../../policy/principal.js';
import { anonymousDisabledReason } from '../../model/lockdown.js';
import { AdminError, invalid } from '../errors.js';
import { isActive } from '../json.js';
import { objectBody, onlyFields, requiredString, USER_NAME } from '../validate.js';
import type { AdminHandler } from './types.js';

/** Object actions whose real request path consults the object's ACL (s3/handle.ts OBJECT_ACL_OPS). */
const OBJECT_ACL_ACTIONS: ReadonlySet<string> = new Set(['s3:GetObject', 's3:GetObjectAcl', 's3:PutObjectAcl']);

function conditionsField(value: unknown): Record<string, string[]> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('"conditions" must be an object of key → [values]');
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9:_-]{1,128}$/.test(k)) throw invalid(`condition key ${JSON.stringify(k.slice(0, 80))} is not a condition key`);
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(`condition ${k} must be a list of strings`);
    out[k] = v as string[];
  }
  return out;
}

export const simulatePolicy: AdminHandler = async (deps, ctx) => {
  const body = objectBody(ctx.body);
  onlyFields(body, ['bucket', 'principal', 'action', 'key', 'conditions']);
  const bucketName = requiredString(body, 'bucket', 255);
  const principalText = requiredString(body, 'principal', 80);
  const action = requiredString(body, 'action', 128);
  const key = body['key'] === undefined ? undefined : requiredString(body, 'key', 1024);
  const conditions = conditionsField(body['conditions']);
  const info = actionInfo(action);
  if (info === null) throw invalid(`${JSON.stringify(action.slice(0, 80))} is not an S3 action Anode knows (e.g. s3:GetObject)`);
  if (info.target === 'object' && key === undefined) throw invalid(`${action} acts on an object: give a key`);
  const bucket = await deps.metadata.getBucket(bucketName);
  if (!bucket) throw new AdminError('NoSuchBucket', `no such bucket: ${JSON.stringify(bucketName.slice(0, 80))}`);

  const notes: string[] = [];
  let principal: Principal;
  let simulated: string | null = null;
  if (principalText === '*') principal = { kind: 'anonymous' };
  else {
    const m = /^user:(.+)$/.exec(principalText);
    if (!m || !USER_NAME.test(m[1]!)) throw invalid('"principal" must be user:NAME or *');
    const user = m[1]!;
    const now = new Date();
    const creds = (await deps.metadata.listCredentials())
      .filter((c) => c.user === user && isActive(c, now))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const pick = creds[0];
    if (pick === undefined) {
      principal = { kind: 'user', user, accessKey: '(none)', role: 'user', permissions: [] };
      notes.push(`user ${user} has no active credential: simulated as a plain user without credential permissions`);
    } else {
      principal = { kind: 'user', user, accessKey: pick.accessKey, role: pick.role, permissions: pick.permissions };
      simulated = pick.accessKey;
      const differ = creds.filter((c) => c.role !== pick.role || c.permissions.join(',') !== pick.permissions.join(','));
      if (differ.length > 0)
        notes.push(
          `user ${user} has ${creds.length} active credentials with different roles/permissions; simulated with the newest, ${pick.accessKey}`,
        );
    }
  }
  const context: Record<string, string[]> = { ...conditions };
  const now = new Date();
  const has = (k: string) => Object.keys(context).some((x) => x.toLowerCase() === k.toLowerCase());
  if (!has('aws:CurrentTime')) {
    context['aws:CurrentTime'] = [now.toISOString()];
    notes.push('aws:CurrentTime not given: now');
  }
  if (!has('aws:EpochTime')) context['aws:EpochTime'] = [String(Math.floor(now.getTime() / 1000))];
  let objectAcl = null;
  if (key !== undefined && OBJECT_ACL_ACTIONS.has(action)) {
    const obj = await deps.metadata.getObject(bucket.id, key);
    objectAcl = obj?.acl ?? null;
    if (!obj) notes.push(`object ${key} does not exist: no object ACL consulted`);
  }
  const input: AuthorizeInput = {
    principal,
    action,
    bucket,
    context,
    objectAcl,
    anonymousDisabled: anonymousDisabledReason(deps.config.auth.anonymous, deps.lockdown),
    ...(key !== undefined ? { key } : {}),
  };
  const trace = explainAuthorization(input);
  const answer: PolicySimulateResponse = { ...trace, bucket: bucket.name, simulated_credential: simulated, notes };
  return { body: answer };
};

export const explainDenial: AdminHandler = async (deps, ctx) => {
  const id = ctx.params['requestId'] ?? '';
  const found = deps.denials?.get(id.toUpperCase());
  if (found === undefined) {
    throw new AdminError(
      'NotFound',
      `no denial recorded for request id ${JSON.stringify(id.slice(0, 40))}: only the last ${deps.denials?.capacity ?? 0} denials since the node started are kept`,
    );
  }
  const answer: DenialTraceResponse = found;
  return { body: answer };
};
