import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEnv, CONFIG_DEFAULTS, ConfigReadError, effectiveConfig, parseConfigText } from './deployment-config.js';

test('a config file overrides the defaults; unknown sections and keys are left to the server', () => {
  const { config, sectionsInFile } = parseConfigText(
    `[server]\nadmin_listen = "0.0.0.0:8081"\ntrusted_proxies = ["10.0.0.5/32"]\nregion = "eu-west-1"\n[tls]\ncert = "/c"\nkey = "/k"\n[cluster]\nenable_tls = false\n[gc]\ninterval_seconds = 5\n`,
    'x.toml',
  );
  assert.equal(config.server.admin_listen, '0.0.0.0:8081');
  assert.equal(config.server.s3_listen, CONFIG_DEFAULTS.server.s3_listen);
  assert.deepEqual(config.server.trusted_proxies, ['10.0.0.5/32']);
  assert.equal(config.tls.cert, '/c');
  assert.equal(config.cluster.enable_tls, false);
  assert.deepEqual([...sectionsInFile].sort(), ['cluster', 'gc', 'server', 'tls']);
  assert.equal(CONFIG_DEFAULTS.server.admin_listen, '127.0.0.1:8081', 'the defaults are not mutated');
});

test('a bad file names the file, the line and the key', () => {
  assert.throws(
    () => parseConfigText('[server\n', 'bad.toml'),
    (e: unknown) => e instanceof ConfigReadError && /bad\.toml: invalid TOML \(line 1/.test(e.message),
  );
  assert.throws(() => parseConfigText('[server]\nadmin_listen = 8081\n', 'bad.toml'), /server\.admin_listen has the wrong type/);
  assert.throws(() => parseConfigText('server = 1\n', 'bad.toml'), /\[server\] must be a table/);
});

test('ANODE_<SECTION>_<KEY> variables win over the file, and --data over both', () => {
  const loaded = effectiveConfig(
    '[logging]\naccess_log = "/var/log/anode/access.log"\n',
    'f',
    {
      ANODE_LOGGING_ACCESS_LOG: 'off',
      ANODE_SERVER_TRUSTED_PROXIES: '10.0.0.1/32, 10.0.0.2/32',
      ANODE_STORAGE_ENCRYPTION: 'true',
      ANODE_SERVER_DATA_DIR: '/env',
    },
    '/flag',
  );
  assert.equal(loaded.config.logging.access_log, 'off');
  assert.deepEqual(loaded.config.server.trusted_proxies, ['10.0.0.1/32', '10.0.0.2/32']);
  assert.equal(loaded.config.storage.encryption, true);
  assert.equal(loaded.config.server.data_dir, '/flag');
  assert.deepEqual(loaded.fromEnv.sort(), ['logging.access_log', 'server.data_dir', 'server.trusted_proxies', 'storage.encryption']);
  const copy = structuredClone(CONFIG_DEFAULTS);
  assert.deepEqual(applyEnv(copy, { PATH: '/bin' }), []);
});
