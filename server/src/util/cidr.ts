/**
 * IPv4/IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress operators.
 * IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, what a dual-stack Node socket reports)
 * are treated as the IPv4 address they carry.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

export interface CidrBlock {
  family: 4 | 6;
  /** Network bits, host bits cleared. */
  network: bigint;
  prefix: number;
}

function parseIPv4(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseIPv6(text: string): bigint {
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    tailV4 = parseIPv4(last);
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightGroups];
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an address; null if it is not a plain IPv4/IPv6 address (zone ids refused). */
export function parseIp(text: string): IpAddress | null {
  if (isIPv4(text)) return { family: 4, value: parseIPv4(text) };
  if (isIPv6(text) && !text.includes('%')) {
    const value = parseIPv6(text);
    if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
    return { family: 6, value };
  }
  return null;
}

/** Parses `addr/prefix` or a bare address (= /32 or /128); null if invalid. */
export function parseCidr(text: string): CidrBlock | null {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const ip = isIPv4(addrText)
    ? { family: 4 as const, value: parseIPv4(addrText) }
    : isIPv6(addrText) && !addrText.includes('%')
      ? { family: 6 as const, value: parseIPv6(addrText) }
      : null;
  if (!ip) return null;
  const bits = ip.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > bits) return null;
  }
  // An IPv4-mapped IPv6 block is the IPv4 block it maps.
  if (ip.family === 6 && prefix >= 96 && ip.value >> 32n === MAPPED_PREFIX >> 32n) {
    return cidrOf(4, ip.value & 0xffffffffn, prefix - 96);
  }
  return cidrOf(ip.family, ip.value, prefix);
}

function cidrOf(family: 4 | 6, value: bigint, prefix: number): CidrBlock {
  const bits = BigInt(family === 4 ? 32 : 128);
  const hostBits = bits - BigInt(prefix);
  const mask = ((1n << bits) - 1n) ^ ((1n << hostBits) - 1n);
  return { family, network: value & mask, prefix };
}

export function cidrContains(block: CidrBlock, ip: IpAddress): boolean {
  if (block.family !== ip.family) return false;
  const bits = BigInt(block.family === 4 ? 32 : 128);
  const hostBits = bits - BigInt(block.prefix);
  return ip.value >> hostBits === block.network >> hostBits;
}

/** A parsed CIDR block (trusted proxies, the IP blocklist, policy conditions). */
export type Cidr = CidrBlock;

/** True if `address` (as node reports it) lies in any of `blocks`. */
export function anyContains(blocks: readonly CidrBlock[], address: string): boolean {
  const ip = parseIp(address);
  return ip !== null && blocks.some((b) => cidrContains(b, ip));
}
