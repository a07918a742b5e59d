/**
 * Runs external clients (aws-cli, boto3, s3cmd, rclone) with a timeout and an
 * environment built from scratch, so nothing from the developer's own AWS/rclone/s3cmd
 * configuration (profiles, endpoints, credentials) leaks into a test.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
  input?: string;
}

export class CommandTimeoutError extends Error {
  override readonly name = 'CommandTimeoutError';
}

/** Runs a command to completion; kills its whole process group on timeout. */
export function runCommand(cmd: string, args: readonly string[], opts: RunOptions): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills helpers it spawned too
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (timedOut) {
        reject(
          new CommandTimeoutError(
            `${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
          ),
        );
      } else resolve(result);
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Like runCommand, but throws with both output streams when the exit code is not 0. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions): Promise<CommandResult> {
  const r = await runCommand(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return r;
}

/** Fails loudly (never skips) when a client tool is missing, naming the Debian package. */
export function requireTool(path: string, debianPackage: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install the Debian package '${debianPackage}' (scripts/ci-deps.sh does)`);
  }
}

export interface ClientCredentials {
  accessKey: string;
  secretKey: string;
}

/**
 * A minimal environment for a client process: a fresh HOME with empty AWS config
 * files, the node's credentials, region us-east-1, no pager, no instance metadata.
 */
export async function isolatedClientEnv(creds: ClientCredentials): Promise<Record<string, string>> {
  const home = await mkdtemp(join(tmpdir(), 'anode-client-home-'));
  const awsConfig = join(home, 'aws-config');
  const awsCredentials = join(home, 'aws-credentials');
  await writeFile(awsConfig, '');
  await writeFile(awsCredentials, '');
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TMPDIR: home,
    AWS_ACCESS_KEY_ID: creds.accessKey,
    AWS_SECRET_ACCESS_KEY: creds.secretKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: awsConfig,
    AWS_SHARED_CREDENTIALS_FILE: awsCredentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}
