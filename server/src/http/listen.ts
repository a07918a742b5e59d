import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { TLS_SERVER_OPTIONS } from './tls-policy.js';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { isRefused, limitConnections, type ConnectionLimits } from './connection-limits.js';

export interface ListenOptions {
  host: string;
  port: number;
  tls: { cert: string; key: string } | null;
  /** Socket idle time before a stalled request is answered (onStalled) or the socket dropped. */
  idleTimeoutMs: number;
  /** Whole-request deadline (headers and body), so a request cannot trickle forever; 0 = none. */
  requestDeadlineMs: number;
  limits: ConnectionLimits;
  /**
   * Writes the plane's own answer to a request whose body failed before the handler could
   * answer: it stalled past the idle timeout (S3: 400 RequestTimeout XML) or the client
   * half-closed before sending all of it (S3: 400 IncompleteBody). The connection closes after.
   */
  onBodyError: (res: ServerResponse, reason: BodyError) => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
export type BodyError = 'stalled' | 'incomplete';

/** Node's clientError codes we answer with something better than a bare 400. */
function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  // headersTimeout or the request deadline: the client was too slow, not malformed.
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

/**
 * An HTTP or HTTPS server with bounded timeouts and connection caps. Headers must arrive
 * within 30 s or the idle timeout if shorter (slowloris, answered 408); a body that stalls for the idle timeout
 * is answered by the plane (onStalled) instead of being cut silently; the whole request
 * has a generous deadline (a slow multi-gigabyte upload must still fit). `Expect:
 * 100-continue` is left to the body readers (http/expect-continue.ts), so a refused
 * request is answered before its body is sent.
 */
export async function listen(options: ListenOptions, handler: Handler): Promise<Server> {
  const common = {
    requestTimeout: options.requestDeadlineMs,
    // Headers come first and are small: never given longer than the body's idle allowance.
    headersTimeout: Math.min(30_000, options.idleTimeoutMs),
    keepAliveTimeout: 5_000,
    insecureHTTPParser: false,
    // Node checks timeouts on this interval; finer than the default 30 s so 408s are prompt.
    connectionsCheckingInterval: 1_000,
  };
  // The response in progress on each socket, for the idle-timeout answer.
  const active = new WeakMap<Socket, ServerResponse>();
  const serve: Handler = (req, res) => {
    if (isRefused(req.socket)) {
      req.socket.destroy();
      return;
    }
    active.set(req.socket, res);
    res.once('close', () => {
      if (active.get(req.socket) === res) active.delete(req.socket);
    });
    handler(req, res);
  };
  const server: Server = options.tls
    ? createHttpsServer(
        { ...common, ...TLS_SERVER_OPTIONS, cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) },
        serve,
      )
    : createHttpServer(common, serve);
  server.on('checkContinue', serve);
  limitConnections(server, options.limits);
  server.timeout = options.idleTimeoutMs;
  /** Answers the request in progress on `socket` for the plane, then closes; false if none can be. */
  const answerBodyError = (socket: Socket, reason: BodyError): boolean => {
    const res = active.get(socket);
    if (res === undefined || res.headersSent) return false;
    res.once('finish', () => socket.destroySoon());
    res.shouldKeepAlive = false;
    options.onBodyError(res, reason);
    // A peer that does not read our answer is not waited for.
    setTimeout(() => socket.destroy(), 5_000).unref();
    return true;
  };
  // With a listener here Node no longer destroys idle sockets itself.
  server.on('timeout', (socket: Socket) => {
    if (!answerBodyError(socket, 'stalled')) socket.destroy();
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // Mid-body, the client half-closed before sending all it announced: the plane answers.
    if (err.code !== 'ERR_HTTP_REQUEST_TIMEOUT' && answerBodyError(socket, 'incomplete')) return;
    socket.end(`HTTP/1.1 ${clientErrorStatus(err.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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
