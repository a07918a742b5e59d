/**
 * Runs anodectl as a real process, the way an operator or a script does. By default the
 * TypeScript source through tsx; set ANODECTL_BIN=cli/dist/bin.js to test the build.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_BIN = join(REPO, 'cli/src/bin.ts');
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** A throwaway HOME/XDG config so tests never read or write the real ~/.config/anode. */
export function isolatedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'anodectl-home-'));
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...extra };
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const built = process.env['ANODECTL_BIN'];
  const argv = built === undefined || built === '' ? ['--import', TSX, SOURCE_BIN, ...args] : [resolve(REPO, built), ...args];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, argv, {
      cwd: options.cwd ?? REPO,
      env: options.env ?? isolatedEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
