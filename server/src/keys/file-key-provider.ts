/**
 * MINIMAL stand-in written by the enc-keys branch to compile and test against; the
 * enc-core branch owns the real file key provider and the integrator keeps theirs.
 *
 * KEKs derived from one key file (`[storage] encryption_key`, 32 bytes, 0600) with HKDF-SHA256
 * per key id and version, so nothing but the file is stored; data keys wrapped with
 * AES-256-GCM under the derived KEK, the label `anode:<keyId>:v<version>` as AAD.
 * Wrapped format: version byte (1) | 12-byte IV | ciphertext | 16-byte tag.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { KeyError } from './errors.js';
import type { KeyProvider } from './key-provider.js';

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_FILE_BYTES = 32;

export class FileKeyProvider implements KeyProvider {
  readonly kind = 'file';
  #root: Buffer;

  private constructor(root: Buffer) {
    this.#root = root;
  }

  /** Reads the key file; refuses one that is missing, group/world accessible or not 32 bytes. */
  static async open(path: string): Promise<FileKeyProvider> {
    const handle = await open(path, constants.O_RDONLY).catch((err: unknown) => {
      throw new KeyError('KeyProviderUnavailable', {
        message: `cannot open key file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        cause: err,
      });
    });
    try {
      const info = await handle.stat();
      if ((info.mode & 0o077) !== 0) {
        throw new KeyError('KeyProviderUnavailable', {
          message: `key file ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
        });
      }
      const root = await handle.readFile();
      if (root.length !== KEY_FILE_BYTES) {
        throw new KeyError('KeyProviderUnavailable', { message: `key file ${path} must hold exactly ${KEY_FILE_BYTES} bytes` });
      }
      return new FileKeyProvider(root);
    } finally {
      await handle.close();
    }
  }

  #kek(keyId: string, version: number): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#root, 'anode-kek', `anode:${keyId}:v${version}`, 32));
  }

  async wrap(keyId: string, version: number, dataKey: Buffer): Promise<Buffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#kek(keyId, version), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(`anode:${keyId}:v${version}`));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT]), iv, body, cipher.getAuthTag()]);
  }

  async unwrap(keyId: string, version: number, wrapped: Buffer): Promise<Buffer> {
    if (wrapped.length < 1 + IV_BYTES + TAG_BYTES || wrapped[0] !== FORMAT) throw new KeyError('KeyUnwrapFailed');
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#kek(keyId, version), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`anode:${keyId}:v${version}`));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(1 + IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
    } catch (err) {
      throw new KeyError('KeyUnwrapFailed', { cause: err });
    }
  }

  async createVersion(): Promise<void> {
    // Derived on demand: nothing to store.
  }

  async check(): Promise<void> {
    if (this.#root.length !== KEY_FILE_BYTES) throw new KeyError('KeyProviderUnavailable', { message: 'key file provider is closed' });
  }

  async close(): Promise<void> {
    this.#root.fill(0);
    this.#root = Buffer.alloc(0);
  }
}
