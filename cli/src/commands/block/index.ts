/**
 * `anodectl block add|remove|list CIDR`: the node's IP blocklist. Blocked clients are
 * refused on the S3 plane and on the admin plane, except 127.0.0.1 and ::1 on the admin
 * plane, so an operator on the host itself is never locked out.
 */
import { Command } from 'commander';
import type { BlockChangeResponse } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession } from '../login/session.js';
import { networkInterfaces } from 'node:os';
import { cidrContains, parseIp, type Cidr, type IpAddress } from '../../net/ip.js';
import { parseCidrArg } from '../../parse.js';

/** This host's own addresses (every interface): a block covering one of them may cut off the caller. */
export function localAddresses(): IpAddress[] {
  const out: IpAddress[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) {
      try {
        out.push(parseIp(a.address.replace(/%.*$/, '')));
      } catch {
        /* not an address we can parse (zone ids etc.) */
      }
    }
  return out;
}

/** Why blocking cidr deserves a question, or null: it covers every address, or one of ours. */
export function blockRisk(cidr: Cidr, own: readonly IpAddress[]): string | null {
  if (cidr.prefix === 0)
    return `It covers EVERY IPv${cidr.family} address: all clients are refused, S3 and admin (except the admin API from loopback).`;
  const mine = own.find((a) => cidrContains(cidr, a));
  if (mine !== undefined)
    return `It contains ${mine.text}, an address of this host: requests from here${mine.text === '127.0.0.1' || mine.text === '::1' ? ' to the S3 API' : ''} would be refused.`;
  return null;
}

function changeText(verb: 'blocked' | 'unblocked', r: BlockChangeResponse): string {
  const head = r.changed ? `${verb} ${r.cidr}` : verb === 'blocked' ? `${r.cidr} was already blocked` : `${r.cidr} was not blocked`;
  return `${head}; blocklist: ${r.cidrs.length === 0 ? '(empty)' : r.cidrs.join(', ')}`;
}

export function blockCommand(io: CliIo): Command {
  const add = new Command('add')
    .description('refuse every request from an address or CIDR, from the next request on')
    .argument('<cidr>', 'e.g. 203.0.113.7 or 203.0.113.0/24 or 2001:db8::/32')
    .action(async (cidr: string, _f: unknown, command: Command) => {
      const parsed = parseCidrArg('address or CIDR', cidr)!;
      const s = await adminSession(command, io);
      const risk = blockRisk(parsed, localAddresses());
      if (risk !== null) await confirmOrAbort(`Block ${parsed.text}? ${risk}`, s.ctx.prompt);
      s.ctx.out.result(await s.call((c) => c.addBlock(cidr.trim())), (r) => changeText('blocked', r));
    });
  const remove = new Command('remove')
    .description('take an address or CIDR off the blocklist')
    .argument('<cidr>', 'exactly as listed')
    .action(async (cidr: string, _f: unknown, command: Command) => {
      parseCidrArg('address or CIDR', cidr, { hostBits: true });
      const s = await adminSession(command, io);
      await confirmOrAbort(`Unblock ${cidr}? Its clients can reach the node again.`, s.ctx.prompt);
      s.ctx.out.result(await s.call((c) => c.removeBlock(cidr)), (r) => changeText('unblocked', r));
    });
  const list = new Command('list').description('list blocked addresses and CIDRs').action(async (_f: unknown, command: Command) => {
    const s = await adminSession(command, io);
    s.ctx.out.result(await s.call((c) => c.listBlocklist()), (r) => (r.cidrs.length === 0 ? 'no blocked addresses' : r.cidrs.join('\n')));
  });
  return new Command('block')
    .description('block or unblock client addresses (S3 and admin planes)')
    .addCommand(add)
    .addCommand(remove)
    .addCommand(list);
}
