// Process discovery against a hand-made /proc tree (and once against the real one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findAnodeProcesses, isAnodeServer, processDataDir } from './anode-process.js';

function fakeProc(root: string, pid: number, argv: string[], uid: number, cwd: string, env?: Record<string, string>): void {
  const dir = join(root, String(pid));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cmdline'), `${argv.join('\0')}\0`);
  writeFileSync(join(dir, 'status'), `Name:\tnode\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t0\t0\t0\t0\n`);
  symlinkSync(cwd, join(dir, 'cwd'));
  if (env !== undefined)
    writeFileSync(
      join(dir, 'environ'),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\0`)
        .join(''),
    );
}

test('isAnodeServer knows the server binary in its two forms and nothing else', () => {
  assert.equal(isAnodeServer(['/usr/bin/node', '/opt/anode/server/dist/main.js', 'server', '--data', '/d']), true);
  assert.equal(isAnodeServer(['/usr/local/bin/anode', 'server']), true);
  assert.equal(isAnodeServer(['anode', 'admin', 'reset-root']), false);
  assert.equal(isAnodeServer(['node', 'cli/src/bin.ts', 'audit', 'checklist']), false);
  assert.equal(isAnodeServer(['vim', 'server/dist/main.js']), false);
});

test('findAnodeProcesses reads uid, argv, cwd, env and resolves --data against the cwd', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fake-proc-'));
  fakeProc(root, 100, ['node', '/opt/anode/server/dist/main.js', 'server', '--data', 'rel/data'], 998, '/var/lib/anode', {
    ANODE_ROOT_SECRET_KEY: 's',
    PATH: '/bin',
  });
  fakeProc(root, 101, ['node', '/opt/anode/server/dist/main.js', 'server', '--config=/etc/a.toml'], 0, '/srv', undefined);
  fakeProc(root, 102, ['bash'], 0, '/', {});
  mkdirSync(join(root, 'self'));
  const found = (await findAnodeProcesses(root)).sort((a, b) => a.pid - b.pid);
  assert.equal(found.length, 2);
  assert.deepEqual(
    [found[0]?.pid, found[0]?.uid, found[0]?.dataDir, found[0]?.env?.['ANODE_ROOT_SECRET_KEY']],
    [100, 998, '/var/lib/anode/rel/data', 's'],
  );
  assert.deepEqual([found[1]?.uid, found[1]?.configFile, found[1]?.env], [0, '/etc/a.toml', undefined]);
  assert.equal(processDataDir(found[1]!), undefined);
});

test('a missing /proc gives an empty list, not an error', async () => {
  assert.deepEqual(await findAnodeProcesses('/nonexistent-proc'), []);
});
