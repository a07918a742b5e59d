import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadOrCreateMasterKey, openSecret, sealSecret } from './secret-box.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ACCESS = 'AKIAIOSFODNN7EXAMPLE';

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'anode-secretbox-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('seal then open returns the secret; the sealed bytes do not contain it', () => {
  const key = randomBytes(32);
  const sealed = sealSecret(key, ACCESS, SECRET);
  assert.equal(openSecret(key, ACCESS, sealed), SECRET);
  assert.equal(sealed.includes(Buffer.from(SECRET)), false);
  assert.equal(sealed.length, 1 + 12 + SECRET.length + 16);
});

test('sealing twice uses a fresh nonce each time', () => {
  const key = randomBytes(32);
  const a = sealSecret(key, ACCESS, SECRET);
  const b = sealSecret(key, ACCESS, SECRET);
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(a.subarray(1, 13), b.subarray(1, 13));
});

test('any altered byte is detected', () => {
  const key = randomBytes(32);
  const sealed = sealSecret(key, ACCESS, SECRET);
  for (let i = 1; i < sealed.length; i++) {
    const tampered = Buffer.from(sealed);
    tampered[i] = (tampered[i] ?? 0) ^ 0x01;
    assert.throws(() => openSecret(key, ACCESS, tampered), { name: 'SealedSecretError' });
  }
  assert.throws(() => openSecret(key, ACCESS, sealed.subarray(0, 20)), { name: 'SealedSecretError' });
  assert.throws(() => openSecret(key, ACCESS, Buffer.concat([sealed, Buffer.from([0])])), { name: 'SealedSecretError' });
});

test('a sealed secret cannot be moved to another access key or opened with another master key', () => {
  const key = randomBytes(32);
  const sealed = sealSecret(key, ACCESS, SECRET);
  assert.throws(() => openSecret(key, 'AKIAOTHERKEY00000000', sealed), { name: 'SealedSecretError' });
  assert.throws(() => openSecret(randomBytes(32), ACCESS, sealed), { name: 'SealedSecretError' });
});

test('error messages never contain the secret or the key', () => {
  const key = randomBytes(32);
  const sealed = sealSecret(key, ACCESS, SECRET);
  try {
    openSecret(key, 'AKIAOTHERKEY00000000', sealed);
    assert.fail('should throw');
  } catch (err) {
    const text = String(err) + JSON.stringify(err);
    assert.equal(text.includes(SECRET), false);
    assert.equal(text.includes(key.toString('hex')), false);
  }
  assert.throws(() => sealSecret(randomBytes(16), ACCESS, SECRET), { name: 'MasterKeyError' });
});

test('loadOrCreateMasterKey creates a 32-byte 0600 key once and then reads the same key', () =>
  withDir(async (dir) => {
    const path = join(dir, 'metadata', 'master.key');
    const key = await loadOrCreateMasterKey(path);
    assert.equal(key.length, 32);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readFile(path), key);
    assert.deepEqual(await loadOrCreateMasterKey(path), key);
  }));

test('concurrent first starts agree on one key (O_EXCL)', () =>
  withDir(async (dir) => {
    const path = join(dir, 'master.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateMasterKey(path)));
    for (const k of keys) assert.deepEqual(k, keys[0]);
  }));

test('a key file readable by group or others is refused with an error naming the path', () =>
  withDir(async (dir) => {
    const path = join(dir, 'master.key');
    const key = await loadOrCreateMasterKey(path);
    for (const mode of [0o640, 0o604, 0o644]) {
      await chmod(path, mode);
      await assert.rejects(loadOrCreateMasterKey(path), (err: Error) => {
        assert.equal(err.name, 'MasterKeyError');
        assert.ok(err.message.includes(path));
        assert.equal(err.message.includes(key.toString('hex')), false);
        assert.equal(err.message.includes(key.toString('base64')), false);
        return true;
      });
    }
    await chmod(path, 0o400);
    assert.deepEqual(await loadOrCreateMasterKey(path), key);
  }));

test('a key file of the wrong length is refused', () =>
  withDir(async (dir) => {
    const path = join(dir, 'master.key');
    await writeFile(path, randomBytes(31), { mode: 0o600 });
    await assert.rejects(loadOrCreateMasterKey(path), (err: Error) => err.name === 'MasterKeyError' && err.message.includes(path));
    await writeFile(path, randomBytes(33), { mode: 0o600 });
    await assert.rejects(loadOrCreateMasterKey(path), { name: 'MasterKeyError' });
  }));
