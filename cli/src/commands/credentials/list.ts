import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { adminSession } from '../login/session.js';
import { credentialColumns } from './format.js';

export function listCommand(io: CliIo): Command {
  return new Command('list')
    .description('list credentials (never their secrets)')
    .option('--all', 'include revoked and expired keys')
    .action(async (flags: { all?: boolean }, command: Command) => {
      const s = await adminSession(command, io);
      const { credentials } = await s.call((c) => c.listCredentials());
      const shown = flags.all === true ? credentials : credentials.filter((c) => c.status === 'active' || c.status === 'expiring');
      s.ctx.out.result(shown, (rows) => (rows.length === 0 ? 'no credentials' : s.ctx.out.table(credentialColumns(s.ctx.out), rows)));
    });
}
