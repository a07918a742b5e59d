/** `anodectl keys generate --out PATH`: a new 32-byte key file, 0600, never over an existing file. Local only. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { Command } from 'commander';
import type { CliIo } from '../../context.js';
import { contextFor } from '../../context.js';
import { ConflictError, UserError } from '../../errors.js';

export const KEY_FILE_BYTES = 32;

/** Writes a fresh key to `path` (O_EXCL, mode 0600, fsync'd). */
export async function writeNewKeyFile(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ConflictError(`${path} already exists: a key file is never overwritten (losing a key loses the data)`);
    throw new UserError(`cannot create ${path}: ${code ?? String(err)}`, { cause: err });
  }
  const key = randomBytes(KEY_FILE_BYTES);
  try {
    await handle.chmod(0o600); // whatever the umask
    await handle.writeFile(key);
    await handle.sync();
  } finally {
    key.fill(0);
    await handle.close();
  }
}

export function generateCommand(io: CliIo): Command {
  return new Command('generate')
    .description('write a new random key file (32 bytes, mode 0600) for [storage] encryption_key; refuses to overwrite; needs no server')
    .requiredOption('--out <path>', 'where to write the key file')
    .action(async (flags: { out: string }, command: Command) => {
      const ctx = contextFor(command, io);
      await writeNewKeyFile(flags.out);
      ctx.out.result(
        { path: flags.out, bytes: KEY_FILE_BYTES, mode: '0600' },
        (r) => `wrote a new ${r.bytes}-byte key to ${r.path} (mode ${r.mode}); back it up apart from the data directory`,
      );
    });
}
