/**
 * Cluster membership from the admin plane: status, drain, remove, and the incident
 * response's isolate. Each change is one stored state in PostgreSQL; every node reads it
 * on its next heartbeat (this one at once), and the router writes one audit line.
 */
import type { ClusterNodeInfo, ClusterStatusResponse, NodeChangeResponse, RunRepairResponse } from '@anode/shared/admin-api/index';
import type { ClusterMember, StoredNodeState } from '../../metadata/cluster-types.js';
import { AdminError, invalid } from '../errors.js';
import { objectBody, onlyFields, requiredString } from '../validate.js';
import type { AdminDeps, ClusterAdmin } from '../deps.js';
import type { AdminHandler } from './types.js';

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function nodeInfo(m: ClusterMember, now = Date.now()): ClusterNodeInfo {
  return {
    node_id: m.nodeId,
    advertise: m.advertise,
    zone: m.zone,
    state: m.state,
    state_reason: m.stateReason,
    state_changed_at: m.stateChangedAt.toISOString(),
    last_heartbeat: m.lastHeartbeat.toISOString(),
    last_seen_seconds: Math.max(0, Math.round((now - m.lastHeartbeat.getTime()) / 100) / 10),
    chunks: m.chunks,
    bytes: m.bytes,
    free_disk_bytes: m.freeDiskBytes,
    version: m.version,
  };
}

function clusterOf(deps: AdminDeps): ClusterAdmin {
  if (deps.cluster == null) throw invalid('this node is not in cluster mode (cluster.enabled = false)');
  return deps.cluster;
}

export const getClusterStatus: AdminHandler = async (deps) => {
  if (deps.cluster == null) {
    const answer: ClusterStatusResponse = {
      enabled: false,
      node_id: null,
      replication_factor: null,
      write_quorum: null,
      nodes: [],
      pending_repairs: 0,
    };
    return { body: answer };
  }
  const c = deps.cluster;
  const members = await c.store.listMembers(c.downAfterMs);
  const pending = (await c.store.listMisses(100_000)).length;
  const answer: ClusterStatusResponse = {
    enabled: true,
    node_id: c.nodeId,
    replication_factor: c.replicationFactor,
    write_quorum: c.writeQuorum,
    nodes: members.map((m) => nodeInfo(m)),
    pending_repairs: pending,
  };
  return { body: answer };
};

function reasonOf(body: unknown, required: boolean): string | null {
  const obj = body === undefined ? {} : objectBody(body);
  onlyFields(obj, ['reason', 'node']);
  if (required) return requiredString(obj, 'reason', 1000);
  const r = obj['reason'];
  if (r === undefined) return null;
  if (typeof r !== 'string' || r.length > 1000) throw invalid('"reason" must be a string of at most 1000 characters');
  return r;
}

/** Which states a change may start from: a removed node stays removed; an isolated one can only be removed. */
const ALLOWED_FROM: Record<StoredNodeState, readonly StoredNodeState[]> = {
  draining: ['joining', 'active', 'draining'],
  removed: ['joining', 'active', 'draining', 'isolated', 'removed'],
  isolated: ['joining', 'active', 'draining', 'isolated'],
  joining: [],
  active: [],
};

async function change(deps: AdminDeps, nodeId: string, to: StoredNodeState, reason: string | null) {
  const c = clusterOf(deps);
  if (!NODE_ID.test(nodeId)) throw invalid(`${JSON.stringify(nodeId)} is not a node id`);
  const members = await c.store.listMembers(c.downAfterMs);
  const before = members.find((m) => m.nodeId === nodeId);
  if (before === undefined) throw new AdminError('NotFound', `no cluster node ${JSON.stringify(nodeId)}`);
  if (!ALLOWED_FROM[to].includes(before.storedState)) throw invalid(`node ${nodeId} is ${before.storedState}; it cannot become ${to}`);
  const changed = before.storedState !== to;
  const after = changed ? await c.store.setState(nodeId, to, reason, c.downAfterMs) : before;
  await c.refresh().catch(() => undefined);
  const answer: NodeChangeResponse = { node: nodeInfo(after ?? before), changed };
  return {
    body: answer,
    audit: { details: { node: nodeId, from: before.storedState, to, changed, reason, by_node: c.nodeId } },
  };
}

export const drainNode: AdminHandler = async (deps, ctx) => change(deps, ctx.params['node'] ?? '', 'draining', reasonOf(ctx.body, false));

export const removeNode: AdminHandler = async (deps, ctx) => change(deps, ctx.params['node'] ?? '', 'removed', reasonOf(ctx.body, false));

export const isolateNode: AdminHandler = async (deps, ctx) => {
  const body = objectBody(ctx.body);
  onlyFields(body, ['node', 'reason']);
  const node = requiredString(body, 'node', 63);
  return change(deps, node, 'isolated', reasonOf(ctx.body, true));
};

/** For incident status: the isolated nodes, or undefined on a single node. */
export async function isolatedNodes(deps: AdminDeps): Promise<ClusterNodeInfo[] | undefined> {
  if (deps.cluster == null) return undefined;
  const members = await deps.cluster.store.listMembers(deps.cluster.downAfterMs);
  return members.filter((m) => m.state === 'isolated').map((m) => nodeInfo(m));
}

export const runRepair: AdminHandler = async (deps, ctx) => {
  const c = clusterOf(deps);
  const body = ctx.body === undefined ? {} : objectBody(ctx.body);
  onlyFields(body, ['scrub']);
  const scrub = body['scrub'];
  if (scrub !== undefined && typeof scrub !== 'boolean') throw invalid('"scrub" must be true or false');
  const { started, done } = c.repair.run({ all: true, scrub: scrub === true });
  done.catch(() => undefined); // reported through the repair status
  const answer: RunRepairResponse = { started };
  return { status: 202, body: answer, audit: { details: { started, scrub: scrub === true } } };
};

export const getRepairStatus: AdminHandler = async (deps) => ({ body: clusterOf(deps).repair.status() });
