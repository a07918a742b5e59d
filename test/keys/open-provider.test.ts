import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/src/config/load.js';
import { keyProviderKind, openKeyProvider, readPin } from '../../server/src/keys/open-provider.js';
import { KeyError } from '../../server/src/keys/errors.js';
import { createSoftHsmToken, missingSoftHsm, type SoftHsmToken } from '../helpers/softhsm.js';

describe('choosing and opening the key provider', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'anode-openprov-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('key_provider: "" is none without encryption and "file" with it; explicit names win; others are a config error', async () => {
    assert.equal(keyProviderKind(await loadConfig({ env: {} })), null);
    assert.equal(keyProviderKind(await loadConfig({ env: { ANODE_STORAGE_ENCRYPTION: 'true' } })), 'file');
    assert.equal(keyProviderKind(await loadConfig({ env: { ANODE_STORAGE_KEY_PROVIDER: 'pkcs11' } })), 'pkcs11');
    await assert.rejects(loadConfig({ env: { ANODE_STORAGE_KEY_PROVIDER: 'vault' } }), /storage\.key_provider must be/);
  });

  test('the file provider refuses a missing or group-readable key file, and wrong sizes', async () => {
    const path = join(dir, 'enc.key');
    const cfg = await loadConfig({ env: { ANODE_STORAGE_KEY_PROVIDER: 'file', ANODE_STORAGE_ENCRYPTION_KEY: path } });
    await assert.rejects(openKeyProvider(cfg, {}), /cannot be read \(ENOENT\); create one with "anodectl keys generate/);
    await writeFile(path, randomBytes(32), { mode: 0o640 });
    await chmod(path, 0o640);
    await assert.rejects(openKeyProvider(cfg, {}), /accessible by group or others/);
    await chmod(path, 0o600);
    const p = await openKeyProvider(cfg, {});
    assert.equal(p?.kind, 'file');
    await p?.close();
    await writeFile(path, randomBytes(31), { mode: 0o600 });
    await assert.rejects(openKeyProvider(cfg, {}), /does not hold a 256-bit key/);
  });

  test('the PKCS#11 PIN: ANODE_PKCS11_PIN wins over pkcs11_pin_file; the file must be 0600; one trailing newline is dropped', async () => {
    const pinFile = join(dir, 'pin');
    await writeFile(pinFile, '1234-from-file\n', { mode: 0o600 });
    const cfg = await loadConfig({ env: { ANODE_STORAGE_KEY_PROVIDER: 'pkcs11', ANODE_STORAGE_PKCS11_PIN_FILE: pinFile } });
    assert.equal(await readPin(cfg, {}), '1234-from-file');
    assert.equal(await readPin(cfg, { ANODE_PKCS11_PIN: 'from-env' }), 'from-env');
    await chmod(pinFile, 0o644);
    await assert.rejects(readPin(cfg, {}), (e: unknown) => e instanceof KeyError && /PIN file .* accessible by group/.test(e.message));
    const none = await loadConfig({ env: { ANODE_STORAGE_KEY_PROVIDER: 'pkcs11' } });
    await assert.rejects(readPin(none, {}), /needs a PIN: set ANODE_PKCS11_PIN or storage.pkcs11_pin_file/);
  });

  describe('opening PKCS#11 from the config', { skip: missingSoftHsm() }, () => {
    let token: SoftHsmToken;
    before(async () => {
      token = await createSoftHsmToken('anode-open');
      process.env['SOFTHSM2_CONF'] = token.conf;
    });
    after(async () => {
      delete process.env['SOFTHSM2_CONF'];
      await token?.cleanup();
    });

    test('token label and a PIN file open the token; a wrong PIN from the file is KeyProviderUnavailable without the PIN', async () => {
      const pinFile = join(dir, 'pin-ok');
      await writeFile(pinFile, `${token.pin}\n`, { mode: 0o600 });
      const env = {
        ANODE_STORAGE_KEY_PROVIDER: 'pkcs11',
        ANODE_STORAGE_PKCS11_TOKEN_LABEL: token.label,
        ANODE_STORAGE_PKCS11_PIN_FILE: pinFile,
      };
      const p = await openKeyProvider(await loadConfig({ env }), {});
      assert.equal(p?.kind, 'pkcs11');
      await p?.createVersion('default', 1);
      const w = await p!.wrap('default', 1, Buffer.alloc(32, 3));
      assert.deepEqual(await p!.unwrap('default', 1, w), Buffer.alloc(32, 3));
      await p?.close();
      const err = await openKeyProvider(await loadConfig({ env }), { ANODE_PKCS11_PIN: 'bad-pin-000' }).catch((e: unknown) => e);
      assert.ok(err instanceof KeyError && err.code === 'KeyProviderUnavailable');
      assert.ok(!err.message.includes('bad-pin-000'));
    });
  });
});
