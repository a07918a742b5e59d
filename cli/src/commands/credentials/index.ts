/** `anodectl credentials`: create, list, rotate and revoke access keys through the admin API. */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { createCommand } from './create.js';
import { listCommand } from './list.js';
import { rotateCommand } from './rotate.js';
import { revokeAllCommand, revokeCommand } from './revoke.js';
import { reportCommand } from './report.js';
import { resealCommand } from './reseal.js';

export function credentialsCommand(io: CliIo): Command {
  return new Command('credentials')
    .description('create, list, rotate and revoke access keys; least-privilege report; re-seal secrets under a new master key')
    .addCommand(createCommand(io))
    .addCommand(listCommand(io))
    .addCommand(rotateCommand(io))
    .addCommand(revokeCommand(io))
    .addCommand(revokeAllCommand(io))
    .addCommand(reportCommand(io))
    .addCommand(resealCommand(io));
}
