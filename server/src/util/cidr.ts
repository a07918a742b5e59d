import { isIP } from 'node:net';

/** An address range; IPv4-mapped IPv6 addresses are compared as IPv4. */
export interface Cidr {
  bytes: Buffer;
  prefix: number;
}

function toBytes(addr: string): Buffer | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) addr = mapped[1]!;
  const kind = isIP(addr);
  if (kind === 4) return Buffer.from(addr.split('.').map(Number));
  if (kind !== 6) return null;
  const [head = '', tail = ''] = addr.split('::') as [string, string?];
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  let groups = parse(head);
  let rest = addr.includes('::') ? parse(tail) : [];
  // A dotted IPv4 tail counts as two groups.
  const fix = (list: string[]) =>
    list.flatMap((g) => {
      if (!g.includes('.')) return [g];
      const b = g.split('.').map(Number);
      return [((b[0]! << 8) | b[1]!).toString(16), ((b[2]! << 8) | b[3]!).toString(16)];
    });
  groups = fix(groups);
  rest = fix(rest);
  const fill = addr.includes('::') ? new Array<string>(8 - groups.length - rest.length).fill('0') : [];
  const all = [...groups, ...fill, ...rest];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (/32, /128); null if invalid. */
export function parseCidr(text: string): Cidr | null {
  const [addr = '', len] = text.trim().split('/') as [string, string?];
  const bytes = toBytes(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const prefix = len === undefined ? max : Number(len);
  if (prefix > max) return null;
  return { bytes, prefix };
}

export function cidrContains(cidr: Cidr, address: string): boolean {
  const bytes = toBytes(address);
  if (!bytes || bytes.length !== cidr.bytes.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (cidr.bytes[i]! & mask)) return false;
  }
  return true;
}

export function anyContains(cidrs: readonly Cidr[], address: string): boolean {
  return cidrs.some((c) => cidrContains(c, address));
}
