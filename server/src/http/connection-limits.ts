import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Open connections the listener accepts in all. */
  maxConnections: number;
  /** Open connections from one client address (trusted proxies are exempt). */
  maxPerClient: number;
  /** Addresses not counted per client: a load balancer carries everyone's connections. */
  exempt: (address: string) => boolean;
  /** Called for each connection refused, with the reason, for metrics. */
  onRefused?: (reason: 'total' | 'per-client') => void;
}

const REFUSAL =
  'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 42\r\n\r\nToo many open connections; try again soon\n';

/** Sockets refused here: the HTTP parser is already attached, so a request on one is dropped. */
const refused = new WeakSet<Socket>();

export function isRefused(socket: Socket): boolean {
  return refused.has(socket);
}

/**
 * Caps open connections, in all and per client address, so one client holding idle
 * sockets cannot use up the process's file descriptors and leave others with resets. A
 * connection over a cap gets a plain 503 with Retry-After and is closed; when the total cap
 * is reached, idle keep-alive connections are closed first to make room.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  let open = 0;
  const perClient = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const counted = !limits.exempt(address);
    if (open >= limits.maxConnections) server.closeIdleConnections();
    const mine = perClient.get(address) ?? 0;
    const reason = open >= limits.maxConnections ? 'total' : counted && mine >= limits.maxPerClient ? 'per-client' : null;
    if (reason !== null) {
      limits.onRefused?.(reason);
      refused.add(socket);
      socket.write(REFUSAL, () => socket.destroy());
      return;
    }
    open++;
    if (counted) perClient.set(address, mine + 1);
    socket.once('close', () => {
      open--;
      if (!counted) return;
      const left = (perClient.get(address) ?? 1) - 1;
      if (left <= 0) perClient.delete(address);
      else perClient.set(address, left);
    });
  });
}
