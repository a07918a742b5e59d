import { Command, Option } from 'commander';
import type { CliIo } from '../../context.js';
import { collect } from '../../parse.js';
import { adminSession } from '../login/session.js';
import { createdText } from './format.js';

export function createCommand(io: CliIo): Command {
  return new Command('create')
    .description('create a credential for a user; prints the secret once')
    .requiredOption('--user <name>', 'the user who owns the key')
    .addOption(new Option('--role <role>', 'admin may use the admin API').choices(['admin', 'user']).default('user'))
    .option('--permission <perm...>', 'global permission: read, write, read_acp, write_acp (repeatable)', collect)
    .action(async (flags: { user: string; role: 'admin' | 'user'; permission?: string[] }, command: Command) => {
      const s = await adminSession(command, io);
      const permissions = (flags.permission ?? []).flatMap((p) => p.split(',')).filter((p) => p !== '');
      const created = await s.call((c) => c.createCredential({ user: flags.user, role: flags.role, permissions }));
      s.ctx.out.result(created, (c) => createdText(s.ctx.out, c));
    });
}
