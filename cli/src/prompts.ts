/**
 * Questions to the operator. A prompt must never hang a script: with --yes it is
 * answered yes without asking, and with no terminal on stdin it is refused (exit 5)
 * with a message that says to pass --yes. Prompts write to stderr so stdout stays
 * clean for --json.
 */
import { confirm as inquirerConfirm } from '@inquirer/prompts';
import { ConflictError } from './errors.js';

export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

export interface ConfirmOptions {
  /** --yes was given: proceed without asking. */
  yes: boolean;
  /** The default answer when the operator just presses Enter (false unless set). */
  default?: boolean;
  /** Defaults to process.stdin / process.stderr. */
  streams?: PromptStreams;
}

/** Asks a yes/no question; resolves true with --yes, throws ConflictError when it cannot ask. */
export async function confirm(message: string, options: ConfirmOptions): Promise<boolean> {
  if (options.yes) return true;
  const streams = options.streams ?? { input: process.stdin, output: process.stderr };
  if (streams.input.isTTY !== true) {
    throw new ConflictError(`refusing to continue without confirmation: ${message}`, {
      hint: 'stdin is not a terminal; pass --yes to proceed without a prompt',
    });
  }
  try {
    return await inquirerConfirm({ message, default: options.default ?? false }, { input: streams.input, output: streams.output });
  } catch (err) {
    // Ctrl-C / Ctrl-D at the prompt: inquirer throws ExitPromptError.
    if (err instanceof Error && err.name === 'ExitPromptError') throw new ConflictError('aborted at the prompt', { cause: err });
    throw err;
  }
}

/** Like confirm, but a "no" ends the command with ConflictError (exit 5). */
export async function confirmOrAbort(message: string, options: ConfirmOptions): Promise<void> {
  if (!(await confirm(message, options))) throw new ConflictError('aborted: the operator answered no');
}
