/**
 * Key management end to end on a real node: the PKCS#11 provider over a private SoftHSM2
 * token, `anodectl keys ...` against it, the audit trail, the metric, `anodectl status`,
 * the credential master key kept out of the data directory, and the one-time migration of
 * an old node's <data>/metadata/master.key.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AdminClient } from '@anode/shared/admin-api/index';
import { startNode, SERVER_MAIN, type AnodeNode } from '../helpers/anode-node.js';
import { createSoftHsmToken, missingSoftHsm, SOFTHSM_MODULE, type SoftHsmToken } from '../helpers/softhsm.js';
import { isolatedEnv, runCli } from '../cli/run-cli.js';
import { SqliteMetadataStore } from '../../server/src/metadata/sqlite/sqlite-metadata-store.js';
import { Pkcs11KeyProvider } from '../../server/src/keys/pkcs11-key-provider.js';
import { KeyRegistry } from '../../server/src/keys/key-registry.js';
import { MASTER_KEY_REF } from '../../server/src/model/credential-master-key.js';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function auditLines(node: AnodeNode): Promise<Record<string, unknown>[]> {
  const text = existsSync(node.auditLog) ? await readFile(node.auditLog, 'utf8') : '';
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function adminOf(node: AnodeNode): AdminClient {
  return new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
}

/** The XDG default of a test node: its HOME is the parent of its data directory. */
function defaultMasterKeyOf(node: AnodeNode): string {
  return join(dirname(node.dataDir), '.config', 'anode', 'master.key');
}

const skip = missingSoftHsm();

describe('keys on a node with the PKCS#11 provider (SoftHSM2)', { skip }, () => {
  let token: SoftHsmToken;
  let node: AnodeNode;
  let cli: (args: string[]) => ReturnType<typeof runCli>;

  before(async () => {
    token = await createSoftHsmToken('anode-node');
    node = await startNode({
      env: {
        ...token.env,
        ANODE_STORAGE_KEY_PROVIDER: 'pkcs11',
        ANODE_STORAGE_PKCS11_MODULE: SOFTHSM_MODULE,
        ANODE_STORAGE_PKCS11_TOKEN_LABEL: token.label,
        ANODE_PKCS11_PIN: token.pin,
      },
    });
    const env = isolatedEnv({ ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey });
    cli = (args) => runCli(args, { env });
  });
  after(async () => {
    await node?.cleanup();
    await token?.cleanup();
  });

  test('status: provider reachable, master key wrapped by it, nothing in the data dir or the XDG dir; the PIN is never logged', async () => {
    const st = await adminOf(node).getStatus();
    assert.equal(st.encryption.provider, 'pkcs11');
    assert.equal(st.encryption.provider_reachable, true);
    assert.equal(st.encryption.master_key, 'provider:pkcs11');
    assert.deepEqual(
      st.encryption.keys.map((k) => [k.name, k.current_version]),
      [['default', 1]],
    );
    assert.equal(existsSync(join(node.dataDir, 'metadata', 'master.key')), false);
    assert.equal(existsSync(defaultMasterKeyOf(node)), false);
    const human = await cli(['status']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Key provider:\s+pkcs11 \(reachable\)/);
    assert.match(human.stdout, /Credential master key:\s+provider:pkcs11/);
    assert.ok(!node.output().includes(token.pin), 'the PIN is in the server output');
    assert.ok(!(await readFile(node.auditLog, 'utf8')).includes(token.pin), 'the PIN is in the audit log');
  });

  test('anodectl keys create / list / rotate / rewrap --wait / retire, each audited once; the metric follows', async () => {
    const created = await cli(['keys', 'create', 'alias/photos', '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as { created: boolean }).created, true);

    // Until object writes store data keys (enc-core), the stored data key here is the credential
    // master key; test/keys/key-registry.test.ts rewraps objects written under three versions.

    const r2 = await cli(['keys', 'rotate', '--json']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal((JSON.parse(r2.stdout) as { version: number }).version, 2);
    const r3 = await cli(['keys', 'rotate', 'default']);
    assert.equal(r3.code, 0, r3.stderr);
    assert.match(r3.stderr, /new writes use v3/);

    const list = await cli(['keys', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /NAME\s+PROVIDER\s+CURRENT\s+VERSIONS\s+OBJECTS PER VERSION/);
    assert.match(list.stdout, /alias\/photos\s+pkcs11\s+v1/);
    // The credential master key is one stored data key, still under v1.
    assert.match(list.stdout, /default\s+pkcs11\s+v3\s+v1, v2, v3\s+v1: 1, v2: 0, v3: 0/);

    const refused = await cli(['keys', 'retire', 'default', '--version', '1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /still wrapped by default version 1/);
    const current = await cli(['keys', 'retire', 'default', '--version', '3']);
    assert.notEqual(current.code, 0);
    assert.match(current.stderr, /current version/);

    const rewrap = await cli(['keys', 'rewrap', '--wait', '--json']);
    assert.equal(rewrap.code, 0, rewrap.stderr);
    const done = JSON.parse(rewrap.stdout) as { running: boolean; rewrapped: number; failed: number; to_version: number };
    assert.deepEqual([done.running, done.rewrapped, done.failed, done.to_version], [false, 1, 0, 3]);

    for (const v of ['1', '2']) {
      const retired = await cli(['keys', 'retire', 'default', '--version', v]);
      assert.equal(retired.code, 0, retired.stderr);
    }
    const json = JSON.parse((await cli(['keys', 'list', '--json'])).stdout) as {
      provider: string;
      keys: { name: string; versions: { version: number; state: string; objects: number }[] }[];
    };
    assert.equal(json.provider, 'pkcs11');
    assert.deepEqual(
      json.keys.find((k) => k.name === 'default')?.versions.map((v) => [v.version, v.state, v.objects]),
      [
        [1, 'retired', 0],
        [2, 'retired', 0],
        [3, 'active', 1],
      ],
    );

    const metrics = await (await fetch(`${node.adminUrl}/metrics`)).text();
    assert.match(metrics, /anode_objects_by_key_version\{key="default",version="3"\} 1/);
    assert.match(metrics, /anode_objects_by_key_version\{key="default",version="1"\} 0/);

    const actions = (await auditLines(node)).map((l) => String(l['action'])).filter((a) => a.startsWith('keys.'));
    assert.deepEqual(actions, [
      'keys.create',
      'keys.rotate',
      'keys.rotate',
      'keys.rewrap.start',
      'keys.rewrap.finish',
      'keys.retire',
      'keys.retire',
    ]);

    // After rotation, rewrap and restart the credentials still open (the master key unwraps under v3).
    await node.restart();
    assert.equal((await adminOf(node).getStatus()).encryption.provider_reachable, true);
  });

  test('no plaintext data key anywhere under the data directory (the credential master key, checked byte for byte)', async () => {
    await node.stop();
    const store = await SqliteMetadataStore.open(node.dataDir);
    process.env['SOFTHSM2_CONF'] = token.conf;
    const provider = await Pkcs11KeyProvider.open({ module: SOFTHSM_MODULE, slot: null, tokenLabel: token.label, pin: token.pin });
    let masterKey: Buffer | null;
    try {
      masterKey = await (await KeyRegistry.open(store, provider)).load(MASTER_KEY_REF);
    } finally {
      await provider.close();
      await store.close();
      delete process.env['SOFTHSM2_CONF'];
    }
    assert.ok(masterKey !== null && masterKey.length === 32);
    const hex = masterKey.toString('hex');
    const b64 = masterKey.toString('base64');
    for (const f of await filesUnder(node.dataDir)) {
      const bytes = await readFile(f);
      assert.ok(!bytes.includes(masterKey), `${f} holds the raw master key`);
      const text = bytes.toString('latin1');
      assert.ok(!text.includes(hex) && !text.includes(b64), `${f} holds the master key encoded`);
    }
    await node.restart();
  });

  test('the HSM going away: a key action is a clean 503 KeyProviderUnavailable, status says unreachable, the node stays up', async () => {
    token.deleteToken();
    await rm(token.tokenDir, { recursive: true, force: true });
    const r = await cli(['keys', 'rotate', 'alias/photos']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /KeyProviderUnavailable|key provider unavailable/i);
    const res = await fetch(`${node.adminUrl}/health`);
    assert.equal(res.status, 200);
    assert.ok(node.running());
  });

  test('a wrong PIN: the node refuses to start with a clean message that never shows the PIN', async () => {
    const spare = await createSoftHsmToken('anode-wrongpin');
    try {
      const dir = await mkdtemp(join(tmpdir(), 'anode-pin-'));
      const out = await new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [SERVER_MAIN, 'server', '--data', join(dir, 'data')], {
          env: {
            PATH: process.env['PATH'] ?? '/usr/bin:/bin',
            HOME: dir,
            ...spare.env,
            ANODE_SERVER_S3_LISTEN: '127.0.0.1:0',
            ANODE_SERVER_ADMIN_LISTEN: '127.0.0.1:0',
            ANODE_STORAGE_KEY_PROVIDER: 'pkcs11',
            ANODE_STORAGE_PKCS11_TOKEN_LABEL: spare.label,
            ANODE_PKCS11_PIN: 'not-the-pin-9876',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.stdout.resume();
        child.on('close', (code) => done({ code, stderr }));
      });
      assert.equal(out.code, 1);
      assert.match(out.stderr, /PKCS#11 key provider unavailable: login refused \(check the PIN\)/);
      assert.ok(!out.stderr.includes('not-the-pin-9876'));
      await rm(dir, { recursive: true, force: true });
    } finally {
      await spare.cleanup();
    }
  });
});

describe('credential master key out of the data directory (no key provider)', () => {
  let node: AnodeNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => {
    await node?.cleanup();
  });

  test('a new node keeps it in the XDG config dir (0600), never in the data directory', async () => {
    const path = defaultMasterKeyOf(node);
    assert.equal(((await stat(path)).mode & 0o777).toString(8), '600');
    assert.equal(existsSync(join(node.dataDir, 'metadata', 'master.key')), false);
    const st = await adminOf(node).getStatus();
    assert.equal(st.encryption.master_key, path);
    assert.equal(st.encryption.provider, null);
    assert.deepEqual(await adminOf(node).listKeys(), { provider: null, keys: [] });
    for (const call of [() => adminOf(node).rotateKey(), () => adminOf(node).createKey('k1'), () => adminOf(node).rewrapKey()]) {
      await assert.rejects(
        call(),
        (e: unknown) => (e as { status?: number; code?: string }).status === 409 && (e as { code?: string }).code === 'NoKeyProvider',
      );
    }
    const env = isolatedEnv({ ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey });
    const list = await runCli(['keys', 'list'], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /no key provider is configured/);
    const rotate = await runCli(['keys', 'rotate'], { env });
    assert.equal(rotate.code, 5, rotate.stderr);
    assert.match(rotate.stderr, /no key provider is configured on this node/);
  });

  test('an old node’s <data>/metadata/master.key migrates once on start: audited once, removed, credentials still open', async () => {
    await node.stop();
    const legacy = join(node.dataDir, 'metadata', 'master.key');
    const original = await readFile(defaultMasterKeyOf(node));
    await rename(defaultMasterKeyOf(node), legacy); // the layout before this change
    await node.restart();
    assert.equal(existsSync(legacy), false, 'the old file is removed');
    assert.deepEqual(await readFile(defaultMasterKeyOf(node)), original);
    assert.equal((await adminOf(node).getStatus()).credentials.active >= 1, true); // root's secret still opens
    await node.restart();
    const migrations = (await auditLines(node)).filter((l) => l['action'] === 'credentials.master_key.migrate');
    assert.equal(migrations.length, 1);
    assert.equal(migrations[0]!['from'], legacy);
    assert.equal(migrations[0]!['to'], defaultMasterKeyOf(node));
  });

  test('a missing master key with sealed credentials refuses to start instead of minting a new key', async () => {
    await node.stop();
    const path = defaultMasterKeyOf(node);
    await rename(path, `${path}.away`);
    await assert.rejects(node.restart());
    assert.match(node.output(), /credential master key is missing/);
    await rename(`${path}.away`, path);
    await node.restart();
    assert.ok((await adminOf(node).getStatus()).credentials.active >= 1);
  });
});
