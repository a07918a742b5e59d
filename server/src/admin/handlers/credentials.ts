/** Credential lifecycle: create (the only answer with a secret), list, revoke, revoke-all, rotate. */
import type { CreatedCredential, RevokeCredentialResponse, RotateCredentialResponse } from '@anode/shared/admin-api/index';
import { AdminError, invalid } from '../errors.js';
import { credentialInfo } from '../json.js';
import { ACCESS_KEY, objectBody, onlyFields, optionalStringArray, permissionNames, requiredString, role, userName } from '../validate.js';
import type { AdminHandler } from './types.js';

/** Longest rotation grace: a key that "expires" in a year is not rotated. */
export const MAX_GRACE_SECONDS = 30 * 24 * 3600;

function accessKeyParam(value: string | undefined): string {
  if (value === undefined || !ACCESS_KEY.test(value))
    throw new AdminError('NoSuchCredential', `no such credential: ${JSON.stringify((value ?? '').slice(0, 130))}`);
  return value;
}

export const createCredential: AdminHandler = async (deps, ctx) => {
  const body = objectBody(ctx.body);
  onlyFields(body, ['user', 'role', 'permissions']);
  const user = userName(requiredString(body, 'user', 64));
  const r = body['role'] === undefined ? 'user' : role(body['role']);
  const permissions = permissionNames(optionalStringArray(body, 'permissions') ?? [], 'permissions');
  const created = await deps.credentials.create({ user, role: r, permissions });
  const answer: CreatedCredential = { ...credentialInfo(created.record), secret_key: created.secretKey };
  return {
    status: 201,
    body: answer,
    audit: { details: { credential: created.accessKey, credential_user: user, role: r, permissions } },
  };
};

export const listCredentials: AdminHandler = async (deps) => {
  const now = new Date();
  const all = await deps.metadata.listCredentials();
  all.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.accessKey.localeCompare(b.accessKey));
  return { body: { credentials: all.map((c) => credentialInfo(c, now)) } };
};

export const revokeCredential: AdminHandler = async (deps, ctx) => {
  const accessKey = accessKeyParam(ctx.params['accessKey']);
  const record = await deps.metadata.getCredential(accessKey);
  if (!record) throw new AdminError('NoSuchCredential', `no such credential: ${accessKey}`);
  const now = new Date();
  const already = record.revokedAt !== null;
  if (!already) await deps.metadata.revokeCredential(accessKey, now);
  const answer: RevokeCredentialResponse = {
    access_key: accessKey,
    revoked: (record.revokedAt ?? now).toISOString(),
    already_revoked: already,
  };
  return { body: answer, audit: { details: { credential: accessKey, credential_user: record.user, already_revoked: already } } };
};

export const revokeAllCredentials: AdminHandler = async (deps, ctx) => {
  const body = objectBody(ctx.body);
  onlyFields(body, ['except']);
  const except = optionalStringArray(body, 'except') ?? [];
  for (const ak of except) if (!ACCESS_KEY.test(ak)) throw invalid(`"except": ${JSON.stringify(ak.slice(0, 130))} is not an access key id`);
  const revoked = await deps.metadata.revokeAllCredentials(new Date(), except);
  return { body: { revoked, except }, audit: { details: { revoked, except } } };
};

export const rotateCredential: AdminHandler = async (deps, ctx) => {
  const accessKey = accessKeyParam(ctx.params['accessKey']);
  const body = objectBody(ctx.body);
  onlyFields(body, ['grace_seconds']);
  const grace = body['grace_seconds'] ?? 0;
  if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
    throw invalid(`"grace_seconds" must be a whole number from 0 to ${MAX_GRACE_SECONDS}`);
  }
  const old = await deps.metadata.getCredential(accessKey);
  if (!old) throw new AdminError('NoSuchCredential', `no such credential: ${accessKey}`);
  const now = new Date();
  if (old.revokedAt !== null || (old.expiresAt !== null && old.expiresAt <= now)) {
    throw invalid(`credential ${accessKey} is no longer active; create a new one instead of rotating it`);
  }
  const created = await deps.credentials.create({ user: old.user, role: old.role, permissions: old.permissions });
  if (grace === 0) await deps.metadata.revokeCredential(accessKey, now);
  else await deps.metadata.expireCredential(accessKey, new Date(now.getTime() + grace * 1000));
  const previous = (await deps.metadata.getCredential(accessKey)) ?? old;
  const answer: RotateCredentialResponse = {
    credential: { ...credentialInfo(created.record, now), secret_key: created.secretKey },
    previous: credentialInfo(previous, now),
  };
  return {
    status: 201,
    body: answer,
    audit: { details: { credential: accessKey, new_credential: created.accessKey, credential_user: old.user, grace_seconds: grace } },
  };
};
