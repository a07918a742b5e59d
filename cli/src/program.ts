/**
 * The anodectl command tree and the one function that runs it. bin.ts is the only
 * caller that exits the process; tests call buildProgram/run with their own streams.
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { registerCommands } from './commands/index.js';
import { processIo, type CliIo } from './context.js';
import { CliError, ExitCode, exitCodeFor, UserError } from './errors.js';
import { Output, OUTPUT_FORMATS } from './output.js';
import { addHelpTexts } from './help.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
export const VERSION = pkg.version;

/** Builds the full program. Every command in the tree writes through io and throws instead of exiting. */
export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command('anodectl')
    .description('Operate an Anode object store: credentials, buckets, certificates, firewall rules, audits')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--endpoint <url>', 'admin API endpoint (env ANODE_ENDPOINT; default http://127.0.0.1:8081)')
    .option('--profile <name>', 'profile from ~/.config/anode/config.yaml (env ANODE_PROFILE)')
    .addOption(
      new Option('-o, --output <format>', 'result format: table (fits 80 columns), wide (every column), json or yaml').choices(
        OUTPUT_FORMATS,
      ),
    )
    .option('--json', 'short for -o json: the result as JSON on stdout (messages still go to stderr)')
    .option('-y, --yes', 'answer yes to every confirmation prompt (needed when stdin is not a terminal)')
    // One flag for "the Anode CA": a PEM bundle that verifies an https endpoint, or the
    // directory made by `certs init-ca` (certs issue signs with the ca.key inside).
    .option('--ca <path>', 'the CA: PEM bundle to verify an https endpoint, or the certs init-ca directory (env ANODE_CA)')
    .option('--no-color', 'disable colour (also NO_COLOR=1, or when not a terminal)')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true });
  registerCommands(program, io, VERSION);
  configureTree(program, io);
  addHelpTexts(program);
  return program;
}

// addCommand() does not copy settings to the added command, so apply them to every node.
function configureTree(command: Command, io: CliIo): void {
  command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    // Every subcommand's --help lists the global options (--endpoint, --profile, -o, --json, --yes, ...).
    .configureHelp({ showGlobalOptions: true });
  for (const sub of command.commands) configureTree(sub, io);
}

/** Every command path in the tree, e.g. ["certs", "certs init-ca", ...] (for docs coverage). */
export function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return [path, ...commandPaths(sub, path)];
  });
}

/** Runs argv (as process.argv: node, script, args...) and returns the exit code. Never throws. */
export async function run(program: Command, argv: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    await program.parseAsync(keyVersionAlias(argv));
    return ExitCode.Ok;
  } catch (err) {
    return reportError(err, argv, io);
  }
}

/**
 * `keys retire NAME --version N`: there `--version` names a key version, but commander
 * would take it as anodectl's own --version anywhere on the line; it becomes --key-version.
 */
export function keyVersionAlias(argv: readonly string[]): string[] {
  const args = [...argv];
  const keys = args.indexOf('keys');
  const retire = keys < 0 ? -1 : args.indexOf('retire', keys + 1);
  if (retire < 0) return args;
  for (let i = retire + 1; i < args.length; i++) {
    if (args[i] === '--') break;
    if (args[i] === '--version' && i + 1 < args.length && !args[i + 1]!.startsWith('-')) args[i] = '--key-version';
    else if (args[i]!.startsWith('--version=')) args[i] = args[i]!.replace('--version', '--key-version');
  }
  return args;
}

function reportError(err: unknown, argv: readonly string[], io: CliIo): ExitCode {
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help / version).
    return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  const out = new Output(io.stdout, io.stderr, { json: false, color: !argv.includes('--no-color'), env: io.env });
  if (err instanceof UserError) {
    out.error(err.message, err.hint);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    out.error(
      `internal error: ${message}`,
      err instanceof CliError ? err.hint : 'this is a bug in anodectl; rerun with ANODE_DEBUG=1 for a stack trace and report it',
    );
    if ((io.env['ANODE_DEBUG'] ?? '') !== '' && err instanceof Error && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
  }
  return exitCodeFor(err);
}
