import type { ServerResponse } from 'node:http';

/** The answer to an admin request whose body stopped arriving (the plane's JSON error shape). */
export function sendAdminRequestTimeout(res: ServerResponse): void {
  const body = Buffer.from(
    JSON.stringify({ error: { code: 'RequestTimeout', message: 'the request body stopped arriving; send it again', request_id: null } }),
  );
  res.writeHead(408, {
    'content-type': 'application/json',
    'content-length': body.length,
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(body);
}
