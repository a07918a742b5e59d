/** `anodectl readonly on|off|status`: refuse (or accept again) every write on the node. */
import { Command } from 'commander';
import type { ReadOnlyResponse } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession } from '../login/session.js';

function describe(r: ReadOnlyResponse): string {
  return r.read_only ? `read-only: ON since ${r.since ?? '?'} (writes are refused)` : 'read-only: off (writes accepted)';
}

export function readonlyCommand(io: CliIo): Command {
  const on = new Command('on')
    .description('refuse every write (S3 and admin) until turned off; reads go on')
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      await confirmOrAbort('Switch the node to read-only? Every S3 write will be refused.', s.ctx.prompt);
      s.ctx.out.result(await s.call((c) => c.setReadOnly(true)), describe);
    });
  const off = new Command('off').description('accept writes again').action(async (_f: unknown, command: Command) => {
    const s = await adminSession(command, io);
    s.ctx.out.result(await s.call((c) => c.setReadOnly(false)), describe);
  });
  const status = new Command('status').description('show whether the node is read-only').action(async (_f: unknown, command: Command) => {
    const s = await adminSession(command, io);
    s.ctx.out.result(await s.call((c) => c.getReadOnly()), describe);
  });
  return new Command('readonly')
    .description('switch read-only mode on or off, or show it')
    .addCommand(on)
    .addCommand(off)
    .addCommand(status);
}
