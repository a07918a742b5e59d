import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession, parseDuration } from '../login/session.js';
import { createdText } from './format.js';

export function rotateCommand(io: CliIo): Command {
  return new Command('rotate')
    .description('replace a key with a new one (same user, role and permissions); the old one stops now or after --grace')
    .argument('<access-key>', 'the key to rotate')
    .option('--grace <duration>', 'keep the old key working this long, e.g. 1h, 30m, 2d (default: revoke it now)')
    .action(async (accessKey: string, flags: { grace?: string }, command: Command) => {
      const grace = flags.grace === undefined ? 0 : parseDuration(flags.grace);
      const s = await adminSession(command, io);
      if (grace === 0) await confirmOrAbort(`Rotate ${accessKey}? The old key stops working immediately.`, s.ctx.prompt);
      const rotated = await s.call((c) => c.rotateCredential(accessKey, { grace_seconds: grace }));
      s.ctx.out.result(rotated, (r) => {
        const old =
          r.previous.expires !== null
            ? `old key ${r.previous.access_key} works until ${r.previous.expires}`
            : `old key ${r.previous.access_key} revoked`;
        return `${createdText(s.ctx.out, r.credential)}\n${old}`;
      });
    });
}
