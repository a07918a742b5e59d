/** Incident response: lockdown (revoke all but the caller, read-only, one audit line) and the IP blocklist. */
import type {
  BlockChangeResponse,
  IncidentStatusResponse,
  LockdownRecord,
  LockdownResponse,
  UnlockResponse,
} from '@anode/shared/admin-api/index';
import { anonymousDisabledReason, LOCKDOWN_SETTING } from '../../model/lockdown.js';
import { parseCidr } from '../../util/cidr.js';
import { invalid } from '../errors.js';
import { isActive } from '../json.js';
import { objectBody, onlyFields, requiredString } from '../validate.js';
import type { AdminDeps } from '../deps.js';
import type { AdminHandler } from './types.js';
import { isolatedNodes } from './cluster.js';

async function lastLockdown(deps: AdminDeps): Promise<LockdownRecord | null> {
  if (deps.lockdown !== undefined) return deps.lockdown.last;
  const text = await deps.metadata.getSetting(LOCKDOWN_SETTING);
  if (text === null) return null;
  try {
    return JSON.parse(text) as LockdownRecord;
  } catch {
    return null;
  }
}

/** Keeps the lockdown and anonymous-access gauges in step with the state. */
export function setLockdownMetrics(deps: AdminDeps): void {
  const active = deps.lockdown?.active === true;
  deps.metrics.lockdown.set(active ? 1 : 0);
  deps.metrics.anonymousAllowed.set(anonymousDisabledReason(deps.config.auth.anonymous, deps.lockdown) === null ? 1 : 0);
}

export const lockdown: AdminHandler = async (deps, ctx) => {
  const body = objectBody(ctx.body);
  onlyFields(body, ['reason']);
  const reason = requiredString(body, 'reason', 1000);
  const at = new Date();
  // Revoke first: if switching read-only failed, the keys would still be gone.
  const revoked = await deps.metadata.revokeAllCredentials(at, [ctx.accessKey]);
  await deps.node.setReadOnly(true);
  deps.metrics.readOnly.set(1);
  const user = ctx.principal.kind === 'user' ? ctx.principal.user : 'anonymous';
  const base = { at: at.toISOString(), user, access_key: ctx.accessKey, reason, revoked };
  // Anonymous access stops being honoured (public ACLs, "*" policies) until unlock.
  const record: LockdownRecord =
    deps.lockdown !== undefined ? await deps.lockdown.engage(base) : { ...base, active: true, lifted_at: null, lifted_by: null };
  if (deps.lockdown === undefined) await deps.metadata.putSetting(LOCKDOWN_SETTING, JSON.stringify(record));
  setLockdownMetrics(deps);
  const answer: LockdownResponse = { ...record, read_only: true, kept: [ctx.accessKey] };
  return { body: answer, audit: { details: { reason, revoked, kept: [ctx.accessKey], read_only: true, anonymous_access: false } } };
};

export const unlock: AdminHandler = async (deps, ctx) => {
  const body = ctx.body === undefined ? {} : objectBody(ctx.body);
  onlyFields(body, ['reason']);
  const reason = body['reason'] === undefined ? null : requiredString(body, 'reason', 1000);
  const at = new Date();
  const user = ctx.principal.kind === 'user' ? ctx.principal.user : 'anonymous';
  const lifted = deps.lockdown !== undefined ? await deps.lockdown.lift(`${user} (${ctx.accessKey})`, at) : null;
  const wasReadOnly = deps.node.readOnly;
  await deps.node.setReadOnly(false);
  deps.metrics.readOnly.set(0);
  setLockdownMetrics(deps);
  const answer: UnlockResponse = {
    lifted: lifted !== null,
    at: at.toISOString(),
    read_only: false,
    anonymous_access: anonymousDisabledReason(deps.config.auth.anonymous, deps.lockdown) === null,
  };
  return {
    body: answer,
    audit: {
      details: {
        reason,
        lifted: lifted !== null,
        lockdown_at: lifted?.at ?? null,
        was_read_only: wasReadOnly,
        anonymous_access: answer.anonymous_access,
      },
    },
  };
};

export const getIncidentStatus: AdminHandler = async (deps) => {
  const now = new Date();
  const active = (await deps.metadata.listCredentials()).filter((c) => isActive(c, now)).length;
  const answer: IncidentStatusResponse = {
    read_only: deps.node.readOnly,
    read_only_since: deps.node.readOnlySinceDate?.toISOString() ?? null,
    last_lockdown: await lastLockdown(deps),
    lockdown_active: deps.lockdown?.active === true,
    anonymous_access: anonymousDisabledReason(deps.config.auth.anonymous, deps.lockdown) === null,
    active_credentials: active,
    blocklist: deps.node.blocklist,
  };
  const isolated = await isolatedNodes(deps);
  if (isolated !== undefined) answer.isolated_nodes = isolated;
  return { body: answer };
};

function cidrField(body: unknown): string {
  const obj = objectBody(body);
  onlyFields(obj, ['cidr']);
  const cidr = requiredString(obj, 'cidr', 64).trim();
  if (parseCidr(cidr) === null) throw invalid(`"cidr": ${JSON.stringify(cidr)} is not an IPv4/IPv6 address or CIDR`);
  return cidr;
}

export const listBlocklist: AdminHandler = async (deps) => ({ body: { cidrs: deps.node.blocklist } });

export const addBlock: AdminHandler = async (deps, ctx) => {
  const cidr = cidrField(ctx.body);
  const changed = await deps.node.block(cidr);
  const answer: BlockChangeResponse = { cidr, changed, cidrs: deps.node.blocklist };
  return { body: answer, audit: { details: { cidr, changed } } };
};

export const removeBlock: AdminHandler = async (deps, ctx) => {
  const fromQuery = ctx.query.get('cidr');
  const cidr = cidrField(ctx.body ?? (fromQuery === null ? undefined : { cidr: fromQuery }));
  const changed = await deps.node.unblock(cidr);
  const answer: BlockChangeResponse = { cidr, changed, cidrs: deps.node.blocklist };
  return { body: answer, audit: { details: { cidr, changed } } };
};
