/**
 * The key-file provider: `[storage] encryption_key` names a file holding one 256-bit
 * secret, as 32 raw bytes, or as 64 hex digits or 44 base64 characters (a trailing newline
 * allowed). Each (keyId, version) gets its own key-encryption key, derived from the secret
 * with HKDF-SHA256, so versions and named keys need nothing stored beside the file. A data
 * key is wrapped with AES-256-GCM under that KEK (random 96-bit nonce, AAD "keyId|version"):
 * wrapped = nonce(12) | ciphertext(32) | tag(16).
 */
import { hkdfSync } from 'node:crypto';
import { SEAL_OVERHEAD, gcmOpen, gcmSeal } from '../util/aes-gcm.js';
import { readFile, stat } from 'node:fs/promises';
import type { KeyProvider } from './key-provider.js';
import { KeyError } from './errors.js';

/** The key file cannot be used; the message names the file (never its content). */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

const SECRET_BYTES = 32;
const HKDF_SALT = Buffer.from('anode file-key-provider v1');

/** The secret in a key file's bytes (raw, hex or base64), or null when it is none of those. */
export function parseKeyFile(bytes: Buffer): Buffer | null {
  if (bytes.length === SECRET_BYTES) return Buffer.from(bytes);
  const text = bytes.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) {
    const b = Buffer.from(text, 'base64');
    if (b.length === SECRET_BYTES) return b;
  }
  return null;
}

function aadOf(keyId: string, version: number): Buffer {
  return Buffer.from(`${keyId}|${version}`, 'utf8');
}

export class FileKeyProvider implements KeyProvider {
  readonly kind = 'file';
  readonly #secret: Buffer;
  readonly #keks = new Map<string, Buffer>();

  private constructor(secret: Buffer) {
    this.#secret = secret;
  }

  /** A provider over an in-memory secret (tests). */
  static fromSecret(secret: Buffer): FileKeyProvider {
    if (secret.length !== SECRET_BYTES) throw new RangeError('the key secret must be 32 bytes');
    return new FileKeyProvider(Buffer.from(secret));
  }

  /**
   * Reads the key file; refuses one that is missing, unreadable, not a regular file, of the
   * wrong length, or readable/writable by group or others (it must be 0600 or 0400).
   */
  static async open(path: string): Promise<FileKeyProvider> {
    if (path === '') throw new KeyFileError('storage.encryption_key is empty: encryption needs a key file');
    let mode: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new KeyFileError(`encryption key file ${path} is not a regular file`);
      mode = st.mode & 0o777;
    } catch (err) {
      if (err instanceof KeyFileError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new KeyFileError(
        `encryption key file ${path} cannot be read (${code}); create one with "anodectl keys generate --out ${path}"`,
      );
    }
    if ((mode & 0o077) !== 0) {
      throw new KeyFileError(
        `encryption key file ${path} is accessible by group or others (mode 0${mode.toString(8)}); run chmod 0600 ${path}`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw new KeyFileError(`encryption key file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const secret = parseKeyFile(bytes);
    bytes.fill(0);
    if (secret === null) {
      throw new KeyFileError(`encryption key file ${path} does not hold a 256-bit key (32 raw bytes, 64 hex digits or base64 of 32 bytes)`);
    }
    return new FileKeyProvider(secret);
  }

  #kek(keyId: string, version: number): Buffer {
    if (!Number.isSafeInteger(version) || version < 1) throw new KeyError('KeyNotFound', { message: `invalid key version ${version}` });
    const name = `${keyId}\u0000${version}`;
    let kek = this.#keks.get(name);
    if (kek === undefined) {
      kek = Buffer.from(hkdfSync('sha256', this.#secret, HKDF_SALT, Buffer.from(`kek\u0000${name}`, 'utf8'), 32));
      this.#keks.set(name, kek);
    }
    return kek;
  }

  async wrap(keyId: string, version: number, dataKey: Buffer): Promise<Buffer> {
    return gcmSeal(this.#kek(keyId, version), aadOf(keyId, version), dataKey);
  }

  async unwrap(keyId: string, version: number, wrapped: Buffer): Promise<Buffer> {
    if (wrapped.length < SEAL_OVERHEAD) throw new KeyError('KeyUnwrapFailed', { message: 'wrapped key too short' });
    const dataKey = gcmOpen(this.#kek(keyId, version), aadOf(keyId, version), wrapped);
    if (dataKey === null) throw new KeyError('KeyUnwrapFailed'); // altered, or wrapped under another key
    return dataKey;
  }

  async createVersion(keyId: string, version: number): Promise<void> {
    // Derived on use: nothing to store; the arguments are only checked.
    this.#kek(keyId, version);
  }

  async check(): Promise<void> {
    // The secret is in memory once opened.
  }

  async close(): Promise<void> {
    this.#secret.fill(0);
    for (const k of this.#keks.values()) k.fill(0);
    this.#keks.clear();
  }
}
