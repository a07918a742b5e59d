/**
 * Every top-level noun of anodectl. To add one: create commands/<noun>/index.ts that
 * exports a function returning its Command (one file per verb beside it), add it to
 * NOUNS, and document it in man/anodectl.1 (test/cli/man.test.ts fails until you do).
 */
import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { certsCommand } from './certs/index.js';
import { firewallCommand } from './firewall/index.js';

const NOUNS: readonly ((io: CliIo) => Command)[] = [certsCommand, firewallCommand];

export function registerCommands(program: Command, io: CliIo): void {
  for (const noun of NOUNS) program.addCommand(noun(io));
}
