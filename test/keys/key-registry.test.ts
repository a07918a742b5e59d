import { describe, test, beforeEach, afterEach, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMetadataStore } from '../../server/src/metadata/sqlite/sqlite-metadata-store.js';
import { FileKeyProvider } from '../../server/src/keys/file-key-provider.js';
import { Pkcs11KeyProvider } from '../../server/src/keys/pkcs11-key-provider.js';
import { KeyRegistry } from '../../server/src/keys/key-registry.js';
import { KeyRewrapper } from '../../server/src/keys/key-rewrap.js';
import { KeyError } from '../../server/src/keys/errors.js';
import type { KeyProvider } from '../../server/src/keys/key-provider.js';
import { createSoftHsmToken, missingSoftHsm, SOFTHSM_MODULE, type SoftHsmToken } from '../helpers/softhsm.js';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function registrySuite(name: string, makeProvider: (dir: string) => Promise<KeyProvider>, skip: string | false = false): void {
  describe(`key registry over the ${name} provider`, { skip }, () => {
    let dir: string;
    let store: SqliteMetadataStore;
    let provider: KeyProvider;
    let registry: KeyRegistry;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'anode-keys-'));
      store = await SqliteMetadataStore.open(dir);
      provider = await makeProvider(dir);
      registry = await KeyRegistry.open(store, provider);
    });
    afterEach(async () => {
      await provider.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });

    test("'default' always exists; wrap uses the newest version, unwrap any version not retired", async () => {
      assert.equal(await registry.has('default'), true);
      assert.equal(await registry.has('nope'), false);
      const dk = randomBytes(32);
      const w1 = await registry.wrap(dk);
      assert.deepEqual([w1.keyId, w1.version, w1.provider], ['default', 1, provider.kind]);
      assert.equal(await registry.rotate('default'), 2);
      const w2 = await registry.wrap(dk);
      assert.equal(w2.version, 2);
      assert.deepEqual(await registry.unwrap(w1), dk);
      assert.deepEqual(await registry.unwrap(w2), dk);
      await assert.rejects(registry.wrap(dk, 'nope'), (e: unknown) => e instanceof KeyError && e.code === 'KeyNotFound');
      await assert.rejects(registry.unwrap({ ...w1, version: 7 }), (e: unknown) => e instanceof KeyError && e.code === 'KeyNotFound');
      await assert.rejects(
        registry.unwrap({ ...w1, provider: 'vault' }),
        (e: unknown) => e instanceof KeyError && e.code === 'KeyProviderUnavailable',
      );
    });

    test('named keys: create, exists, invalid names refused', async () => {
      assert.equal(await registry.create('alias/photos'), 'created');
      assert.equal(await registry.create('alias/photos'), 'exists');
      assert.equal(await registry.has('alias/photos'), true);
      await assert.rejects(registry.create('../x'), KeyError);
      await assert.rejects(registry.create(''), KeyError);
      const w = await registry.wrap(Buffer.alloc(32, 1), 'alias/photos');
      assert.equal(w.keyId, 'alias/photos');
    });

    test('data keys written under three versions: all readable; rewrap moves every one to the newest; old versions retire only then', async () => {
      const keys = new Map<string, Buffer>();
      for (let v = 1; v <= 3; v++) {
        if (v > 1) await registry.rotate('default');
        for (let i = 0; i < 25; i++) {
          const dk = randomBytes(32);
          const ref = `obj/${v}/${i}`;
          keys.set(ref, dk);
          await registry.store(ref, dk);
        }
      }
      assert.deepEqual(
        (await store.countWrappedKeys()).map((c) => [c.version, c.count]),
        [
          [1, 25],
          [2, 25],
          [3, 25],
        ],
      );
      for (const [ref, dk] of keys) assert.deepEqual(await registry.load(ref), dk);
      // No raw data key in any file the store wrote (database, WAL, everything under the data dir).
      await store.putSetting('flush', '1');
      const files = await filesUnder(dir);
      assert.ok(files.some((f) => f.endsWith('anode.db')));
      for (const f of files) {
        const bytes = await readFile(f);
        for (const dk of keys.values()) assert.ok(!bytes.includes(dk), `${f} holds a plaintext data key`);
      }
      assert.equal(await registry.retire('default', 1), 'in-use');
      assert.equal(await registry.retire('default', 3), 'current');

      const rewrapper = new KeyRewrapper(registry);
      const finished: unknown[] = [];
      rewrapper.onFinish = (s) => finished.push(s);
      const started = await rewrapper.start('default');
      assert.equal(started.joined, false);
      assert.equal(started.status.total, 50);
      const joined = await rewrapper.start('default');
      assert.equal(joined.joined, true);
      const done = await started.done;
      assert.deepEqual([done.running, done.rewrapped, done.failed, done.toVersion], [false, 50, 0, 3]);
      assert.equal(finished.length, 1);
      assert.deepEqual(
        (await store.countWrappedKeys()).map((c) => [c.version, c.count]),
        [[3, 75]],
      );
      for (const [ref, dk] of keys) assert.deepEqual(await registry.load(ref), dk, `${ref} after rewrap`);
      assert.equal(await registry.retire('default', 1), 'retired');
      assert.equal(await registry.retire('default', 2), 'retired');
      const key = await registry.get('default', true);
      assert.deepEqual(
        key?.versions.map((v) => v.state),
        ['retired', 'retired', 'active'],
      );
      // A (hypothetical) key still wrapped under a retired version no longer unwraps.
      const old = await provider.wrap('default', 1, randomBytes(32));
      await assert.rejects(
        registry.unwrap({ provider: provider.kind, keyId: 'default', version: 1, wrapped: old }),
        (e: unknown) => e instanceof KeyError && e.code === 'KeyNotFound',
      );
      // Nothing left to rewrap: a second run does nothing.
      const again = await (await rewrapper.start('default')).done;
      assert.deepEqual([again.total, again.rewrapped], [0, 0]);
    });

    test('a rewrap never overwrites a key written (or rewrapped) meanwhile', async () => {
      const dk = randomBytes(32);
      await registry.store('r', dk);
      await registry.rotate('default');
      const stale = await store.getWrappedKey('r');
      const fresh = randomBytes(32);
      await registry.store('r', fresh); // a new write under v2 lands first
      assert.equal(await registry.rewrapOne(stale!, 2), 'skipped');
      assert.deepEqual(await registry.load('r'), fresh);
    });
  });
}

registrySuite('file', async (dir) => {
  const path = join(dir, 'encryption.key');
  await writeFile(path, randomBytes(32), { mode: 0o600 });
  return FileKeyProvider.open(path);
});

let token: SoftHsmToken | undefined;
before(async () => {
  if (missingSoftHsm() !== false) return;
  token = await createSoftHsmToken('anode-registry');
  process.env['SOFTHSM2_CONF'] = token.conf;
});
after(async () => {
  await token?.cleanup();
});
registrySuite(
  'pkcs11',
  async () => Pkcs11KeyProvider.open({ module: SOFTHSM_MODULE, slot: null, tokenLabel: token!.label, pin: token!.pin }),
  missingSoftHsm(),
);
