/** `anodectl incident isolate NODE --reason TEXT`: cut a suspect node out of the cluster at once. */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession } from '../login/session.js';

export function isolateCommand(io: CliIo): Command {
  return new Command('isolate')
    .description('isolate a cluster node: it leaves placement and every peer refuses its certificate from then on (audited)')
    .argument('<node>', 'node id')
    .requiredOption('--reason <text>', 'why: recorded in the audit log')
    .action(async (node: string, flags: { reason: string }, command: Command) => {
      const s = await adminSession(command, io);
      await confirmOrAbort(
        `ISOLATE node ${node}? Peers refuse its certificate from now on; its data must be repaired elsewhere.`,
        s.ctx.prompt,
      );
      const r = await s.call((c) => c.isolateNode({ node, reason: flags.reason }));
      s.ctx.out.result(
        r,
        (x) =>
          `${s.ctx.out.style.red('ISOLATED')} ${x.node.node_id}${x.changed ? '' : ' (already isolated)'}: out of placement, certificate refused by peers\nreason: ${flags.reason}\nnext: anodectl cluster status; investigate the node; anodectl cluster remove ${x.node.node_id} when done`,
      );
    });
}
