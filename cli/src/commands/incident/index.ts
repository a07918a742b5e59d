/** `anodectl incident lockdown|status`: contain a compromise in one step, and see where things stand. */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession } from '../login/session.js';
import { isolateCommand } from './isolate.js';

export function incidentCommand(io: CliIo): Command {
  const lockdown = new Command('lockdown')
    .description('revoke every credential except the one in use and switch the node to read-only (one audit entry)')
    .requiredOption('--reason <text>', 'why: recorded in the audit log')
    .action(async (flags: { reason: string }, command: Command) => {
      const s = await adminSession(command, io);
      await confirmOrAbort(
        `LOCK DOWN ${s.target.endpoint}? Every credential except ${s.credentials.accessKeyId} is revoked and the node becomes read-only.`,
        s.ctx.prompt,
      );
      const r = await s.call((c) => c.lockdown({ reason: flags.reason }));
      s.ctx.out.result(
        r,
        (x) =>
          `${s.ctx.out.style.red('LOCKDOWN')} at ${x.at}: ${x.revoked} credential(s) revoked, read-only ON; still active: ${x.kept.join(', ')}\nreason: ${x.reason}\nnext: rotate the kept key (anodectl credentials rotate ${x.kept[0] ?? ''}), review anodectl audit log, then anodectl readonly off`,
      );
    });
  const status = new Command('status')
    .description('show read-only state, the last lockdown, active credentials and blocked addresses')
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const { out } = s.ctx;
      out.result(await s.call((c) => c.getIncidentStatus()), (x) =>
        out.details([
          ['Read-only', x.read_only ? out.style.yellow(`ON since ${x.read_only_since ?? '?'}`) : 'off'],
          [
            'Last lockdown',
            x.last_lockdown === null
              ? 'never'
              : `${x.last_lockdown.at} by ${x.last_lockdown.user} (${x.last_lockdown.access_key}), ${x.last_lockdown.revoked} revoked`,
          ],
          ['Reason', x.last_lockdown?.reason ?? null],
          ['Active credentials', x.active_credentials],
          ['Blocked', x.blocklist.join(', ')],
          ...(x.isolated_nodes === undefined
            ? []
            : [
                [
                  'Isolated nodes',
                  x.isolated_nodes.map((n) => `${n.node_id} (${n.state_reason ?? 'no reason'})`).join(', ') || 'none',
                ] as const,
              ]),
        ]),
      );
    });
  return new Command('incident')
    .description('incident response: lockdown and status')
    .addCommand(lockdown)
    .addCommand(status)
    .addCommand(isolateCommand(io));
}
