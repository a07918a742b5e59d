/**
 * Reading and writing certificate/key files. Keys are written 0600 from the moment
 * they exist; existing files are never replaced unless the operator said --force.
 */
import { access, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/atomic-write.js';
import type { PemPair } from './ca.js';

/** Default directory for `certs init-ca --out` and `certs issue --out` (and what `issue --ca` usually names). */
export const DEFAULT_CERT_DIR = 'anode-certs';

export class WouldOverwriteError extends Error {
  override name = 'WouldOverwriteError';
  constructor(readonly paths: string[]) {
    super(`refusing to overwrite ${paths.join(' and ')}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export interface WrittenPair {
  certPath: string;
  keyPath: string;
}

/** Throws WouldOverwriteError when <dir>/<base>.crt or .key exists (checked before slow key generation). */
export async function assertPairAbsent(dir: string, base: string): Promise<void> {
  const taken = [];
  for (const path of [join(dir, `${base}.crt`), join(dir, `${base}.key`)]) if (await exists(path)) taken.push(path);
  if (taken.length > 0) throw new WouldOverwriteError(taken);
}

/** Writes <dir>/<base>.crt (0644) and <dir>/<base>.key (0600). */
export async function writePemPair(dir: string, base: string, pair: PemPair, options: { force: boolean }): Promise<WrittenPair> {
  const certPath = join(dir, `${base}.crt`);
  const keyPath = join(dir, `${base}.key`);
  if (!options.force) await assertPairAbsent(dir, base);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // Key first: a certificate without its key is useless, the reverse is merely incomplete.
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
  return { certPath, keyPath };
}

/** Reads ca.crt and ca.key from a directory made by `certs init-ca`; warns when ca.key is readable by others. */
export async function readCaDir(dir: string): Promise<{ pair: PemPair; warnings: string[] }> {
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  const warnings: string[] = [];
  const mode = (await stat(keyPath)).mode & 0o777;
  if ((mode & 0o077) !== 0)
    warnings.push(`${keyPath} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 on it`);
  return { pair: { certPem, keyPem }, warnings };
}
