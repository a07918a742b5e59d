import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';

export interface ListenOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string } | null;
  /** Socket idle time before the connection is dropped (slow or stalled clients). */
  idleTimeoutMs: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * An HTTP or HTTPS server with bounded timeouts. Node's total requestTimeout would cut a
 * slow multi-gigabyte upload, so an idle timeout bounds stalled bodies instead; headers
 * must arrive within headersTimeout (slowloris). The 16 KiB header limit stays as is.
 */
export async function listen(options: ListenOptions, handler: Handler): Promise<Server> {
  const common = { requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 5_000, insecureHTTPParser: false };
  const server: Server = options.tls
    ? createHttpsServer({ ...common, cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, handler)
    : createHttpServer(common, handler);
  server.timeout = options.idleTimeoutMs;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Stops accepting, lets requests in flight finish (up to timeoutMs), then closes the rest. */
export async function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  // Keep-alive connections that become idle after their response are closed too.
  const sweep = setInterval(() => server.closeIdleConnections(), 200);
  await closed;
  clearTimeout(timer);
  clearInterval(sweep);
}
