/**
 * The typed admin API client: builds every request from the route table, signs it with
 * SigV4 (service s3, the node's region) and decodes the JSON answer. Errors come back as
 * AdminApiError with the server's code; transport failures reject with node's error.
 */
import type { Credentials } from '../sigv4/signer.js';
import { AdminApiError } from './errors.js';
import {
  ADMIN_ROUTES,
  routePath,
  type AdminRouteName,
  type RouteBody,
  type RouteParams,
  type RouteQuery,
  type RouteResponse,
} from './routes.js';
import { sendSignedRequest, type RawResponse } from './signed-request.js';
import type {
  AuditQuery,
  BucketPermissions,
  CreateBucketRequest,
  CreateCredentialRequest,
  IsolateRequest,
  LockdownRequest,
  RevokeAllRequest,
  RotateCredentialRequest,
} from './types.js';

export interface AdminClientOptions {
  /** Base URL of the admin API, e.g. http://127.0.0.1:8081. */
  endpoint: string;
  credentials: Credentials;
  /** The node's region (its SigV4 scope); default us-east-1. */
  region?: string;
  /** PEM CA bundle for an https endpoint with a private CA. */
  ca?: string | Buffer;
  timeoutMs?: number;
  /** For tests: the local address to send from. */
  localAddress?: string;
}

export interface CallInput<N extends AdminRouteName> {
  params?: RouteParams<N>;
  query?: RouteQuery<N>;
  body?: RouteBody<N>;
}

function queryString(query: object | undefined): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Decodes an error answer: the admin API's JSON envelope, or an S3 XML error, or the bare status. */
export function errorFromResponse(res: RawResponse): AdminApiError {
  const text = res.body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; request_id?: unknown } };
    const e = parsed.error;
    if (e !== undefined && typeof e.code === 'string') {
      return new AdminApiError(
        res.status,
        e.code,
        typeof e.message === 'string' ? e.message : e.code,
        typeof e.request_id === 'string' ? e.request_id : undefined,
        'json',
      );
    }
  } catch {
    /* not JSON */
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  if (code !== undefined) {
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? code;
    const requestId = /<RequestId>([^<]*)<\/RequestId>/.exec(text)?.[1];
    return new AdminApiError(res.status, code, message, requestId, 'xml');
  }
  return new AdminApiError(res.status, `HTTP${res.status}`, `HTTP ${res.status}`);
}

export class AdminClient {
  readonly endpoint: string;
  private readonly region: string;

  constructor(private readonly options: AdminClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.region = options.region ?? 'us-east-1';
  }

  /** Calls one route of the table. */
  async call<N extends AdminRouteName>(name: N, input: CallInput<N> = {}): Promise<RouteResponse<N>> {
    const spec = ADMIN_ROUTES[name];
    const path = routePath(name, (input.params ?? {}) as Record<string, string>);
    const body = input.body === undefined ? undefined : JSON.stringify(input.body);
    const res = await sendSignedRequest({
      method: spec.method,
      url: `${this.endpoint}${path}${queryString(input.query)}`,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body !== undefined ? { body } : {}),
      credentials: this.options.credentials,
      region: this.region,
      ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.localAddress !== undefined ? { localAddress: this.options.localAddress } : {}),
    });
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res);
    try {
      return JSON.parse(res.body.toString('utf8')) as RouteResponse<N>;
    } catch {
      throw new AdminApiError(
        res.status,
        'InvalidResponse',
        `the admin API answered ${res.status} with a body that is not JSON`,
        undefined,
      );
    }
  }

  createCredential(body: CreateCredentialRequest) {
    return this.call('createCredential', { body });
  }
  listCredentials() {
    return this.call('listCredentials');
  }
  revokeCredential(accessKey: string) {
    return this.call('revokeCredential', { params: { accessKey } });
  }
  revokeAllCredentials(body: RevokeAllRequest = {}) {
    return this.call('revokeAllCredentials', { body });
  }
  rotateCredential(accessKey: string, body: RotateCredentialRequest = {}) {
    return this.call('rotateCredential', { params: { accessKey }, body });
  }
  listBuckets() {
    return this.call('listBuckets');
  }
  createBucket(body: CreateBucketRequest) {
    return this.call('createBucket', { body });
  }
  deleteBucket(bucket: string) {
    return this.call('deleteBucket', { params: { bucket } });
  }
  emptyBucket(bucket: string, limit?: number) {
    return this.call('emptyBucket', { params: { bucket }, body: limit === undefined ? {} : { limit } });
  }
  getBucketPermissions(bucket: string) {
    return this.call('getBucketPermissions', { params: { bucket } });
  }
  putBucketPermissions(bucket: string, permissions: BucketPermissions) {
    return this.call('putBucketPermissions', { params: { bucket }, body: permissions });
  }
  getReadOnly() {
    return this.call('getReadOnly');
  }
  setReadOnly(enabled: boolean) {
    return this.call('setReadOnly', { body: { enabled } });
  }
  getStatus() {
    return this.call('getStatus');
  }
  runGc(wait = false) {
    return this.call('runGc', { body: { wait } });
  }
  getGcStatus() {
    return this.call('getGcStatus');
  }
  getAudit(query: AuditQuery = {}) {
    return this.call('getAudit', { query });
  }
  lockdown(body: LockdownRequest) {
    return this.call('lockdown', { body });
  }
  getIncidentStatus() {
    return this.call('getIncidentStatus');
  }
  listBlocklist() {
    return this.call('listBlocklist');
  }
  addBlock(cidr: string) {
    return this.call('addBlock', { body: { cidr } });
  }
  removeBlock(cidr: string) {
    return this.call('removeBlock', { body: { cidr } });
  }
  listKeys() {
    return this.call('listKeys');
  }
  createKey(name: string) {
    return this.call('createKey', { body: { name } });
  }
  rotateKey(name?: string) {
    return this.call('rotateKey', { body: name === undefined ? {} : { name } });
  }
  rewrapKey(name?: string, wait = false) {
    return this.call('rewrapKey', { body: { ...(name === undefined ? {} : { name }), wait } });
  }
  getRewrapStatus(name?: string) {
    return this.call('getRewrapStatus', { query: name === undefined ? {} : { name } });
  }
  retireKey(name: string, version: number) {
    return this.call('retireKey', { body: { name, version } });
  }

  getClusterStatus() {
    return this.call('getClusterStatus');
  }

  drainNode(node: string, reason?: string) {
    return this.call('drainNode', { params: { node }, body: reason === undefined ? {} : { reason } });
  }

  removeNode(node: string, reason?: string) {
    return this.call('removeNode', { params: { node }, body: reason === undefined ? {} : { reason } });
  }

  isolateNode(body: IsolateRequest) {
    return this.call('isolateNode', { body });
  }

  runRepair(scrub = false) {
    return this.call('runRepair', { body: { scrub } });
  }

  getRepairStatus() {
    return this.call('getRepairStatus');
  }
}
