/** `anodectl gc run [--wait]|status`: garbage collection of unreferenced chunks and expired uploads. */
import { Command } from 'commander';
import type { GcPendingJson, GcStatsJson, GcStatusResponse } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import type { Output } from '../../output.js';
import { adminSession } from '../login/session.js';
import { startSpinner } from '../../spinner.js';

const POLL_MS = 500;

function statsPairs(s: GcStatsJson): [string, string | number | null][] {
  return [
    ['Started', s.started_at],
    ['Finished', s.finished_at],
    ['Duration', `${s.duration_ms} ms`],
    ['Chunks scanned', s.chunks_scanned],
    ['Chunks removed', s.chunks_removed],
    ['Orphans removed', s.orphans_removed],
    ['Bytes freed', s.bytes_freed],
    ['Uploads expired', s.uploads_expired],
    ['Errors', s.errors],
  ];
}

/** One line per kind of chunk a run left, with why; empty when nothing is pending. */
export function pendingLines(p: GcPendingJson): string[] {
  const atLeast = p.truncated ? 'at least ' : '';
  const lines: string[] = [];
  const add = (n: number, why: string) => {
    if (n > 0) lines.push(`  ${atLeast}${n} ${why}`);
  };
  add(p.trash_in_use, "deleted data's chunk(s): still used by a write, copy or read in flight; freed by a later run");
  add(
    p.trash_delayed,
    "deleted data's chunk(s): kept for gc.trash_delay_seconds by a scheduled run, or deleted after the run looked; run gc again",
  );
  add(p.trash_failed, "deleted data's chunk(s): the file could not be removed (see Errors); retried next run");
  add(p.orphans_in_grace, 'unreferenced chunk file(s): younger than gc.orphan_grace_seconds, an upload in flight may still commit them');
  add(p.orphans_in_use, 'unreferenced chunk file(s): an upload in flight is writing them');
  return lines;
}

function pendingText(s: GcStatsJson): string[] {
  if (s.pending === null) return [];
  const lines = pendingLines(s.pending);
  return lines.length === 0 ? ['Pending: nothing'] : ['Pending:', ...lines];
}

export function gcStatusText(out: Output, s: GcStatusResponse): string {
  const lines = [
    out.details([
      ['Running', s.running ? 'yes' : 'no'],
      ['Next scheduled', s.next_scheduled_at],
      ['Last error', s.last_error],
    ]),
  ];
  if (s.current !== null) lines.push('', 'Current run:', out.details(statsPairs(s.current)));
  if (s.last !== null) lines.push('', 'Last run:', out.details(statsPairs(s.last)), ...pendingText(s.last));
  return lines.join('\n');
}

export function gcCommand(io: CliIo): Command {
  const run = new Command('run')
    .description("start a GC run now (or join the one in flight); it frees deleted data's chunks at once, except those in use")
    .option('--wait', 'wait for the run to finish, showing progress, then report what is still pending and why')
    .action(async (flags: { wait?: boolean }, command: Command) => {
      const s = await adminSession(command, io);
      const started = await s.call((c) => c.runGc(false));
      if (flags.wait !== true) {
        s.ctx.out.result(started, (r) =>
          r.started ? 'GC started; anodectl gc status shows its progress' : 'a GC run was already in flight; joined it',
        );
        return;
      }
      // Poll status rather than hold one long request: progress for people, and no proxy timeout.
      // With --json nothing but the result is printed, not even the spinner's final line.
      const spinner = startSpinner({ text: 'GC running', stream: io.stderr, silent: s.ctx.out.json });
      let status: GcStatusResponse;
      try {
        status = await s.call((c) => c.getGcStatus());
        while (status.running) {
          const cur = status.current;
          if (cur !== null)
            spinner.update(
              `GC running: ${cur.chunks_scanned} chunks scanned, ${cur.chunks_removed} removed, ${cur.bytes_freed} bytes freed`,
            );
          await new Promise((r) => setTimeout(r, POLL_MS));
          status = await s.call((c) => c.getGcStatus());
        }
      } finally {
        spinner.stop();
      }
      const failed = status.last_error !== null;
      if (!s.ctx.out.json) {
        if (failed) s.ctx.out.error(`GC failed: ${status.last_error}`);
        else s.ctx.out.success('GC finished');
      }
      s.ctx.out.result(status, (x) => gcStatusText(s.ctx.out, x));
    });
  const status = new Command('status')
    .description('show the GC run in flight, the last run and the next scheduled one')
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      s.ctx.out.result(await s.call((c) => c.getGcStatus()), (x) => gcStatusText(s.ctx.out, x));
    });
  return new Command('gc').description('run garbage collection or show its status').addCommand(run).addCommand(status);
}
