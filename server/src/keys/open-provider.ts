/**
 * Picks the key provider `[storage] key_provider` names: "file" (the encryption_key file),
 * "pkcs11" (an HSM), or "" = "file" when encryption is on and none otherwise. The PKCS#11
 * PIN comes from the env ANODE_PKCS11_PIN or the file pkcs11_pin_file; it is never logged.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import { KeyError } from './errors.js';
import { FileKeyProvider } from './file-key-provider.js';
import type { KeyProvider } from './key-provider.js';
import { Pkcs11KeyProvider } from './pkcs11-key-provider.js';

export const PKCS11_PIN_ENV = 'ANODE_PKCS11_PIN';

/** The provider kind in effect, or null for none. */
export function keyProviderKind(config: Config): 'file' | 'pkcs11' | null {
  const kind = config.storage.key_provider;
  if (kind === 'file' || kind === 'pkcs11') return kind;
  return config.storage.encryption ? 'file' : null;
}

export async function readPin(config: Config, env: NodeJS.ProcessEnv): Promise<string> {
  const fromEnv = env[PKCS11_PIN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const path = config.storage.pkcs11_pin_file;
  if (path === '') {
    throw new KeyError('KeyProviderUnavailable', {
      message: `key_provider = "pkcs11" needs a PIN: set ${PKCS11_PIN_ENV} or storage.pkcs11_pin_file`,
    });
  }
  const handle = await open(path, constants.O_RDONLY).catch((err: unknown) => {
    throw new KeyError('KeyProviderUnavailable', {
      message: `cannot open PIN file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      cause: err,
    });
  });
  try {
    const info = await handle.stat();
    if ((info.mode & 0o077) !== 0) {
      throw new KeyError('KeyProviderUnavailable', {
        message: `PIN file ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
      });
    }
    return (await handle.readFile('utf8')).replace(/\r?\n$/, '');
  } finally {
    await handle.close();
  }
}

export async function openKeyProvider(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<KeyProvider | null> {
  const kind = keyProviderKind(config);
  if (kind === null) return null;
  if (kind === 'file') return FileKeyProvider.open(config.storage.encryption_key);
  const s = config.storage;
  return Pkcs11KeyProvider.open({
    module: s.pkcs11_module,
    slot: s.pkcs11_slot >= 0 ? s.pkcs11_slot : null,
    tokenLabel: s.pkcs11_token_label,
    pin: await readPin(config, env),
  });
}
