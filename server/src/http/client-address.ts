import type { IncomingMessage } from 'node:http';
import { anyContains, type Cidr } from '../util/cidr.js';

/**
 * The client's address and whether it reached us over TLS. X-Forwarded-For/-Proto are
 * believed only from a trusted proxy (otherwise any client could claim aws:SourceIp or
 * aws:SecureTransport). With a chain, the right-most untrusted hop is the client.
 */
export function clientAddress(req: IncomingMessage, trusted: readonly Cidr[], tls: boolean): { address: string; secure: boolean } {
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/, '');
  if (trusted.length === 0 || !anyContains(trusted, peer)) return { address: peer, secure: tls };
  const xff = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(xff) ? xff.join(',') : (xff ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let address = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    address = hops[i]!;
    if (!anyContains(trusted, address)) break;
  }
  const proto = req.headers['x-forwarded-proto'];
  const secure = typeof proto === 'string' ? proto.split(',')[0]!.trim().toLowerCase() === 'https' : tls;
  return { address, secure };
}
