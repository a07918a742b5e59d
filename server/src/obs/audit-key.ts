/**
 * The node's audit signing key (Ed25519) and node id, kept in `<data_dir>/keys/`:
 * `audit-ed25519.key` (PKCS#8 PEM, 0600), `audit-ed25519.pub` (SPKI PEM) and `node-id`.
 * Created on first start; a private key file that group or others can read is refused.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../util/fsync-dir.js';

export interface AuditIdentity {
  nodeId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
  /** The directory holding the key, the node id and the chain head file. */
  dir: string;
}

export class AuditKeyError extends Error {
  override name = 'AuditKeyError';
}

export function auditKeyDir(dataDir: string): string {
  return join(dataDir, 'keys');
}

async function writeExclusive(path: string, text: string, mode: number): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

export async function loadOrCreateAuditIdentity(dataDir: string): Promise<AuditIdentity> {
  const dir = auditKeyDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, 'audit-ed25519.key');
  const pubPath = join(dir, 'audit-ed25519.pub');
  const idPath = join(dir, 'node-id');
  let created = false;
  try {
    await stat(keyPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    if (await writeExclusive(keyPath, pem, 0o600)) {
      await writeExclusive(pubPath, publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
      created = true;
    }
  }
  await writeExclusive(idPath, `${randomUUID()}\n`, 0o644);
  if (created) await fsyncDir(dir);
  const st = await stat(keyPath);
  if ((st.mode & 0o077) !== 0) {
    throw new AuditKeyError(`audit key ${keyPath} is readable by group or others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await readFile(keyPath, 'utf8'));
  } catch (err) {
    throw new AuditKeyError(`audit key ${keyPath} is not a PEM private key`, { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new AuditKeyError(`audit key ${keyPath} is not an Ed25519 key`);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const nodeId = (await readFile(idPath, 'utf8')).trim();
  return { nodeId, privateKey, publicKeyPem, dir };
}
