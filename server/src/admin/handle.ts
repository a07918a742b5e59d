/**
 * The admin plane. /health and /metrics are open (bind the listener to a private
 * address); every /admin/* request goes one straight line: blocklist → read the bounded
 * body → verify SigV4 (body hash included) → admin role → route → read-only rule →
 * handler → exactly one audit line for a change → JSON answer.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_ROUTES, matchRoute, type AdminRouteName } from '@anode/shared/admin-api/index';
import { clientAddress } from '../http/client-address.js';
import { isLayerError } from '../layer-errors.js';
import { authenticateAdmin } from './auth.js';
import { parseJsonBody, readBody } from './body.js';
import type { AdminContext } from './context.js';
import type { AdminDeps } from './deps.js';
import { AdminError, fromLayerError } from './errors.js';
import { HANDLERS } from './handlers/index.js';
import { onlyTightens, TIGHTENING_RULE } from './tightening.js';

/** The host's own addresses are never blocked on the admin plane, so an operator on the host cannot lock themselves out. */
const HOST_OPERATOR_ADDRESSES: ReadonlySet<string> = new Set(['127.0.0.1', '::1']);

function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export function createAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handleAdmin(deps, req, res);
  };
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
  // no-store: a create/rotate answer holds a secret that no cache may keep.
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(body);
}

async function handleAdmin(deps: AdminDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  const startedAt = process.hrtime.bigint();
  let route: AdminRouteName | null = null;
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('server', 'Anode');
  deps.metrics.inFlight.inc({ api: 'admin' });
  res.once('close', () => {
    deps.metrics.inFlight.dec({ api: 'admin' });
    deps.metrics.requests.inc({ api: 'admin', method: req.method ?? '', status: String(res.statusCode) });
    deps.metrics.duration.observe({ api: 'admin', operation: route ?? 'unknown' }, Number(process.hrtime.bigint() - startedAt) / 1e9);
  });
  try {
    const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/, '');
    const { address } = clientAddress(req, deps.trustedProxies, deps.tls);
    if (deps.node.isBlocked(address) && !(HOST_OPERATOR_ADDRESSES.has(peer) && address === peer)) {
      throw new AdminError('AccessDenied', 'requests from this address are blocked');
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';

    if (rawPath === '/health' && (method === 'GET' || method === 'HEAD')) {
      sendJson(res, 200, { status: 'ok', read_only: deps.node.readOnly, region: deps.config.server.region });
      return;
    }
    if (rawPath === '/metrics' && method === 'GET') {
      const body = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      res.end(body);
      return;
    }
    if (!rawPath.startsWith('/admin/')) throw new AdminError('NotFound', `no such endpoint: ${method} ${rawPath.slice(0, 200)}`);

    const { body, sha256 } = await readBody(req, res);
    const caller = await authenticateAdmin(deps, req, rawPath, rawQuery, sha256);
    const ctx: AdminContext = {
      req,
      res,
      startedAt,
      requestId,
      remoteAddr: address,
      principal: caller.principal,
      accessKey: caller.accessKey,
      route: null,
      params: {},
      query: new URLSearchParams(rawQuery),
      body: undefined,
    };
    if (caller.principal.role !== 'admin') {
      deps.metrics.permissionDenied.inc();
      deps.audit.write(ctx, 'admin.denied', { method, path: rawPath.slice(0, 200) });
      throw new AdminError('AccessDenied', `credential ${caller.accessKey} does not have the admin role`);
    }
    const match = matchRoute(method, rawPath);
    if (match.kind === 'not-found') throw new AdminError('NotFound', `no such admin endpoint: ${method} ${rawPath.slice(0, 200)}`);
    if (match.kind === 'method-not-allowed') {
      throw new AdminError('MethodNotAllowed', `${method} is not allowed on ${rawPath.slice(0, 200)}`, {
        headers: { allow: match.allow.join(', ') },
      });
    }
    route = match.name;
    ctx.route = route;
    ctx.params = match.params;
    const spec = ADMIN_ROUTES[route];
    if (spec.readOnly === 'refused' && deps.node.readOnly) {
      throw new AdminError(
        'ReadOnlyMode',
        `This node is in read-only mode: ${route} is refused until an operator turns read-only mode off (anodectl readonly off).`,
      );
    }
    ctx.body = parseJsonBody(body);
    // 'tightening' routes decide themselves whether a change only takes access away.
    if (spec.readOnly === 'tightening' && deps.node.readOnly && !(await onlyTightens(deps, route, ctx))) {
      throw new AdminError(
        'ReadOnlyMode',
        `This node is in read-only mode: ${route} is refused unless it only takes access away (${TIGHTENING_RULE[route] ?? 'no widening'}); anodectl readonly off (or incident unlock) first.`,
      );
    }
    const result = await HANDLERS[route](deps, ctx);
    if (result.audit !== undefined) deps.audit.write(ctx, result.audit.action ?? spec.audit ?? route, result.audit.details);
    sendJson(res, result.status ?? 200, result.body);
  } catch (err) {
    const e = toAdminError(deps, err, requestId);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, e.status, { error: { code: e.code, message: e.message, request_id: requestId } }, e.headers);
  }
}

function toAdminError(deps: AdminDeps, err: unknown, requestId: string): AdminError {
  if (err instanceof AdminError) return err;
  if (isLayerError(err)) return fromLayerError(err);
  deps.logger.error({ err, requestId }, 'admin: internal error');
  return new AdminError('InternalError', 'internal error');
}
