/**
 * Where a listen address or a client address sits: loopback, a private network
 * (RFC 1918, RFC 4193 ULA, link-local, CGNAT), every interface, or the public internet.
 * The checklist's network rules turn on this one classification.
 */
import { parseIp, type IpAddress } from '../net/ip.js';

export type AddressScope = 'loopback' | 'private' | 'wildcard' | 'public' | 'hostname';

function inV4(bytes: Uint8Array, a: number, prefixBits: number, b = 0): boolean {
  const value = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  const want = (a << 8) | b;
  const mask = (0xffff << (16 - prefixBits)) & 0xffff;
  return (value & mask) === (want & mask);
}

function scopeOfIp(ip: IpAddress): Exclude<AddressScope, 'hostname'> {
  const b = ip.bytes;
  if (ip.family === 4) {
    if (b.every((x) => x === 0)) return 'wildcard';
    if (inV4(b, 127, 8)) return 'loopback';
    if (inV4(b, 10, 8) || inV4(b, 172, 12, 16) || inV4(b, 192, 16, 168) || inV4(b, 169, 16, 254) || inV4(b, 100, 10, 64)) return 'private';
    return 'public';
  }
  if (b.every((x) => x === 0)) return 'wildcard';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d is the IPv4 address.
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return scopeOfIp({ family: 4, bytes: b.slice(12), text: [...b.slice(12)].join('.') });
  }
  const first = b[0] ?? 0;
  if ((first & 0xfe) === 0xfc) return 'private'; // fc00::/7 ULA
  if (first === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80) return 'private'; // fe80::/10 link-local
  return 'public';
}

/** Scope of a bare host ("0.0.0.0", "::1", "[fd00::1]", "localhost", "example.org"). */
export function addressScope(host: string): AddressScope {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === '' || bare === '*') return 'wildcard';
  if (bare.toLowerCase() === 'localhost') return 'loopback';
  try {
    return scopeOfIp(parseIp(bare));
  } catch {
    return 'hostname';
  }
}

/** "host:port", "[v6]:port" or ":port" → host and port; undefined when it is none of these. */
export function splitListen(listen: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(listen.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

/** Reachable from outside the host: every interface, a private network, or public. */
export function isExposed(scope: AddressScope): boolean {
  return scope !== 'loopback';
}
