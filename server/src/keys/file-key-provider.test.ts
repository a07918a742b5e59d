import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyProvider, KeyFileError, parseKeyFile } from './file-key-provider.js';
import { StaticKeyRing } from './static-key-ring.js';
import { KeyError } from './errors.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'anode-keyfile-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('key file: raw, hex and base64 forms hold the same secret; other contents are refused', () => {
  const secret = randomBytes(32);
  assert.deepEqual(parseKeyFile(secret), secret);
  assert.deepEqual(parseKeyFile(Buffer.from(`${secret.toString('hex')}\n`)), secret);
  assert.deepEqual(parseKeyFile(Buffer.from(`${secret.toString('base64')}\n`)), secret);
  assert.equal(parseKeyFile(randomBytes(31)), null);
  assert.equal(parseKeyFile(Buffer.from('00'.repeat(31))), null);
  assert.equal(parseKeyFile(Buffer.from('not a key')), null);
});

test('key file: missing, empty path, group/world readable, wrong length all refused with the file named', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'enc.key');
    await assert.rejects(FileKeyProvider.open(path), (e: unknown) => e instanceof KeyFileError && e.message.includes(path));
    await assert.rejects(FileKeyProvider.open(''), KeyFileError);
    await writeFile(path, randomBytes(32).toString('hex'), { mode: 0o644 });
    await chmod(path, 0o644);
    await assert.rejects(
      FileKeyProvider.open(path),
      (e: unknown) => e instanceof KeyFileError && /0644/.test(e.message) && e.message.includes(path),
    );
    await chmod(path, 0o640);
    await assert.rejects(FileKeyProvider.open(path), KeyFileError);
    await writeFile(path, 'abcd');
    await chmod(path, 0o600);
    await assert.rejects(FileKeyProvider.open(path), (e: unknown) => e instanceof KeyFileError && /256-bit/.test(e.message));
    await assert.rejects(FileKeyProvider.open(dir), KeyFileError);
  });
});

test('file provider: wrap/unwrap round-trips per (keyId, version); any other pair or a changed byte fails', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'enc.key');
    const secret = randomBytes(32);
    await writeFile(path, `${secret.toString('hex')}\n`, { mode: 0o600 });
    const p = await FileKeyProvider.open(path);
    const dataKey = randomBytes(32);
    const w = await p.wrap('default', 1, dataKey);
    assert.equal(w.length, 60);
    assert.equal(w.includes(dataKey), false);
    assert.deepEqual(await p.unwrap('default', 1, w), dataKey);
    // The same file re-opened (a restart) unwraps it: the KEK is derived, not stored.
    const again = FileKeyProvider.fromSecret(secret);
    assert.deepEqual(await again.unwrap('default', 1, w), dataKey);
    await assert.rejects(p.unwrap('default', 2, w), (e: unknown) => e instanceof KeyError && e.code === 'KeyUnwrapFailed');
    await assert.rejects(p.unwrap('other', 1, w), KeyError);
    const bad = Buffer.from(w);
    bad[20] = bad[20]! ^ 1;
    await assert.rejects(p.unwrap('default', 1, bad), KeyError);
    await assert.rejects(FileKeyProvider.fromSecret(randomBytes(32)).unwrap('default', 1, w), KeyError);
    await p.createVersion('default', 2);
    await p.check();
    await p.close();
  });
});

test('static key ring: only configured keys exist, all at version 1', async () => {
  const ring = new StaticKeyRing(FileKeyProvider.fromSecret(randomBytes(32)), ['default', 'tenant-a']);
  assert.equal(await ring.has('default'), true);
  assert.equal(await ring.has('tenant-a'), true);
  assert.equal(await ring.has('nope'), false);
  const dk = randomBytes(32);
  const w = await ring.wrap(dk);
  assert.deepEqual({ ...w, wrapped: null }, { provider: 'file', keyId: 'default', version: 1, wrapped: null });
  assert.deepEqual(await ring.unwrap(w), dk);
  assert.deepEqual(await ring.unwrap(await ring.wrap(dk, 'tenant-a')), dk);
  await assert.rejects(ring.wrap(dk, 'nope'), (e: unknown) => e instanceof KeyError && e.code === 'KeyNotFound');
  await assert.rejects(ring.unwrap({ ...w, provider: 'pkcs11' }), KeyError);
});
