/** `anodectl completion bash|zsh|fish`: a completion script for the shell, made from the command tree. */
import { Command, Argument } from 'commander';
import { contextFor, type CliIo } from '../../context.js';
import { bashCompletion, fishCompletion, zshCompletion } from './generate.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

export function completionCommand(io: CliIo): Command {
  return new Command('completion')
    .description('print a shell completion script (bash, zsh or fish) for anodectl')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: (typeof SHELLS)[number], _flags: unknown, command: Command) => {
      const { out } = contextFor(command, io);
      let root = command;
      while (root.parent !== null) root = root.parent;
      const script = shell === 'bash' ? bashCompletion(root) : shell === 'zsh' ? zshCompletion(root) : fishCompletion(root);
      // The script is the product: raw, whatever -o says.
      out.raw(script);
    });
}
