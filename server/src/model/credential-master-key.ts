/**
 * Where the credential master key (the AES-256 key sealing credential secrets) lives, so a
 * copy of the data directory alone never unseals a secret:
 *
 * - with a key provider configured, it is a data key wrapped by the provider (key
 *   'default'), stored in the metadata store under MASTER_KEY_REF: useless without the KEK
 *   in the key file or the HSM, and re-wrapped by `keys rewrap` like any other data key;
 * - otherwise, a key file outside the data directory (`[auth] master_key_file`, by default
 *   in the user's XDG config directory; /etc/anode/master.key on a system install).
 *
 * Older nodes kept it at <data>/metadata/master.key. On start that file is migrated once:
 * the key is written to its new home, made durable, read back, audited in one line, and
 * only then the old file is removed (a crash in between leaves both copies, identical, and
 * the next start finishes the move).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadOrCreateMasterKey, MasterKeyError } from '../auth/secret-box.js';
import { isInside, type NodePaths } from '../config/paths.js';
import type { KeyRegistry } from '../keys/key-registry.js';
import type { MetadataStore } from '../metadata/types.js';
import { fsyncDir } from '../util/fsync-dir.js';

/** The stored wrapped key's reference (object_keys.ref). */
export const MASTER_KEY_REF = 'system:credential-master-key';

export interface MasterKeyOptions {
  paths: NodePaths;
  metadata: MetadataStore;
  /** The key registry when a key provider is configured, else null. */
  keys: KeyRegistry | null;
  /** Writes the one audit line of a migration. */
  audit: (action: string, details: Record<string, unknown>) => void;
}

export interface MasterKeyPlace {
  key: Buffer;
  /** 'provider:<kind>' or the key file's path. */
  where: string;
  migratedFrom: string | null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Writes `key` to a new 0600 file at `path` (never over an existing one) and makes it durable. */
async function writeNewKeyFile(path: string, key: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600).catch((err: unknown) => {
    throw new MasterKeyError(`cannot create master key file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  });
  try {
    await handle.writeFile(key);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDir(dirname(path));
}

async function removeDurably(path: string): Promise<void> {
  await rm(path, { force: true });
  await fsyncDir(dirname(path));
}

/** The credential master key, migrating a legacy in-data-directory file first. */
export async function openCredentialMasterKey(options: MasterKeyOptions): Promise<MasterKeyPlace> {
  const { paths, metadata, keys } = options;
  const legacy = paths.legacyMasterKey;
  const legacyExists = await exists(legacy);

  if (keys !== null) {
    const where = `provider:${keys.provider.kind}`;
    const stored = await metadata.getWrappedKey(MASTER_KEY_REF);
    if (stored !== null) {
      const key = await keys.unwrap(stored);
      if (legacyExists) {
        // A migration interrupted after the wrapped key was stored: finish it.
        const old = await loadOrCreateMasterKey(legacy);
        if (!same(old, key)) {
          throw new MasterKeyError(
            `${legacy} holds a different master key than the one wrapped by the key provider; move it away to start`,
          );
        }
        await removeDurably(legacy);
      }
      return { key, where, migratedFrom: null };
    }
    // First start with a provider: bring the existing key along (legacy file, or the
    // external key file a provider-less start used), or make a new one.
    const source = legacyExists ? legacy : (await exists(paths.masterKey)) ? paths.masterKey : null;
    if (source === null) await refuseNewKeyOverSecrets(metadata, paths.masterKey);
    const key = source === null ? randomBytes(32) : await loadOrCreateMasterKey(source);
    await keys.store(MASTER_KEY_REF, key);
    const check = await keys.load(MASTER_KEY_REF);
    if (check === null || !same(check, key)) throw new MasterKeyError('the wrapped master key did not read back identical');
    if (source !== null) {
      options.audit('credentials.master_key.migrate', { from: source, to: where, removed: source === legacy });
      // The in-data-directory copy goes; an external file named by the operator is left to them.
      if (source === legacy) await removeDurably(legacy);
    }
    return { key, where, migratedFrom: source };
  }

  const target = paths.masterKey;
  if (!legacyExists && !(await exists(target))) await refuseNewKeyOverSecrets(metadata, target);
  if (!legacyExists || isInside(target, paths.data)) {
    // Nothing to move (or the operator named a file in the data directory: the checklist FAILs that).
    return { key: await loadOrCreateMasterKey(target), where: target, migratedFrom: null };
  }
  const old = await loadOrCreateMasterKey(legacy);
  if (await exists(target)) {
    const current = await loadOrCreateMasterKey(target);
    if (!same(current, old)) {
      throw new MasterKeyError(
        `two different credential master keys: ${legacy} (old place) and ${target}; keep the one that opens your credentials and remove the other`,
      );
    }
    await removeDurably(legacy); // an interrupted migration: both copies identical
    return { key: current, where: target, migratedFrom: null };
  }
  await writeNewKeyFile(target, old);
  const back = await readFile(target);
  if (!same(back, old)) throw new MasterKeyError(`${target} did not read back identical; ${legacy} is kept`);
  options.audit('credentials.master_key.migrate', { from: legacy, to: target, removed: true });
  await removeDurably(legacy);
  return { key: old, where: target, migratedFrom: legacy };
}

/**
 * A new master key cannot open the secrets sealed under the old one: when credentials
 * exist, a missing key is a misconfiguration (wrong HOME, wrong master_key_file, a key
 * provider switched off), never a reason to make a new key.
 */
async function refuseNewKeyOverSecrets(metadata: MetadataStore, expected: string): Promise<void> {
  const count = (await metadata.listCredentials()).length;
  if (count > 0) {
    throw new MasterKeyError(
      `the credential master key is missing (expected ${expected}, or wrapped by the key provider) but ${count} sealed credential(s) exist; ` +
        'point [auth] master_key_file at the key the node was using (or configure its key provider) instead of making a new one',
    );
  }
}
