/**
 * A private SoftHSM2 token for one test: its own token directory and config file under a
 * temp dir (SOFTHSM2_CONF), so tests never touch the machine's tokens and never share one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmToken {
  dir: string;
  conf: string;
  tokenDir: string;
  label: string;
  pin: string;
  soPin: string;
  /** Environment for a process using this token. */
  env: Record<string, string>;
  /** Deletes the token (an HSM that went away). */
  deleteToken(): void;
  cleanup(): Promise<void>;
}

/** A skip reason when SoftHSM2 is absent — on a developer's machine only; in CI it must be there. */
export function missingSoftHsm(): string | false {
  if (process.env['CI'] === 'true') return false;
  return existsSync(SOFTHSM_MODULE) ? false : 'softhsm2 is not installed (see scripts/ci-deps.sh)';
}

function util(conf: string, args: string[]): string {
  const r = spawnSync('softhsm2-util', args, { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`softhsm2-util ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export async function createSoftHsmToken(label = 'anode-test'): Promise<SoftHsmToken> {
  const dir = await mkdtemp(join(tmpdir(), 'anode-hsm-'));
  const tokenDir = join(dir, 'tokens');
  await mkdir(tokenDir, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const pin = '4321-test';
  const soPin = '8765-test-so';
  util(conf, ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin]);
  return {
    dir,
    conf,
    tokenDir,
    label,
    pin,
    soPin,
    env: { SOFTHSM2_CONF: conf },
    deleteToken: () => void util(conf, ['--delete-token', '--token', label]),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
