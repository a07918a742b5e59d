import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDir } from './config/paths.js';
import { loadCliConfig, parseCliConfig, saveProfile } from './config/profiles.js';
import { FileSecretStore, KeyringSecretStore, openSecretStore } from './config/secret-store.js';
import { normalizeEndpoint, resolveAdminTarget, type GlobalOptions } from './context.js';
import { ConflictError, NotFoundError, PermissionDeniedError, UsageError, UserError } from './errors.js';

const globals: GlobalOptions = { json: false, output: 'table', yes: false, color: true };

function tempConfig(): string {
  return join(mkdtempSync(join(tmpdir(), 'anodectl-cfg-')), 'anode');
}

test('the config directory follows XDG_CONFIG_HOME, else ~/.config', () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' }), '/x/cfg/anode');
  assert.equal(configDir({ HOME: '/home/u' }), '/home/u/.config/anode');
  assert.equal(configDir({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' }), '/home/u/.config/anode', 'relative XDG paths are ignored');
});

test('ANODE_ACCESS_KEY/ANODE_SECRET_KEY take the place of a profile', async () => {
  const dir = tempConfig();
  await saveProfile(dir, 'prod', { endpoint: 'https://prod.example:8081', accessKey: 'AKIAPROD' });
  const env = { ANODE_ACCESS_KEY: 'AKIAENV', ANODE_SECRET_KEY: 'envsecret', ANODE_ENDPOINT: 'http://127.0.0.1:9999/' };
  const target = await resolveAdminTarget(globals, env, { configDir: dir });
  assert.deepEqual(target, {
    endpoint: 'http://127.0.0.1:9999',
    profile: undefined,
    credentials: { accessKeyId: 'AKIAENV', secretAccessKey: 'envsecret' },
    credentialSource: 'env',
    ca: undefined,
  });
  await assert.rejects(resolveAdminTarget(globals, { ANODE_ACCESS_KEY: 'AKIAENV' }, { configDir: dir }), UsageError);
  await assert.rejects(resolveAdminTarget({ ...globals, profile: 'prod' }, env, { configDir: dir }), ConflictError);
});

test('profiles: endpoint and access key from config.yaml, secret from the file store (0600)', async () => {
  const dir = tempConfig();
  const store = new FileSecretStore(join(dir, 'secrets'));
  await saveProfile(dir, 'prod', { endpoint: 'https://prod.example:8081', accessKey: 'AKIAPROD', ca: '/etc/anode/certs/ca.crt' });
  await saveProfile(dir, 'dev', { endpoint: 'http://127.0.0.1:8081', accessKey: 'AKIADEV' });
  await store.set('prod', 'prodsecret');
  await store.set('dev', 'devsecret');

  assert.equal(statSync(join(dir, 'config.yaml')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'secrets')).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'secrets', 'prod')).mode & 0o777, 0o600);
  assert.doesNotMatch(readFileSync(join(dir, 'config.yaml'), 'utf8'), /secret/, 'secrets never go into config.yaml');

  const current = await resolveAdminTarget(globals, {}, { configDir: dir, secretStore: store });
  assert.equal(current.profile, 'prod', 'the first profile saved becomes current');
  assert.deepEqual(current.credentials, { accessKeyId: 'AKIAPROD', secretAccessKey: 'prodsecret' });
  assert.equal(current.credentialSource, 'file');
  assert.equal(current.ca, '/etc/anode/certs/ca.crt');
  assert.equal(current.endpoint, 'https://prod.example:8081');

  const dev = await resolveAdminTarget({ ...globals, profile: 'dev' }, {}, { configDir: dir, secretStore: store });
  assert.equal(dev.endpoint, 'http://127.0.0.1:8081');
  const byEnv = await resolveAdminTarget(
    globals,
    { ANODE_PROFILE: 'dev', ANODE_ENDPOINT: 'http://10.0.0.1:8081' },
    { configDir: dir, secretStore: store },
  );
  assert.equal(byEnv.profile, 'dev');
  assert.equal(byEnv.endpoint, 'http://10.0.0.1:8081', 'ANODE_ENDPOINT beats the profile');
  const byFlag = await resolveAdminTarget(
    { ...globals, endpoint: 'http://flag:1', ca: '/tmp/ca.pem' },
    { ANODE_ENDPOINT: 'http://env:2' },
    { configDir: dir, secretStore: store },
  );
  assert.equal(byFlag.endpoint, 'http://flag:1', '--endpoint beats everything');
  assert.equal(byFlag.ca, '/tmp/ca.pem');

  await store.delete('dev');
  await assert.rejects(
    resolveAdminTarget({ ...globals, profile: 'dev' }, {}, { configDir: dir, secretStore: store }),
    PermissionDeniedError,
  );
  await assert.rejects(resolveAdminTarget({ ...globals, profile: 'nope' }, {}, { configDir: dir, secretStore: store }), NotFoundError);
  await assert.rejects(resolveAdminTarget({ ...globals, profile: '../../etc' }, {}, { configDir: dir, secretStore: store }), UsageError);
});

test('no credentials anywhere: the default endpoint, and exit 4 when credentials are required', async () => {
  const dir = tempConfig();
  const target = await resolveAdminTarget(globals, {}, { configDir: dir });
  assert.equal(target.endpoint, 'http://127.0.0.1:8081');
  assert.equal(target.credentialSource, 'none');
  await assert.rejects(
    resolveAdminTarget(globals, {}, { configDir: dir, requireCredentials: true }),
    (err: unknown) => err instanceof PermissionDeniedError && err.exitCode === 4,
  );
});

test('endpoints must be plain http(s) URLs without credentials', () => {
  assert.equal(normalizeEndpoint('https://anode.example:8081/'), 'https://anode.example:8081');
  assert.throws(() => normalizeEndpoint('ftp://x'), UsageError);
  assert.throws(() => normalizeEndpoint('not a url'), UsageError);
  assert.throws(() => normalizeEndpoint('http://AKIA:secret@host:8081'), /must not contain credentials/);
  assert.throws(() => normalizeEndpoint('http://host:8081/?x=1'), UsageError);
});

test('config.yaml is validated with errors that name the bad key', async () => {
  assert.deepEqual(parseCliConfig('', 'c.yaml'), { profiles: {} });
  assert.throws(() => parseCliConfig('profiles:\n  p: {access_key: A}\n', 'c.yaml'), /profiles\.p\.endpoint is required/);
  assert.throws(() => parseCliConfig('profiles:\n  p: {endpoint: 3}\n', 'c.yaml'), /profiles\.p\.endpoint must be a string/);
  assert.throws(() => parseCliConfig('- a\n', 'c.yaml'), UserError);
  assert.throws(() => parseCliConfig('a: [', 'c.yaml'), /not valid YAML/);
  assert.deepEqual(await loadCliConfig(tempConfig()), { profiles: {} }, 'a missing file is an empty config');
});

test('the secret store is the keyring when one answers, else the 0600 file fallback; ANODE_KEYRING forces it', () => {
  const dir = tempConfig();
  const auto = openSecretStore(dir, {});
  assert.equal(auto.kind, KeyringSecretStore.available() ? 'keyring' : 'file');
  const file = openSecretStore(dir, { ANODE_KEYRING: 'file' });
  assert.equal(file.kind, 'file');
  assert.match(file.describe('prod'), /secrets\/prod \(mode 0600/);
  assert.throws(() => openSecretStore(dir, { ANODE_KEYRING: 'vault' }), UsageError);
  if (!KeyringSecretStore.available()) assert.throws(() => openSecretStore(dir, { ANODE_KEYRING: 'keyring' }), /no OS keyring/);
});
