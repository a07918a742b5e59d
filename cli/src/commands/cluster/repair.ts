/** `anodectl cluster repair [--wait] [--scrub]`: bring every chunk back to R healthy replicas now. */
import { Command } from 'commander';
import { startSpinner } from '../../spinner.js';
import type { RepairStatsJson } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import type { Output } from '../../output.js';
import { adminSession } from '../login/session.js';

const POLL_MS = 500;

export function repairText(out: Output, s: RepairStatsJson): string {
  return out.details([
    ['Started', s.started_at],
    ['Finished', s.finished_at],
    ['Chunks scanned', s.chunks_scanned],
    ['Replicas copied', s.replicas_copied],
    ['Bytes copied', s.bytes_copied],
    ['Copy failures', s.copy_failures],
    ['Deletes retried', s.deletes_retried],
    ['Corrupt (scrub)', s.corrupt_found],
    ['Still under-replicated', s.under_replicated],
  ]);
}

export function repairCommand(io: CliIo): Command {
  return new Command('repair')
    .description('copy every chunk with fewer than R healthy replicas from a good one, and retry missed deletes')
    .option('--wait', 'wait for the pass to finish, showing progress, then print the counts')
    .option('--scrub', "re-hash the answering node's own replicas first (bit rot is dropped and repaired)")
    .action(async (flags: { wait?: boolean; scrub?: boolean }, command: Command) => {
      const s = await adminSession(command, io);
      const started = await s.call((c) => c.runRepair(flags.scrub === true));
      if (flags.wait !== true) {
        s.ctx.out.result(started, (r) =>
          r.started ? 'repair started; anodectl cluster repair --wait follows it' : 'a repair pass was already running; joined it',
        );
        return;
      }
      const spinner = startSpinner({ text: 'repair running', stream: io.stderr, silent: s.ctx.out.json });
      let status;
      try {
        status = await s.call((c) => c.getRepairStatus());
        while (status.running) {
          const cur = status.current;
          if (cur !== null)
            spinner.update(
              `${cur.kind} running: ${cur.chunks_scanned} chunks scanned, ${cur.replicas_copied} replicas copied, ${cur.copy_failures} failed`,
            );
          await new Promise((r) => setTimeout(r, POLL_MS));
          status = await s.call((c) => c.getRepairStatus());
        }
      } finally {
        spinner.stop();
      }
      const last = status.last;
      const failed = status.last_error !== null || last === null || last.under_replicated > 0 || last.copy_failures > 0;
      const message =
        status.last_error !== null
          ? `repair failed: ${status.last_error}`
          : `repair finished: ${last?.replicas_copied ?? 0} replica(s) copied, ${last?.under_replicated ?? '?'} chunk(s) still under-replicated`;
      if (!s.ctx.out.json) {
        if (failed) s.ctx.out.warn(message);
        else s.ctx.out.success(message);
      }
      s.ctx.out.result(status, (x) => (x.last === null ? '' : repairText(s.ctx.out, x.last)));
    });
}
