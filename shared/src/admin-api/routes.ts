/**
 * The admin API's one route table. The server's router matches requests against it and
 * the typed AdminClient builds requests from it, so a path, a method or a body type
 * cannot drift between the two.
 */
import type {
  AuditQuery,
  AuditResponse,
  BlockChangeResponse,
  BlocklistResponse,
  BlockRequest,
  ClusterStatusResponse,
  IsolateRequest,
  NodeChangeRequest,
  NodeChangeResponse,
  RepairStatusResponse,
  RunRepairRequest,
  RunRepairResponse,
  BucketPermissions,
  BucketPermissionsResponse,
  BucketInfo,
  CreateBucketRequest,
  DeleteBucketResponse,
  EmptyBucketRequest,
  EmptyBucketResponse,
  CreateCredentialRequest,
  CreatedCredential,
  CreateKeyResponse,
  KeyNameRequest,
  ListKeysResponse,
  RetireKeyRequest,
  RetireKeyResponse,
  RewrapKeyRequest,
  RewrapKeyResponse,
  RewrapStatusQuery,
  RewrapStatusResponse,
  RotateKeyRequest,
  RotateKeyResponse,
  GcStatusResponse,
  IncidentStatusResponse,
  ListBucketsResponse,
  ListCredentialsResponse,
  LockdownRequest,
  LockdownResponse,
  ReadOnlyResponse,
  RevokeAllRequest,
  RevokeAllResponse,
  RevokeCredentialResponse,
  RotateCredentialRequest,
  RotateCredentialResponse,
  RunGcRequest,
  RunGcResponse,
  SetReadOnlyRequest,
  StatusResponse,
} from './types.js';
import type {
  CredentialsReportResponse,
  DenialTraceResponse,
  PolicySimulateRequest,
  PolicySimulateResponse,
  ResealResponse,
  UnlockRequest,
  UnlockResponse,
} from './security-types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * What read-only mode does to a route: `read` routes always run; `refused` routes are
 * refused while read-only; `containment` routes only take access away (revoke, block,
 * lockdown) or switch read-only itself, so an operator can still contain an incident;
 * `tightening` routes run while read-only only when the change takes access away (the
 * handler checks: fewer grants, a rotation that kills the old key at once).
 */
export type ReadOnlyRule = 'read' | 'refused' | 'containment' | 'tightening';

export interface RouteSpec {
  method: HttpMethod;
  /** Path with `{param}` segments. */
  path: string;
  readOnly: ReadOnlyRule;
  /** The audit action written for a successful call (mutating routes only). */
  audit: string | null;
}

function route(method: HttpMethod, path: string, readOnly: ReadOnlyRule, audit: string | null = null): RouteSpec {
  return { method, path, readOnly, audit };
}

export const ADMIN_ROUTES = {
  createCredential: route('POST', '/admin/credentials', 'refused', 'credentials.create'),
  listCredentials: route('GET', '/admin/credentials', 'read'),
  revokeAllCredentials: route('POST', '/admin/credentials/revoke-all', 'containment', 'credentials.revoke_all'),
  revokeCredential: route('DELETE', '/admin/credentials/{accessKey}', 'containment', 'credentials.revoke'),
  // Read-only: only with grace 0 (the old key dies at once), so lockdown's "rotate the kept key" works.
  rotateCredential: route('POST', '/admin/credentials/{accessKey}/rotate', 'tightening', 'credentials.rotate'),
  credentialsReport: route('GET', '/admin/credentials/report', 'read'),
  resealCredentials: route('POST', '/admin/credentials/reseal', 'containment', 'credentials.reseal'),
  listBuckets: route('GET', '/admin/buckets', 'read'),
  createBucket: route('POST', '/admin/buckets', 'refused', 'buckets.create'),
  deleteBucket: route('DELETE', '/admin/buckets/{bucket}', 'refused', 'buckets.delete'),
  emptyBucket: route('POST', '/admin/buckets/{bucket}/empty', 'refused', 'buckets.empty'),
  getBucketPermissions: route('GET', '/admin/buckets/{bucket}/permissions', 'read'),
  // Read-only: only when every grant left was already there (removing grants tightens).
  putBucketPermissions: route('PUT', '/admin/buckets/{bucket}/permissions', 'tightening', 'buckets.permissions.set'),
  simulatePolicy: route('POST', '/admin/policy/simulate', 'read'),
  explainDenial: route('GET', '/admin/policy/denials/{requestId}', 'read'),
  getReadOnly: route('GET', '/admin/readonly', 'read'),
  setReadOnly: route('POST', '/admin/readonly', 'containment', 'readonly.set'),
  getStatus: route('GET', '/admin/status', 'read'),
  runGc: route('POST', '/admin/gc', 'refused', 'gc.start'),
  getGcStatus: route('GET', '/admin/gc/status', 'read'),
  getAudit: route('GET', '/admin/audit', 'read'),
  lockdown: route('POST', '/admin/incident/lockdown', 'containment', 'incident.lockdown'),
  unlock: route('POST', '/admin/incident/unlock', 'containment', 'incident.unlock'),
  getIncidentStatus: route('GET', '/admin/incident/status', 'read'),
  listBlocklist: route('GET', '/admin/blocklist', 'read'),
  addBlock: route('POST', '/admin/blocklist', 'containment', 'blocklist.add'),
  // Removing a block widens access: refused while read-only like any other change.
  removeBlock: route('DELETE', '/admin/blocklist', 'refused', 'blocklist.remove'),
  // Key names may hold '/' (alias/photos), so they travel in the body or query, never the path.
  listKeys: route('GET', '/admin/keys', 'read'),
  createKey: route('POST', '/admin/keys', 'refused', 'keys.create'),
  rotateKey: route('POST', '/admin/keys/rotate', 'refused', 'keys.rotate'),
  rewrapKey: route('POST', '/admin/keys/rewrap', 'refused', 'keys.rewrap.start'),
  getRewrapStatus: route('GET', '/admin/keys/rewrap', 'read'),
  retireKey: route('POST', '/admin/keys/retire', 'refused', 'keys.retire'),
  getClusterStatus: route('GET', '/admin/cluster/status', 'read'),
  drainNode: route('POST', '/admin/cluster/nodes/{node}/drain', 'refused', 'cluster.drain'),
  // Taking a node out of the cluster only takes access away.
  removeNode: route('POST', '/admin/cluster/nodes/{node}/remove', 'containment', 'cluster.remove'),
  isolateNode: route('POST', '/admin/incident/isolate', 'containment', 'incident.isolate'),
  runRepair: route('POST', '/admin/cluster/repair', 'refused', 'cluster.repair'),
  getRepairStatus: route('GET', '/admin/cluster/repair/status', 'read'),
} as const satisfies Record<string, RouteSpec>;

export type AdminRouteName = keyof typeof ADMIN_ROUTES;

/** Request and response types per route: params (path), query, body, response. */
export interface AdminApi {
  createCredential: { params: Empty; query: Empty; body: CreateCredentialRequest; response: CreatedCredential };
  listCredentials: { params: Empty; query: Empty; body: undefined; response: ListCredentialsResponse };
  revokeAllCredentials: { params: Empty; query: Empty; body: RevokeAllRequest; response: RevokeAllResponse };
  revokeCredential: { params: { accessKey: string }; query: Empty; body: undefined; response: RevokeCredentialResponse };
  rotateCredential: { params: { accessKey: string }; query: Empty; body: RotateCredentialRequest; response: RotateCredentialResponse };
  credentialsReport: { params: Empty; query: Empty; body: undefined; response: CredentialsReportResponse };
  resealCredentials: { params: Empty; query: Empty; body: undefined; response: ResealResponse };
  listBuckets: { params: Empty; query: Empty; body: undefined; response: ListBucketsResponse };
  createBucket: { params: Empty; query: Empty; body: CreateBucketRequest; response: BucketInfo };
  deleteBucket: { params: { bucket: string }; query: Empty; body: undefined; response: DeleteBucketResponse };
  emptyBucket: { params: { bucket: string }; query: Empty; body: EmptyBucketRequest; response: EmptyBucketResponse };
  getBucketPermissions: { params: { bucket: string }; query: Empty; body: undefined; response: BucketPermissionsResponse };
  putBucketPermissions: { params: { bucket: string }; query: Empty; body: BucketPermissions; response: BucketPermissionsResponse };
  simulatePolicy: { params: Empty; query: Empty; body: PolicySimulateRequest; response: PolicySimulateResponse };
  explainDenial: { params: { requestId: string }; query: Empty; body: undefined; response: DenialTraceResponse };
  getReadOnly: { params: Empty; query: Empty; body: undefined; response: ReadOnlyResponse };
  setReadOnly: { params: Empty; query: Empty; body: SetReadOnlyRequest; response: ReadOnlyResponse };
  getStatus: { params: Empty; query: Empty; body: undefined; response: StatusResponse };
  runGc: { params: Empty; query: Empty; body: RunGcRequest; response: RunGcResponse };
  getGcStatus: { params: Empty; query: Empty; body: undefined; response: GcStatusResponse };
  getAudit: { params: Empty; query: AuditQuery; body: undefined; response: AuditResponse };
  lockdown: { params: Empty; query: Empty; body: LockdownRequest; response: LockdownResponse };
  unlock: { params: Empty; query: Empty; body: UnlockRequest; response: UnlockResponse };
  getIncidentStatus: { params: Empty; query: Empty; body: undefined; response: IncidentStatusResponse };
  listBlocklist: { params: Empty; query: Empty; body: undefined; response: BlocklistResponse };
  addBlock: { params: Empty; query: Empty; body: BlockRequest; response: BlockChangeResponse };
  removeBlock: { params: Empty; query: Empty; body: BlockRequest; response: BlockChangeResponse };
  listKeys: { params: Empty; query: Empty; body: undefined; response: ListKeysResponse };
  createKey: { params: Empty; query: Empty; body: KeyNameRequest; response: CreateKeyResponse };
  rotateKey: { params: Empty; query: Empty; body: RotateKeyRequest; response: RotateKeyResponse };
  rewrapKey: { params: Empty; query: Empty; body: RewrapKeyRequest; response: RewrapKeyResponse };
  getRewrapStatus: { params: Empty; query: RewrapStatusQuery; body: undefined; response: RewrapStatusResponse };
  retireKey: { params: Empty; query: Empty; body: RetireKeyRequest; response: RetireKeyResponse };
  getClusterStatus: { params: Empty; query: Empty; body: undefined; response: ClusterStatusResponse };
  drainNode: { params: { node: string }; query: Empty; body: NodeChangeRequest; response: NodeChangeResponse };
  removeNode: { params: { node: string }; query: Empty; body: NodeChangeRequest; response: NodeChangeResponse };
  isolateNode: { params: Empty; query: Empty; body: IsolateRequest; response: NodeChangeResponse };
  runRepair: { params: Empty; query: Empty; body: RunRepairRequest; response: RunRepairResponse };
  getRepairStatus: { params: Empty; query: Empty; body: undefined; response: RepairStatusResponse };
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type Empty = {};

export type RouteParams<N extends AdminRouteName> = AdminApi[N]['params'];
export type RouteQuery<N extends AdminRouteName> = AdminApi[N]['query'];
export type RouteBody<N extends AdminRouteName> = AdminApi[N]['body'];
export type RouteResponse<N extends AdminRouteName> = AdminApi[N]['response'];

/** Builds the request path for a route; each parameter is percent-encoded as one segment. */
export function routePath(name: AdminRouteName, params: Readonly<Record<string, string>> = {}): string {
  return ADMIN_ROUTES[name].path.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined || value === '') throw new TypeError(`route ${name}: missing path parameter ${key}`);
    return encodeURIComponent(value);
  });
}

export type RouteMatch =
  | { kind: 'match'; name: AdminRouteName; params: Record<string, string> }
  /** The path exists, the method does not: 405 with these methods in Allow. */
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'not-found' };

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    const param = /^\{(\w+)\}$/.exec(w);
    if (param) {
      let value: string;
      try {
        value = decodeURIComponent(g);
      } catch {
        return null;
      }
      // A parameter is one non-empty segment, never a path of its own.
      if (value === '' || value.includes('/')) return null;
      params[param[1]!] = value;
    } else if (w !== g) return null;
  }
  return params;
}

/** Finds the route for a request path (without the query). Literal segments win over parameters. */
export function matchRoute(method: string, path: string): RouteMatch {
  const allow: HttpMethod[] = [];
  let best: { name: AdminRouteName; params: Record<string, string>; literals: number } | null = null;
  for (const [name, spec] of Object.entries(ADMIN_ROUTES) as [AdminRouteName, RouteSpec][]) {
    const params = matchPath(spec.path, path);
    if (params === null) continue;
    if (spec.method !== method) {
      allow.push(spec.method);
      continue;
    }
    const literals = spec.path.split('/').filter((s) => !s.startsWith('{')).length;
    if (best === null || literals > best.literals) best = { name, params, literals };
  }
  if (best !== null) return { kind: 'match', name: best.name, params: best.params };
  if (allow.length > 0) return { kind: 'method-not-allowed', allow: [...new Set(allow)] };
  return { kind: 'not-found' };
}
