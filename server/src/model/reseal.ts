/**
 * Master-key re-seal without a restart (`anodectl credentials reseal`): every credential
 * secret is opened under the current master key and sealed again under a new one, and
 * the running CredentialService switches keys; requests keep verifying throughout
 * (secrets open under either key while the re-seal runs).
 *
 * Crash safety: the new key is written durably to `<master key>.next` before any secret
 * changes, and renamed over the master key only when every secret is sealed under it. A
 * node that stops in between finishes the job at start-up (completeInterruptedReseal), so
 * no secret is ever sealed under a key that is not on disk.
 *
 * Built on the secret-box functions (sealSecret/openSecret) and the master-key file path;
 * another change may move where the master key lives: only the path handling here follows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openSecret, sealSecret } from '../auth/secret-box.js';
import type { CredentialRecord, MetadataStore } from '../metadata/types.js';
import { fsyncDir } from '../util/fsync-dir.js';
import type { CredentialService } from './credentials.js';

const KEY_BYTES = 32;

/** A re-seal that could not run or finish; the message names the credential or file, never a key. */
export class ResealError extends Error {
  override name = 'ResealError';
}

export interface ResealResult {
  resealed: number;
  /** First 16 hex of SHA-256 of each key: names them without revealing them. */
  previousKey: string;
  newKey: string;
}

export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

const nextPath = (masterKeyPath: string) => `${masterKeyPath}.next`;

function opens(key: Buffer, c: CredentialRecord): string | null {
  try {
    return openSecret(key, c.accessKey, c.sealedSecret);
  } catch {
    return null;
  }
}

async function writeKeyFile(path: string, key: Buffer): Promise<void> {
  await rm(path, { force: true });
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(key);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDir(dirname(path));
}

/**
 * Seals every secret that does not open under `to` (but does under `from`) again under
 * `to`, compare-and-set per row, until a pass changes nothing. Returns how many changed.
 */
async function resealUnder(metadata: MetadataStore, from: Buffer, to: Buffer): Promise<number> {
  let changed = 0;
  for (let pass = 0; pass < 5; pass++) {
    let thisPass = 0;
    let pending = 0;
    for (const c of await metadata.listCredentials()) {
      if (opens(to, c) !== null) continue;
      const secret = opens(from, c);
      if (secret === null) throw new ResealError(`credential ${c.accessKey}: its secret opens under neither master key`);
      pending++;
      if (await metadata.replaceSealedSecret(c.accessKey, c.sealedSecret, sealSecret(to, c.accessKey, secret))) thisPass++;
    }
    changed += thisPass;
    if (pending === 0) return changed;
  }
  throw new ResealError('credentials kept changing during the re-seal; run it again');
}

export async function resealAllSecrets(options: {
  metadata: MetadataStore;
  credentials: CredentialService;
  masterKeyPath: string;
}): Promise<ResealResult> {
  const { metadata, credentials, masterKeyPath } = options;
  const old = credentials.currentMasterKey;
  // Nothing is written unless every secret opens under the current key.
  for (const c of await metadata.listCredentials()) {
    if (opens(old, c) === null)
      throw new ResealError(`credential ${c.accessKey} does not open under the current master key; nothing changed`);
  }
  const next = randomBytes(KEY_BYTES);
  await writeKeyFile(nextPath(masterKeyPath), next);
  credentials.useMasterKey(next, old); // new writes seal under next; old secrets still open
  const resealed = await resealUnder(metadata, old, next);
  await rename(nextPath(masterKeyPath), masterKeyPath);
  await fsyncDir(dirname(masterKeyPath));
  credentials.useMasterKey(next, null);
  return { resealed, previousKey: keyFingerprint(old), newKey: keyFingerprint(next) };
}

/**
 * At start-up, before serving: a `<master key>.next` left by a re-seal that did not finish
 * is completed (every secret sealed under it, then renamed over the master key). Returns
 * the key to use: the completed new key, or `current` when there was nothing to finish.
 */
export async function completeInterruptedReseal(metadata: MetadataStore, masterKeyPath: string, current: Buffer): Promise<Buffer> {
  const path = nextPath(masterKeyPath);
  let info;
  try {
    info = await stat(path);
  } catch {
    return current;
  }
  if ((info.mode & 0o077) !== 0 || info.size !== KEY_BYTES) {
    throw new ResealError(`${path} (an interrupted master-key re-seal) is not a 0600 ${KEY_BYTES}-byte key: inspect it`);
  }
  const next = await readFile(path);
  await resealUnder(metadata, current, next);
  await rename(path, masterKeyPath);
  await fsyncDir(dirname(masterKeyPath));
  return next;
}
