/**
 * Certificates for cluster tests, made the way an operator makes them: `anodectl certs
 * init-ca` and `anodectl certs issue` (cli/dist, so run `npm run build` first).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './anode-node.js';

const run = promisify(execFile);
export const ANODECTL = join(REPO_ROOT, 'cli', 'dist', 'bin.js');

export interface NodeCert {
  cert: string;
  key: string;
}

export interface ClusterCa {
  dir: string;
  /** ca.crt of this CA. */
  caCert: string;
  /** Issues (or, with force, re-issues) `<name>.crt/.key` for 127.0.0.1 and localhost. */
  issue(name: string, opts?: { force?: boolean; days?: number }): Promise<NodeCert>;
  cleanup(): Promise<void>;
}

export async function makeClusterCa(cn = 'Anode Test CA'): Promise<ClusterCa> {
  const dir = await mkdtemp(join(tmpdir(), 'anode-ca-'));
  const caDir = join(dir, 'ca');
  await run(process.execPath, [ANODECTL, 'certs', 'init-ca', '--out', caDir, '--cn', cn, '--days', '30']);
  return {
    dir,
    caCert: join(caDir, 'ca.crt'),
    async issue(name, opts = {}) {
      const out = join(dir, 'nodes');
      await run(process.execPath, [
        ANODECTL,
        '--ca',
        caDir,
        'certs',
        'issue',
        name,
        '--ip',
        '127.0.0.1',
        '--dns',
        'localhost',
        '--out',
        out,
        '--days',
        String(opts.days ?? 10),
        ...(opts.force === true ? ['--force'] : []),
      ]);
      return { cert: join(out, `${name}.crt`), key: join(out, `${name}.key`) };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
