// The anodectl process itself: exit codes end to end, a closed stdout pipe, no colour
// codes when piped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { isolatedEnv, REPO, runCli } from './run-cli.js';

test('exit codes: 0 for --version and --help, 2 for usage errors', async () => {
  assert.equal((await runCli(['--version'])).code, 0);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: anodectl/);
  const bogus = await runCli(['frobnicate']);
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /unknown command 'frobnicate'/);
  assert.equal((await runCli(['certs', 'inspect'])).code, 2);
});

test('a reader that closes the pipe early ends anodectl quietly (exit 0, no stack trace)', async () => {
  const cidrs = Array.from({ length: 4000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      join(REPO, 'cli/src/bin.ts'),
      'firewall',
      '--format',
      'iptables',
      '--admin-cidr',
      '192.168.0.0/16',
      '--cluster-cidr',
      ...cidrs,
    ],
    {
      env: isolatedEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|at .*\.(ts|js):\d+/);
});

test('no ANSI colour codes when stdout and stderr are pipes, even for errors', async () => {
  const r = await runCli(['certs', 'inspect', '/nonexistent/x.crt'], { env: isolatedEnv({ TERM: 'xterm-256color' }) });
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'error: /nonexistent/x.crt: no such file or directory\n');
});
