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

function changeText(verb: 'blocked' | 'unblocked', r: BlockChangeResponse): string {
  const head = r.changed ? `${verb} ${r.cidr}` : verb === 'blocked' ? `${r.cidr} was already blocked` : `${r.cidr} was not blocked`;
  return `${head}; blocklist: ${r.cidrs.length === 0 ? '(empty)' : r.cidrs.join(', ')}`;
}

export function blockCommand(io: CliIo): Command {
  const add = new Command('add')
    .description('refuse every request from an address or CIDR, from the next request on')
    .argument('<cidr>', 'e.g. 203.0.113.7 or 203.0.113.0/24 or 2001:db8::/32')
    .action(async (cidr: string, _f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      s.ctx.out.result(await s.call((c) => c.addBlock(cidr)), (r) => changeText('blocked', r));
    });
  const remove = new Command('remove')
    .description('take an address or CIDR off the blocklist')
    .argument('<cidr>', 'exactly as listed')
    .action(async (cidr: string, _f: unknown, command: Command) => {
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
