/** `anodectl credentials reseal`: seal every credential secret under a new master key, no restart (audited). */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession } from '../login/session.js';

export function resealCommand(io: CliIo): Command {
  return new Command('reseal')
    .description('generate a new credential master key and re-seal every secret under it, without a restart (audited)')
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      await confirmOrAbort(
        `Re-seal every credential secret on ${s.target.endpoint} under a new master key? The old key file is replaced; back up the new one.`,
        s.ctx.prompt,
      );
      const r = await s.call((c) => c.call('resealCredentials'));
      s.ctx.out.result(
        r,
        (x) =>
          `${x.resealed} secret(s) re-sealed at ${x.at}; master key ${x.previous_key} replaced by ${x.new_key} (SHA-256 prefixes). Keys keep working; back up the new master key file.`,
      );
    });
}
