/** `anodectl credentials`: create, list, rotate and revoke access keys through the admin API. */
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { createCommand } from './create.js';
import { listCommand } from './list.js';
import { rotateCommand } from './rotate.js';
import { revokeAllCommand, revokeCommand } from './revoke.js';

export function credentialsCommand(io: CliIo): Command {
  return new Command('credentials')
    .description('create, list, rotate and revoke access keys')
    .addCommand(createCommand(io))
    .addCommand(listCommand(io))
    .addCommand(rotateCommand(io))
    .addCommand(revokeCommand(io))
    .addCommand(revokeAllCommand(io));
}
