/**
 * HTTP/2 flow-control windows of the gRPC plane. Node's default is 65 535 bytes per stream
 * and per connection, so a receiver grants a sender 64 KiB at a time and every further
 * 64 KiB waits for a WINDOW_UPDATE from the receiver's (busy) event loop: on loopback with
 * three nodes a 64 MiB PUT moved at a small fraction of one node's speed, the nodes mostly
 * idle (docs/cluster.md, bench section). grpc-js raises the client's receive window
 * ('grpc-node.flow_control_window') but has no option for its server's, so the server side
 * is raised on every session it accepts.
 */
import type { Http2Session } from 'node:http2';
import type { Server } from '@grpc/grpc-js';

/** Receive window of one stream: a chunk transfer is never stalled on its own window. */
export const STREAM_WINDOW_BYTES = 8 << 20;
/** Receive window of one connection (all streams from one peer): bounds what a peer can have in flight. */
export const CONNECTION_WINDOW_BYTES = 16 << 20;

/** Raises both receive windows of an HTTP/2 session (either side), once it is connected. */
export function raiseWindows(session: Http2Session): void {
  const apply = (): void => {
    if (session.destroyed || session.closed) return;
    try {
      session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
      session.settings({ initialWindowSize: STREAM_WINDOW_BYTES });
    } catch {
      // A session closing under us keeps its defaults: slower, never wrong.
    }
  };
  if (session.connecting) session.once('connect', apply);
  else apply();
}

/**
 * Hooks raiseWindows() into the sessions of every HTTP/2 server grpc-js made for `server`
 * (call after each bind). grpc-js keeps them in a private map; if a later version renames
 * it, this returns false and the server runs with Node's defaults.
 */
export function raiseServerWindows(server: Server, hooked: WeakSet<object>): boolean {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) return false;
  for (const h2 of servers.keys() as IterableIterator<{ on?: unknown }>) {
    if (hooked.has(h2) || typeof h2.on !== 'function') continue;
    hooked.add(h2);
    (h2 as { on(event: 'session', l: (s: Http2Session) => void): void }).on('session', raiseWindows);
  }
  return true;
}
