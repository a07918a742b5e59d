/**
 * IP addresses and CIDR blocks as the CLI accepts them (certificate SANs, firewall
 * rules): validated with node:net, turned into bytes for X.509 and into canonical text
 * for rule files, so "10.0.0.1/8" (host bits set) is caught here rather than silently
 * widened by iptables or rejected later by nft.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
  /** Canonical text: dotted quad, or RFC 5952 compressed lower-case IPv6. */
  text: string;
}

export interface Cidr {
  family: IpFamily;
  address: IpAddress;
  prefix: number;
  /** Canonical "address/prefix". */
  text: string;
}

export class InvalidAddressError extends Error {
  override name = 'InvalidAddressError';
}

function parseIPv4Bytes(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function parseIPv6Bytes(text: string): Uint8Array {
  // Rewrite a dotted-quad tail ("::ffff:1.2.3.4") as two hex groups, then parse 8 groups.
  let t = text;
  const lastColon = t.lastIndexOf(':');
  const tail = t.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = parseIPv4Bytes(tail);
    t = `${t.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const [left = '', right] = t.split('::') as [string, string | undefined];
  const l = parse(left);
  const r = right === undefined ? [] : parse(right);
  const groups = [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (>= 2) of zero groups as "::". */
function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function parseIp(text: string): IpAddress {
  if (isIPv4(text)) {
    // node accepts only canonical dotted quads (no leading zeros, no short forms).
    const bytes = parseIPv4Bytes(text);
    return { family: 4, bytes, text: [...bytes].join('.') };
  }
  // Zone ids ("fe80::1%eth0") have no meaning in a certificate or a remote rule.
  if (isIPv6(text) && !text.includes('%')) {
    const bytes = parseIPv6Bytes(text);
    return { family: 6, bytes, text: formatIPv6(bytes) };
  }
  throw new InvalidAddressError(`not an IP address: ${JSON.stringify(text)}`);
}

/** Parses "addr/prefix" (a bare address means a single host). Host bits must be zero. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  let address: IpAddress;
  try {
    address = parseIp(addrText);
  } catch {
    throw new InvalidAddressError(`not a CIDR block: ${JSON.stringify(text)} (expected e.g. 10.0.0.0/8 or fd00::/8)`);
  }
  const max = address.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max)
      throw new InvalidAddressError(`invalid prefix length in ${JSON.stringify(text)}: expected 0-${max}`);
    prefix = Number(p);
  }
  const network = Uint8Array.from(address.bytes);
  for (let bit = prefix; bit < max; bit++) {
    const byte = bit >> 3;
    network[byte] = (network[byte] ?? 0) & ~(0x80 >> (bit & 7));
  }
  const networkAddr: IpAddress =
    address.family === 4
      ? { family: 4, bytes: network, text: [...network].join('.') }
      : { family: 6, bytes: network, text: formatIPv6(network) };
  if (networkAddr.text !== address.text) {
    throw new InvalidAddressError(`${JSON.stringify(text)} has host bits set; did you mean ${networkAddr.text}/${prefix}?`);
  }
  return { family: address.family, address: networkAddr, prefix, text: `${networkAddr.text}/${prefix}` };
}

/** True when ip is inside cidr (same family, the first prefix bits equal). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  for (let bit = 0; bit < cidr.prefix; bit++) {
    const mask = 0x80 >> (bit & 7);
    if (((cidr.address.bytes[bit >> 3] ?? 0) & mask) !== ((ip.bytes[bit >> 3] ?? 0) & mask)) return false;
  }
  return true;
}
