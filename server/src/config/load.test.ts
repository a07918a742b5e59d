import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError, parseListen } from './load.js';

async function tomlFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'anode-config-'));
  const file = join(dir, 'config.toml');
  await writeFile(file, text);
  return file;
}

test('defaults need no file and no root', async () => {
  const c = await loadConfig({ env: {} });
  assert.equal(c.server.s3_listen, '0.0.0.0:8080');
  assert.equal(c.server.admin_listen, '127.0.0.1:8081');
  assert.ok(c.server.data_dir.endsWith('anode-data'));
  assert.equal(c.server.region, 'us-east-1');
});

test('file, then environment, then --data, each overriding the one before', async () => {
  const file = await tomlFile(
    '[server]\nregion = "eu-west-1"\ns3_listen = "127.0.0.1:9000"\ntrusted_proxies = ["10.0.0.0/8"]\n[gc]\ninterval_seconds = 60\n',
  );
  const c = await loadConfig({
    file,
    env: {
      ANODE_SERVER_S3_LISTEN: '127.0.0.1:9001',
      ANODE_GC_INTERVAL_SECONDS: '30',
      ANODE_SERVER_TRUSTED_PROXIES: '10.1.0.0/16, 192.168.0.0/16',
    },
    dataDir: '/tmp/x',
  });
  assert.equal(c.server.region, 'eu-west-1');
  assert.equal(c.server.s3_listen, '127.0.0.1:9001');
  assert.equal(c.gc.interval_seconds, 30);
  assert.deepEqual(c.server.trusted_proxies, ['10.1.0.0/16', '192.168.0.0/16']);
  assert.equal(c.server.data_dir, '/tmp/x');
});

test('errors name the bad key', async () => {
  const cases: [string, RegExp][] = [
    ['[server]\nregoin = "x"\n', /unknown key server\.regoin/],
    ['[srever]\n', /unknown section \[srever\]/],
    ['[server]\ns3_listen = 8080\n', /server\.s3_listen must be a string/],
    ['[server]\ns3_listen = "nonsense"\n', /server\.s3_listen must be host:port/],
    ['[gc]\ninterval_seconds = "1h"\n', /gc\.interval_seconds must be an integer/],
    ['[tls]\ncert = "/x.crt"\n', /tls\.cert and tls\.key must be set together/],
    ['[storage]\nchunk_size_mib = 0\n', /storage\.chunk_size_mib must be between 1 and 1024/],
    ['[storage]\nchunk_size_mib = 2048\n', /storage\.chunk_size_mib must be between 1 and 1024/],
    ['[storage]\nchunk_size_mib = "8M"\n', /storage\.chunk_size_mib must be an integer/],
    ['[server\n', /invalid TOML/],
  ];
  for (const [text, re] of cases) {
    const file = await tomlFile(text);
    await assert.rejects(loadConfig({ file, env: {} }), (err: unknown) => err instanceof ConfigError && re.test(err.message), text);
  }
  await assert.rejects(loadConfig({ env: { ANODE_STORAGE_ENCRYPTION: 'maybe' } }), /ANODE_STORAGE_ENCRYPTION must be true or false/);
  await assert.rejects(loadConfig({ file: '/nonexistent/anode.toml', env: {} }), /cannot read config file/);
});

test('listen addresses, IPv6 included', () => {
  assert.deepEqual(parseListen('k', '[::1]:8080'), { host: '::1', port: 8080 });
  assert.deepEqual(parseListen('k', 'localhost:1'), { host: 'localhost', port: 1 });
  assert.throws(() => parseListen('k', '127.0.0.1:70000'), /k must be host:port/);
});

test('encryption keys: AES-256-GCM is the only algorithm; sse_c_require_tls defaults on and has an env override', async () => {
  await assert.rejects(loadConfig({ env: { ANODE_STORAGE_ENCRYPTION_ALGORITHM: 'AES-128-CBC' } }), ConfigError);
  const c = await loadConfig({ env: { ANODE_STORAGE_ENCRYPTION: 'true' } });
  assert.equal(c.storage.encryption, true);
  assert.equal(c.storage.encryption_algorithm, 'AES-256-GCM');
  assert.equal(c.storage.sse_c_require_tls, true);
  assert.equal((await loadConfig({ env: { ANODE_STORAGE_SSE_C_REQUIRE_TLS: 'false' } })).storage.sse_c_require_tls, false);
});

test('[cluster]: refuses SQLite, refuses plaintext without insecure_dev, defaults write_quorum to a majority', async () => {
  const { writeQuorumOf } = await import('./load.js');
  await assert.rejects(loadConfig({ env: { ANODE_CLUSTER_ENABLED: 'true' } }), /needs storage.metadata_backend = "postgres"/);
  const pgEnv = {
    ANODE_CLUSTER_ENABLED: 'true',
    ANODE_STORAGE_METADATA_BACKEND: 'postgres',
    ANODE_STORAGE_POSTGRES_URL: 'postgres://x@127.0.0.1/db',
  };
  await assert.rejects(loadConfig({ env: { ...pgEnv, ANODE_CLUSTER_ENABLE_TLS: 'false' } }), /enable_tls = false is refused/);
  const dev = await loadConfig({
    env: { ...pgEnv, ANODE_CLUSTER_ENABLE_TLS: 'false', ANODE_CLUSTER_INSECURE_DEV: 'true', ANODE_CLUSTER_NODE_ID: 'n1' },
  });
  assert.equal(dev.cluster.insecure_dev, true);
  const c = await loadConfig({ env: pgEnv });
  assert.equal(c.cluster.replication_factor, 3);
  assert.equal(writeQuorumOf(c), 2);
  assert.equal(c.cluster.grpc_listen, '0.0.0.0:9090');
  await assert.rejects(loadConfig({ env: { ...pgEnv, ANODE_CLUSTER_WRITE_QUORUM: '4' } }), /write_quorum/);
});
