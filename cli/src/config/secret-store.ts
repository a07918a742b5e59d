/**
 * Where a profile's secret access key is kept: the OS keyring when one is running
 * (macOS Keychain, Windows Credential Manager, the Secret Service on Linux), otherwise
 * a 0600 file per profile under <config dir>/secrets/ (a 0700 directory). Every caller
 * learns which one was used (`kind`, `describe()`), so the CLI can tell the operator.
 * ANODE_KEYRING=file|keyring overrides the automatic choice.
 */
import { Entry, type EntryOptions } from '@napi-rs/keyring';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Env } from './paths.js';
import { validateProfileName } from './profiles.js';

export type SecretStoreKind = 'keyring' | 'file';

export interface SecretStore {
  readonly kind: SecretStoreKind;
  /** For messages: "OS keyring (service anode)" or the file path. Never the secret. */
  describe(profile: string): string;
  get(profile: string): Promise<string | undefined>;
  set(profile: string, secret: string): Promise<void>;
  /** Resolves true when a secret was there to delete. */
  delete(profile: string): Promise<boolean>;
}

export const KEYRING_SERVICE = 'anode';

// On Linux, pin the Secret Service: the library's fallback, the kernel keyring, forgets
// its keys at logout or reboot, so a secret "saved" there would silently disappear.
const ENTRY_OPTIONS: EntryOptions | undefined = process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;

export class KeyringSecretStore implements SecretStore {
  readonly kind = 'keyring';
  constructor(private readonly service = KEYRING_SERVICE) {}

  private entry(profile: string): Entry {
    return new Entry(this.service, validateProfileName(profile), ENTRY_OPTIONS);
  }
  describe(): string {
    return `OS keyring (service "${this.service}")`;
  }
  get(profile: string): Promise<string | undefined> {
    return Promise.resolve(this.entry(profile).getPassword() ?? undefined);
  }
  set(profile: string, secret: string): Promise<void> {
    this.entry(profile).setPassword(secret);
    return Promise.resolve();
  }
  delete(profile: string): Promise<boolean> {
    return Promise.resolve(this.entry(profile).deletePassword());
  }

  /** True when a keyring service answers a write here (probing with a throwaway entry). */
  static available(service = KEYRING_SERVICE): boolean {
    try {
      const probe = new Entry(service, '__anodectl_probe__', ENTRY_OPTIONS);
      probe.setPassword('probe');
      probe.deletePassword();
      return true;
    } catch {
      return false;
    }
  }
}

export class FileSecretStore implements SecretStore {
  readonly kind = 'file';
  constructor(private readonly dir: string) {}

  private path(profile: string): string {
    return join(this.dir, validateProfileName(profile));
  }
  describe(profile: string): string {
    return `file ${this.path(profile)} (mode 0600; no OS keyring service is running)`;
  }
  async get(profile: string): Promise<string | undefined> {
    try {
      return (await readFile(this.path(profile), 'utf8')).trim();
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }
  async set(profile: string, secret: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path(profile), `${secret}\n`, 0o600);
  }
  async delete(profile: string): Promise<boolean> {
    const path = this.path(profile);
    const existed = (await this.get(profile)) !== undefined;
    await rm(path, { force: true });
    return existed;
  }
}

/** Picks the keyring when one works, else the file store; ANODE_KEYRING=file|keyring forces a choice. */
export function openSecretStore(configDir: string, env: Env): SecretStore {
  const choice = env['ANODE_KEYRING'];
  const fileStore = new FileSecretStore(join(configDir, 'secrets'));
  if (choice === 'file') return fileStore;
  if (choice === 'keyring') {
    if (!KeyringSecretStore.available()) throw new UserError('ANODE_KEYRING=keyring but no OS keyring service answers');
    return new KeyringSecretStore();
  }
  if (choice !== undefined && choice !== '')
    throw new UsageError(`ANODE_KEYRING must be "file" or "keyring", not ${JSON.stringify(choice)}`);
  return KeyringSecretStore.available() ? new KeyringSecretStore() : fileStore;
}
