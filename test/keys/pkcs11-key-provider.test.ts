import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Pkcs11KeyProvider, kekLabel } from '../../server/src/keys/pkcs11-key-provider.js';
import { KeyError } from '../../server/src/keys/errors.js';
import { createSoftHsmToken, missingSoftHsm, SOFTHSM_MODULE, type SoftHsmToken } from '../helpers/softhsm.js';

const skip = missingSoftHsm();

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if ((await stat(p)).isFile()) out.push(p);
  }
  return out;
}

function isKeyError(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof KeyError, `expected a KeyError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

describe('PKCS#11 key provider against SoftHSM2', { skip }, () => {
  let token: SoftHsmToken;
  before(async () => {
    token = await createSoftHsmToken('anode-unit');
    process.env['SOFTHSM2_CONF'] = token.conf; // read by the module at C_Initialize
  });
  after(async () => {
    delete process.env['SOFTHSM2_CONF'];
    await token?.cleanup();
  });

  const options = () => ({ module: SOFTHSM_MODULE, slot: null, tokenLabel: token.label, pin: token.pin });

  test('round trip: wrap and unwrap under two versions; the KEK is never extractable; wrapped keys bind their label', async () => {
    const p = await Pkcs11KeyProvider.open(options());
    try {
      await p.check();
      await p.createVersion('default', 1);
      await p.createVersion('default', 1); // idempotent
      await p.createVersion('default', 2);
      const dataKey = randomBytes(32);
      const w1 = await p.wrap('default', 1, dataKey);
      const w2 = await p.wrap('default', 2, dataKey);
      assert.equal(w1.length, 1 + 12 + 32 + 16);
      assert.notDeepEqual(w1, w2);
      assert.ok(!w1.includes(dataKey), 'the wrapped form does not contain the data key');
      assert.deepEqual(await p.unwrap('default', 1, w1), dataKey);
      assert.deepEqual(await p.unwrap('default', 2, w2), dataKey);
      // Under the other version, or altered: a clean KeyUnwrapFailed, never other bytes.
      await assert.rejects(p.unwrap('default', 2, w1), isKeyError('KeyUnwrapFailed'));
      const flipped = Buffer.from(w1);
      flipped[20]! ^= 1;
      await assert.rejects(p.unwrap('default', 1, flipped), isKeyError('KeyUnwrapFailed'));
      await assert.rejects(p.unwrap('default', 1, Buffer.from([9, 9, 9])), isKeyError('KeyUnwrapFailed'));
      await assert.rejects(p.wrap('nokey', 1, dataKey), isKeyError('KeyNotFound'));

      // The token itself says the KEK is sensitive and not extractable.
      const r = await import('node:child_process').then((cp) =>
        cp.spawnSync(
          'pkcs11-tool',
          ['--module', SOFTHSM_MODULE, '--token-label', token.label, '--login', '--pin', token.pin, '-O', '--type', 'secrkey'],
          {
            env: { ...process.env, SOFTHSM2_CONF: token.conf },
            encoding: 'utf8',
          },
        ),
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(kekLabel('default', 2)));
      assert.match(r.stdout, /Access:\s+.*sensitive.*never extractable/s);
      // The data key never reaches the token directory either (it is only encrypted there, never stored).
      for (const f of await filesUnder(token.tokenDir)) assert.ok(!(await readFile(f)).includes(dataKey), `${f} holds the data key`);
    } finally {
      await p.close();
    }
  });

  test('a wrong PIN is a clean KeyProviderUnavailable that never shows the PIN', async () => {
    const err = await Pkcs11KeyProvider.open({ ...options(), pin: 'wrong-pin-1234' }).then(
      () => assert.fail('opened with a wrong PIN'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof KeyError);
    assert.equal(err.code, 'KeyProviderUnavailable');
    assert.match(err.message, /PIN/);
    assert.ok(!err.message.includes('wrong-pin-1234'));
    // The right PIN still works after the failure.
    const p = await Pkcs11KeyProvider.open(options());
    await p.close();
  });

  test('an unknown token label, slot or module is KeyProviderUnavailable', async () => {
    await assert.rejects(Pkcs11KeyProvider.open({ ...options(), tokenLabel: 'no-such-token' }), isKeyError('KeyProviderUnavailable'));
    await assert.rejects(Pkcs11KeyProvider.open({ ...options(), tokenLabel: '', slot: 424242 }), isKeyError('KeyProviderUnavailable'));
    await assert.rejects(
      Pkcs11KeyProvider.open({ ...options(), module: '/nonexistent/libpkcs11.so' }),
      isKeyError('KeyProviderUnavailable'),
    );
  });

  test('a removed token: reconnecting (restart, or after the session dropped) fails cleanly with KeyProviderUnavailable', async () => {
    const spare = await createSoftHsmToken('anode-gone');
    const saved = process.env['SOFTHSM2_CONF'];
    process.env['SOFTHSM2_CONF'] = spare.conf;
    try {
      const opts = { module: SOFTHSM_MODULE, slot: null, tokenLabel: spare.label, pin: spare.pin };
      const p = await Pkcs11KeyProvider.open(opts);
      await p.createVersion('default', 1);
      const w = await p.wrap('default', 1, randomBytes(32));
      await p.close();
      spare.deleteToken();
      // SoftHSM keeps an open session's token in memory, so the loss shows on the next connect.
      await assert.rejects(p.check(), isKeyError('KeyProviderUnavailable'));
      await assert.rejects(p.wrap('default', 1, randomBytes(32)), isKeyError('KeyProviderUnavailable'));
      await assert.rejects(p.unwrap('default', 1, w), isKeyError('KeyProviderUnavailable'));
      await assert.rejects(Pkcs11KeyProvider.open(opts), isKeyError('KeyProviderUnavailable'));
    } finally {
      process.env['SOFTHSM2_CONF'] = saved;
      await spare.cleanup();
    }
  });
});
