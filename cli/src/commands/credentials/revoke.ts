import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { collect } from '../../parse.js';
import { confirmOrAbort } from '../../prompts.js';
import { adminSession } from '../login/session.js';

export function revokeCommand(io: CliIo): Command {
  return new Command('revoke')
    .description('revoke a key; it is refused from the very next request')
    .argument('<access-key>', 'the key to revoke')
    .action(async (accessKey: string, _flags: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const self = accessKey === s.credentials.accessKeyId ? ' This is the key this command is using.' : '';
      await confirmOrAbort(`Revoke ${accessKey}?${self}`, s.ctx.prompt);
      const r = await s.call((c) => c.revokeCredential(accessKey));
      s.ctx.out.result(r, (x) => (x.already_revoked ? `${x.access_key} was already revoked (${x.revoked})` : `revoked ${x.access_key}`));
    });
}

export function revokeAllCommand(io: CliIo): Command {
  return new Command('revoke-all')
    .description('revoke every key, including the one in use (get back in with `anode admin reset-root` on the host)')
    .option('--except <access-key...>', 'keys to leave active', collect)
    .action(async (flags: { except?: string[] }, command: Command) => {
      const s = await adminSession(command, io);
      const except = flags.except ?? [];
      const keepsSelf = except.includes(s.credentials.accessKeyId);
      await confirmOrAbort(
        `Revoke EVERY credential${except.length > 0 ? ` except ${except.join(', ')}` : ''}?${keepsSelf ? '' : ' This includes the key this command is using: you will need `anode admin reset-root` on the host to get back in.'}`,
        s.ctx.prompt,
      );
      const r = await s.call((c) => c.revokeAllCredentials({ except }));
      s.ctx.out.result(r, (x) => `revoked ${x.revoked} credential(s)${x.except.length > 0 ? `; kept ${x.except.join(', ')}` : ''}`);
    });
}
