import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminDeps } from './deps.js';

/** The admin plane: /health and /metrics unauthenticated (bind it to a private address), /admin/* signed. */
export function createAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(deps, req, res).catch((err: unknown) => {
      deps.logger.error({ err }, 'admin: internal error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalError', message: 'internal error' } }));
    });
  };
}

async function handle(deps: AdminDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', read_only: deps.node.readOnly }));
    return;
  }
  if (req.method === 'GET' && path === '/metrics') {
    const body = await deps.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'NotFound', message: `no such admin endpoint: ${req.method} ${path}` } }));
}
