// `anodectl keys generate --out PATH`: purely local, 32 random bytes, 0600 whatever the umask, never over a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnv, runCli } from './run-cli.js';

test('keys generate writes a new 32-byte 0600 key, refuses to overwrite, and needs no server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'anode-keygen-'));
  try {
    // No endpoint, no credentials: a node is never contacted.
    const env = isolatedEnv({ ANODE_ENDPOINT: 'http://127.0.0.1:1' });
    const out = join(dir, 'encryption.key');
    const r = await runCli(['keys', 'generate', '--out', out], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote a new 32-byte key/);
    const first = readFileSync(out);
    assert.equal(first.length, 32);
    assert.equal(statSync(out).mode & 0o777, 0o600);

    const again = await runCli(['keys', 'generate', '--out', out, '--json'], { env });
    assert.equal(again.code, 5, 'ConflictError');
    assert.match(again.stderr, /already exists: a key file is never overwritten/);
    assert.deepEqual(readFileSync(out), first, 'the existing key is untouched');

    const other = join(dir, 'other.key');
    writeFileSync(other, 'not a key');
    assert.equal((await runCli(['keys', 'generate', '--out', other], { env })).code, 5);
    assert.equal(readFileSync(other, 'utf8'), 'not a key');

    const second = join(dir, 'second.key');
    const j = await runCli(['keys', 'generate', '--out', second, '--json'], { env });
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), { path: second, bytes: 32, mode: '0600' });
    assert.notDeepEqual(readFileSync(second), first, 'every key is new');

    const missingDir = await runCli(['keys', 'generate', '--out', join(dir, 'nope', 'k')], { env });
    assert.equal(missingDir.code, 1);
    assert.match(missingDir.stderr, /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keys retire takes --version N as the key version, while anodectl --version still prints the version', async () => {
  const env = isolatedEnv();
  const v = await runCli(['--version'], { env });
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+/);
  // Parsed as the key version: it gets as far as needing a credential (exit 4), not printing a version.
  const r = await runCli(['keys', 'retire', 'default', '--version', '2'], { env });
  assert.doesNotMatch(r.stdout, /^\d+\.\d+\.\d+/);
  assert.match(r.stderr, /no credentials/);
  const bad = await runCli(['keys', 'retire', 'default', '--version', 'x'], { env });
  assert.notEqual(bad.code, 0);
});
