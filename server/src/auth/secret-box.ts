import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from '../util/fsync-dir.js';

/**
 * Credential secrets at rest. SigV4 needs the plaintext secret to compute the same HMAC as
 * the client, so secrets cannot be hashed; they are sealed with AES-256-GCM under a master
 * key kept outside the database. The access key is the additional authenticated data, so a
 * sealed secret copied onto another credential's row fails to open.
 *
 * Sealed format: version byte (1) | 12-byte nonce | ciphertext | 16-byte GCM tag.
 */

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 1;

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

export class SealedSecretError extends Error {
  override name = 'SealedSecretError';
}

/**
 * Reads the 32-byte master key at `path`, or creates it (0600, O_EXCL so two starting nodes
 * cannot both write one) when missing. Refuses a key file that group or others can read or
 * that has the wrong length. Errors name the path, never the key.
 */
export async function loadOrCreateMasterKey(path: string): Promise<Buffer> {
  try {
    return await readKeyFile(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    // Another process created it between our read and our create: use theirs.
    if (isErrno(err, 'EEXIST')) return readKeyFile(path);
    throw new MasterKeyError(`cannot create master key file ${path}: ${errnoText(err)}`, { cause: err });
  }
  try {
    await handle.writeFile(key);
    await handle.sync(); // losing the key loses every credential: it must be on disk first
  } finally {
    await handle.close();
  }
  await fsyncDir(dirname(path)); // ...and so must its directory entry
  return key;
}

async function readKeyFile(path: string): Promise<Buffer> {
  // Symlinks are followed (Kubernetes mounts secrets through them); fstat checks the target.
  const handle = await open(path, constants.O_RDONLY).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) throw err;
    throw new MasterKeyError(`cannot open master key file ${path}: ${errnoText(err)}`, { cause: err });
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new MasterKeyError(`master key ${path} is not a regular file`);
    if ((info.mode & 0o077) !== 0) {
      throw new MasterKeyError(
        `master key file ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); ` + `run: chmod 600 ${path}`,
      );
    }
    if (info.size !== KEY_BYTES) {
      throw new MasterKeyError(`master key file ${path} must hold exactly ${KEY_BYTES} bytes, found ${info.size}`);
    }
    const key = await handle.readFile();
    if (key.length !== KEY_BYTES) throw new MasterKeyError(`master key file ${path} changed while being read`);
    return key;
  } finally {
    await handle.close();
  }
}

function checkKey(masterKey: Buffer): void {
  if (masterKey.length !== KEY_BYTES) throw new MasterKeyError(`master key must be ${KEY_BYTES} bytes`);
}

/** Seals `secret` for the credential `accessKey`. */
export function sealSecret(masterKey: Buffer, accessKey: string, secret: string): Buffer {
  checkKey(masterKey);
  const nonce = randomBytes(NONCE_BYTES); // random per seal: a nonce is never reused under one key
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(accessKey, 'utf8'));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
}

/** Opens a sealed secret; throws SealedSecretError if it was tampered with or belongs to another key. */
export function openSecret(masterKey: Buffer, accessKey: string, sealed: Buffer): string {
  checkKey(masterKey);
  if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
    throw new SealedSecretError('sealed secret is malformed');
  }
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(accessKey, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch (err) {
    // Wrong master key, wrong access key, or altered bytes: GCM cannot tell which.
    throw new SealedSecretError('sealed secret failed authentication', { cause: err });
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

function errnoText(err: unknown): string {
  return err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
}
