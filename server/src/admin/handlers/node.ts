/** Node-wide switches and reports: read-only mode, status, GC, the audit log. */
import { keyFingerprint } from '@anode/shared/audit-chain';
import { VERSION } from '../../version.js';
import type { CredentialCounts, ReadOnlyResponse, RunGcResponse, StatusResponse } from '@anode/shared/admin-api/index';
import { auditLogPathOf } from '../deps.js';
import type { AdminDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { credentialStatus, gcStatsJson, gcStatusJson } from '../json.js';
import { readAudit } from '../audit-reader.js';
import { objectBody, onlyFields, optionalBoolean } from '../validate.js';
import type { AdminHandler } from './types.js';
import { encryptionStatus } from './keys.js';

// server/package.json, from src/admin/handlers (tsx) and dist/admin/handlers alike.

export function readOnlyState(deps: AdminDeps): ReadOnlyResponse {
  return { read_only: deps.node.readOnly, since: deps.node.readOnlySinceDate?.toISOString() ?? null };
}

export const getReadOnly: AdminHandler = async (deps) => ({ body: readOnlyState(deps) });

export const setReadOnly: AdminHandler = async (deps, ctx) => {
  const body = objectBody(ctx.body);
  onlyFields(body, ['enabled']);
  const enabled = optionalBoolean(body, 'enabled');
  if (enabled === undefined) throw invalid('"enabled" (true or false) is required');
  const was = deps.node.readOnly;
  await deps.node.setReadOnly(enabled);
  deps.metrics.readOnly.set(enabled ? 1 : 0);
  return { body: readOnlyState(deps), audit: { details: { enabled, was } } };
};

export async function credentialCounts(deps: AdminDeps): Promise<CredentialCounts> {
  const now = new Date();
  const counts: CredentialCounts = { active: 0, admin: 0, revoked: 0, expired: 0 };
  for (const c of await deps.metadata.listCredentials()) {
    const s = credentialStatus(c, now);
    if (s === 'revoked') counts.revoked++;
    else if (s === 'expired') counts.expired++;
    else {
      counts.active++;
      if (c.role === 'admin') counts.admin++;
    }
  }
  return counts;
}

export const getStatus: AdminHandler = async (deps) => {
  const uptime = process.uptime();
  const status: StatusResponse = {
    version: VERSION,
    started_at: new Date(Date.now() - uptime * 1000).toISOString(),
    uptime_seconds: Math.round(uptime),
    region: deps.config.server.region,
    read_only: deps.node.readOnly,
    read_only_since: deps.node.readOnlySinceDate?.toISOString() ?? null,
    s3_listen: deps.config.server.s3_listen,
    admin_listen: deps.config.server.admin_listen,
    tls: deps.tls,
    credentials: await credentialCounts(deps),
    buckets: (await deps.metadata.listBuckets()).length,
    blocklist: deps.node.blocklist.length,
    gc: gcStatusJson(deps.gc.status()),
    audit: {
      node_id: deps.audit.nodeId,
      public_key: deps.audit.publicKeyPem,
      public_key_fingerprint: deps.audit.publicKeyPem === null ? null : keyFingerprint(deps.audit.publicKeyPem),
      path: auditLogPathOf(deps),
      head_seq: deps.audit.headSeq,
      chain_ok: (await deps.metrics.auditChainOk.get()).values[0]?.value === 1,
    },
    access_log: deps.accessLog.path,
    encryption: await encryptionStatus(deps),
  };
  return { body: status };
};

export const getGcStatus: AdminHandler = async (deps) => ({ body: gcStatusJson(deps.gc.status()) });

export const runGc: AdminHandler = async (deps, ctx) => {
  const body = objectBody(ctx.body);
  onlyFields(body, ['wait']);
  const wait = optionalBoolean(body, 'wait') ?? false;
  const joined = deps.gc.status().running;
  // GcScheduler.run writes the gc.start line itself (and gc.finish when done); a call
  // that joins a run in flight writes gc.join instead, so each call leaves one line.
  const run = deps.gc.run(ctx);
  if (!wait) {
    run.catch(() => undefined);
    const answer: RunGcResponse = { started: !joined, running: true, stats: null };
    return { status: 202, body: answer, ...(joined ? { audit: { action: 'gc.join', details: {} } } : {}) };
  }
  const stats = await run;
  const answer: RunGcResponse = { started: !joined, running: deps.gc.status().running, stats: gcStatsJson(stats) };
  return { body: answer, ...(joined ? { audit: { action: 'gc.join', details: {} } } : {}) };
};

export const MAX_AUDIT_LIMIT = 10_000;

export const getAudit: AdminHandler = async (deps, ctx) => {
  const sinceText = ctx.query.get('since');
  let since: Date | null = null;
  if (sinceText !== null && sinceText !== '') {
    const t = Date.parse(sinceText);
    if (Number.isNaN(t)) throw invalid('"since" must be an ISO 8601 timestamp');
    since = new Date(t);
  }
  const limitText = ctx.query.get('limit');
  let limit = 100;
  if (limitText !== null && limitText !== '') {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > MAX_AUDIT_LIMIT)
      throw invalid(`"limit" must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`);
    limit = Number(limitText);
  }
  return { body: await readAudit(auditLogPathOf(deps), since, limit) };
};
