/** `anodectl keys`: key files and the node's named encryption keys (create, list, rotate, rewrap, retire). */
import { Command } from 'commander';
import { startSpinner } from '../../spinner.js';
import type { RewrapStatusJson } from '@anode/shared/admin-api/index';
import type { CliIo } from '../../context.js';
import { UsageError, UserError } from '../../errors.js';
import { adminSession } from '../login/session.js';
import { keyColumns, keyText, rewrapText } from './format.js';
import { generateCommand } from './generate.js';

const POLL_MS = 500;

function createCommand(io: CliIo): Command {
  return new Command('create')
    .description('create a named key (usable as an SSE-KMS key id); its version 1 is made in the key provider')
    .argument('<name>', 'key name: letters, digits and . _ : / -')
    .action(async (name: string, _f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const r = await s.call((c) => c.createKey(name));
      if (!r.created) s.ctx.out.warn(`key ${name} already exists; nothing changed`);
      s.ctx.out.result(r, (x) => keyText(s.ctx.out, x.key));
    });
}

function listCommand(io: CliIo): Command {
  return new Command('list')
    .description('list named keys: provider, current version, versions and objects per version')
    .action(async (_f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const r = await s.call((c) => c.listKeys());
      s.ctx.out.result(r, (x) =>
        x.provider === null
          ? 'no key provider is configured on this node (encryption at rest is off)'
          : s.ctx.out.table(keyColumns(s.ctx.out), x.keys),
      );
    });
}

function rotateCommand(io: CliIo): Command {
  return new Command('rotate')
    .description('add a new version of a key for new writes (default key: default); older versions still unwrap')
    .argument('[name]', 'key name', 'default')
    .action(async (name: string, _f: unknown, command: Command) => {
      const s = await adminSession(command, io);
      const r = await s.call((c) => c.rotateKey(name));
      s.ctx.out.success(`key ${name} rotated: new writes use v${r.version}; run anodectl keys rewrap ${name} to move stored keys`);
      s.ctx.out.result(r, (x) => keyText(s.ctx.out, x.key));
    });
}

function rewrapCommand(io: CliIo): Command {
  return new Command('rewrap')
    .description('re-wrap every stored data key of a key under its newest version, in the background, without rewriting data')
    .argument('[name]', 'key name', 'default')
    .option('--wait', 'wait for the rewrap to finish, showing progress')
    .action(async (name: string, flags: { wait?: boolean }, command: Command) => {
      const s = await adminSession(command, io);
      const started = await s.call((c) => c.rewrapKey(name, false));
      if (flags.wait !== true) {
        s.ctx.out.result(started, (r) =>
          r.started
            ? `rewrap of ${name} to v${r.status.to_version} started (${r.status.total} keys); anodectl keys rewrap ${name} --wait follows it`
            : `a rewrap of ${name} was already running; joined it`,
        );
        return;
      }
      const spinner = startSpinner({ text: `rewrapping ${name}`, stream: io.stderr, silent: s.ctx.out.json });
      let status: RewrapStatusJson | null = started.status;
      try {
        while (status !== null && status.running) {
          spinner.update(
            `rewrapping ${name} to v${status.to_version}: ${status.rewrapped + status.skipped + status.failed}/${status.total}`,
          );
          await new Promise((r) => setTimeout(r, POLL_MS));
          status = (await s.call((c) => c.getRewrapStatus(name))).status;
        }
      } finally {
        spinner.stop();
      }
      const final = status ?? started.status;
      const failed = final.failed > 0;
      const message = failed
        ? `rewrap of ${name} finished with ${final.failed} failure(s): ${final.last_error ?? ''}`
        : `rewrap of ${name} finished: ${final.rewrapped} rewrapped to v${final.to_version}`;
      if (failed) {
        // The error line (and exit status) come from the thrown error, after the figures.
        s.ctx.out.result(final, (x) => rewrapText(s.ctx.out, x));
        throw new UserError(message, { hint: 'fix the cause (anodectl status shows the provider) and run the rewrap again' });
      }
      if (!s.ctx.out.json) s.ctx.out.success(message);
      s.ctx.out.result(final, (x) => rewrapText(s.ctx.out, x));
    });
}

function retireCommand(io: CliIo): Command {
  return (
    new Command('retire')
      .description('retire a key version (refused while any stored data key is wrapped by it, and for the current version)')
      .argument('<name>', 'key name')
      // Written `--version N` too (program.ts turns that into --key-version after `keys retire`).
      .requiredOption('--key-version <n>', 'the version to retire (also accepted as --version N)')
      .action(async (name: string, flags: { keyVersion: string }, command: Command) => {
        const version = flags.keyVersion;
        if (!/^\d+$/.test(version) || Number(version) < 1) throw new UsageError('--version must be a whole number from 1');
        const s = await adminSession(command, io);
        const r = await s.call((c) => c.retireKey(name, Number(version)));
        s.ctx.out.success(`key ${name} v${version} retired`);
        s.ctx.out.result(r, (x) => keyText(s.ctx.out, x.key));
      })
  );
}

export function keysCommand(io: CliIo): Command {
  return new Command('keys')
    .description('key files and named encryption keys: generate, create, list, rotate, rewrap, retire')
    .addCommand(generateCommand(io))
    .addCommand(createCommand(io))
    .addCommand(listCommand(io))
    .addCommand(rotateCommand(io))
    .addCommand(rewrapCommand(io))
    .addCommand(retireCommand(io));
}
