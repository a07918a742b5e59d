/**
 * `anodectl credentials report` (least privilege: what each key can reach, and what is
 * wrong with it) and `anodectl credentials reseal` (new master key, no restart).
 */
import type { CredentialFinding, CredentialReportEntry, CredentialsReportResponse, ResealResponse } from '@anode/shared/admin-api/index';
import type { BucketRecord, CredentialRecord } from '../../metadata/types.js';
import { parseBucketPolicy } from '../../policy/policy-parse.js';
import { nodePaths } from '../../config/paths.js';
import { ResealError, resealAllSecrets } from '../../model/reseal.js';
import { readAudit } from '../audit-reader.js';
import { auditLogPathOf } from '../deps.js';
import { AdminError } from '../errors.js';
import { credentialStatus, isActive } from '../json.js';
import type { AdminHandler } from './types.js';

const DAY_MS = 86_400_000;
/** The seed's rotation period. */
export const REPORT_DAYS = 90;

/** Users a bucket policy's Allow statements name explicitly (`arn:aws:iam::…:user/NAME`). */
function policyUsers(bucket: BucketRecord): Set<string> {
  const users = new Set<string>();
  if (bucket.policy === null) return users;
  try {
    for (const s of parseBucketPolicy(bucket.policy, bucket.name).statements) {
      if (s.effect !== 'Allow' || s.notPrincipal || s.principal.kind !== 'some') continue;
      for (const u of s.principal.users) users.add(u);
    }
  } catch {
    /* an unparsable stored policy denies everything */
  }
  return users;
}

export function reportEntry(c: CredentialRecord, buckets: BucketRecord[], adminActors: Set<string>, now: Date): CredentialReportEntry {
  const ageDays = Math.floor((now.getTime() - c.createdAt.getTime()) / DAY_MS);
  const reach = buckets
    .filter((b) => b.owner === c.user || (b.permissions[`user:${c.user}`]?.length ?? 0) > 0 || policyUsers(b).has(c.user))
    .map((b) => b.name);
  const findings: CredentialFinding[] = [];
  const text: string[] = [];
  if (c.lastUsedAt === null) {
    findings.push('never-used');
    text.push(`never used (created ${ageDays} days ago): revoke it if nobody needs it (anodectl credentials revoke ${c.accessKey})`);
  } else if (now.getTime() - c.lastUsedAt.getTime() > REPORT_DAYS * DAY_MS) {
    findings.push('unused-90-days');
    text.push(
      `not used for ${REPORT_DAYS}+ days (last ${c.lastUsedAt.toISOString()}): revoke it (anodectl credentials revoke ${c.accessKey})`,
    );
  }
  if (ageDays > REPORT_DAYS) {
    findings.push('older-than-90-days');
    text.push(`${ageDays} days old, past the ${REPORT_DAYS}-day rotation period: anodectl credentials rotate ${c.accessKey} --grace 1d`);
  }
  if (c.role !== 'admin' && c.permissions.length > 0) {
    findings.push('grants-on-every-bucket');
    text.push(
      `credential-level permission [${c.permissions.join(',')}] applies to every bucket: grant per bucket instead (anodectl buckets permissions set BUCKET --grant user:${c.user}=${c.permissions.join(',')})`,
    );
  }
  if (c.role === 'admin' && !adminActors.has(c.accessKey)) {
    findings.push('admin-role-unused');
    text.push(`admin role not used for an admin action in ${REPORT_DAYS} days: give the work a user-role key and keep admin keys few`);
  }
  return {
    access_key: c.accessKey,
    user: c.user,
    role: c.role,
    status: credentialStatus(c, now),
    created: c.createdAt.toISOString(),
    age_days: ageDays,
    last_used: c.lastUsedAt?.toISOString() ?? null,
    buckets: c.role === 'admin' || c.permissions.length > 0 ? ['*'] : reach,
    permissions: [...c.permissions],
    findings,
    finding_text: text,
  };
}

export const credentialsReport: AdminHandler = async (deps) => {
  const now = new Date();
  const [creds, buckets] = await Promise.all([deps.metadata.listCredentials(), deps.metadata.listBuckets()]);
  // Admin actions (the audit log) by key, over the report period.
  const audit = await readAudit(auditLogPathOf(deps), new Date(now.getTime() - REPORT_DAYS * DAY_MS), 10_000);
  const adminActors = new Set(
    audit.entries.filter((e) => typeof e['access_key'] === 'string' && e['remote_addr'] !== undefined).map((e) => String(e['access_key'])),
  );
  const entries = creds
    .filter((c) => isActive(c, now))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.accessKey.localeCompare(b.accessKey))
    .map((c) => reportEntry(c, buckets, adminActors, now));
  const answer: CredentialsReportResponse = {
    generated_at: now.toISOString(),
    credentials: entries,
    findings: entries.reduce((n, e) => n + e.findings.length, 0),
  };
  return { body: answer };
};

export const resealCredentials: AdminHandler = async (deps) => {
  // Re-seal writes a new key file; a master key wrapped by the key provider is not a file.
  if (deps.masterKeyWhere.startsWith('provider:')) {
    throw new AdminError(
      'InvalidRequest',
      `the credential master key is wrapped by the key provider (${deps.masterKeyWhere}); re-seal works on a master key file only`,
      { status: 409 },
    );
  }
  let r;
  try {
    r = await resealAllSecrets({ metadata: deps.metadata, credentials: deps.credentials, masterKeyPath: nodePaths(deps.config).masterKey });
  } catch (err) {
    if (err instanceof ResealError) throw new AdminError('InternalError', err.message, { status: 500, cause: err });
    throw err;
  }
  const answer: ResealResponse = { resealed: r.resealed, previous_key: r.previousKey, new_key: r.newKey, at: new Date().toISOString() };
  return { body: answer, audit: { details: { resealed: r.resealed, previous_key: r.previousKey, new_key: r.newKey } } };
};
