// anodectl audit checklist against real nodes: a deliberately weak deployment, whose FAILs
// name each weakness, and a hardened one (TLS, private modes, admin on loopback, logs on,
// not root, sandboxed unit) with no FAIL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AdminClient } from '../../shared/src/admin-api/index.js';
import { freePort, SERVER_MAIN } from '../helpers/anode-node.js';
import { signedFetch } from '../helpers/sigv4.js';
import { isolatedEnv, REPO, runCli } from './run-cli.js';

interface Item {
  id: string;
  section: string;
  title: string;
  status: 'PASS' | 'WARN' | 'FAIL' | 'SKIP' | 'MANUAL';
  reason: string;
  fix: string;
}
interface Report {
  summary: Record<Item['status'], number>;
  sources: { host: string; config: string; live: string };
  items: Item[];
}

const IS_ROOT = process.getuid?.() === 0;
/** The hardened node runs as nobody when we can switch users (CI runs as root). */
const RUN_AS = IS_ROOT ? { uid: 65534, gid: 65534 } : undefined;

interface Server {
  proc: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

function healthy(url: string, ca: Buffer | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (url.startsWith('http:')) {
      fetch(`${url}/health`).then(
        (r) => resolve(r.status === 200),
        () => resolve(false),
      );
      return;
    }
    const req = get(`${url}/health`, { ...(ca !== undefined ? { ca } : {}), agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

async function startServer(
  args: string[],
  env: Record<string, string>,
  adminUrl: string,
  options: { cwd: string; ca?: Buffer; user?: { uid: number; gid: number } },
): Promise<Server> {
  let log = '';
  const proc = spawn(process.execPath, [SERVER_MAIN, 'server', ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: options.cwd, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user ?? {}),
  });
  proc.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const deadline = Date.now() + 20_000;
  while (!(await healthy(adminUrl, options.ca))) {
    if (proc.exitCode !== null) throw new Error(`anode exited ${proc.exitCode}:\n${log}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`anode not healthy at ${adminUrl}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** The root credential the first start wrote (AWS shared-credentials format). */
function readRootCredentials(path: string): { accessKey: string; secretKey: string } {
  const text = readFileSync(path, 'utf8');
  const accessKey = /aws_access_key_id = (\S+)/.exec(text)?.[1];
  const secretKey = /aws_secret_access_key = (\S+)/.exec(text)?.[1];
  assert.ok(accessKey !== undefined && secretKey !== undefined, 'root-credentials holds a key pair');
  return { accessKey, secretKey };
}

const byId = (report: Report, id: string): Item => {
  const item = report.items.find((i) => i.id === id);
  assert.ok(item, `item ${id} is in the report`);
  return item;
};

describe('a deliberately weak deployment', () => {
  const base = mkdtempSync(join(tmpdir(), 'anode-weak-'));
  const dataDir = join(base, 'data');
  const configFile = join(base, 'weak.toml');
  const unitFile = join(base, 'weak.service');
  let server: Server;
  let root: { accessKey: string; secretKey: string };
  let legacyKey = '';
  let adminPort = 0;
  let s3Port = 0;

  before(async () => {
    s3Port = await freePort();
    adminPort = await freePort();
    // Admin and S3 on every interface over plain HTTP, both logs off.
    writeFileSync(
      configFile,
      `[server]\ns3_listen = "0.0.0.0:${s3Port}"\nadmin_listen = "0.0.0.0:${adminPort}"\n\n[logging]\naccess_log = "off"\naudit_log = "off"\n\n[auth]\nmaster_key_file = "${join(dataDir, 'master.key')}"\n`,
    );
    writeFileSync(
      unitFile,
      `[Unit]\nDescription=anode, no sandbox\n[Service]\nUser=root\nExecStart=/usr/bin/node ${SERVER_MAIN} server --config ${configFile}\n`,
    );
    // No ANODE_ROOT_* variables: the first start writes DATA/root-credentials.
    server = await startServer(['--config', configFile, '--data', dataDir], {}, `http://127.0.0.1:${adminPort}`, { cwd: base });
    root = readRootCredentials(join(dataDir, 'root-credentials'));

    // The weaknesses we can make by hand: open modes, a public bucket, an old unused key.
    chmodSync(dataDir, 0o777);
    // The credential master key named inside the data directory, and readable by all.
    chmodSync(join(dataDir, 'master.key'), 0o644);
    chmodSync(join(dataDir, 'metadata', 'credentials.db'), 0o644);
    chmodSync(join(dataDir, 'root-credentials'), 0o644);
    const s3 = `http://127.0.0.1:${s3Port}`;
    const pub = await signedFetch(s3, { method: 'PUT', path: '/weak-public', headers: [['x-amz-acl', 'public-read']], creds: root });
    assert.equal(pub.status, 200, await pub.text());
    const priv = await signedFetch(s3, { method: 'PUT', path: '/weak-private', creds: root });
    assert.equal(priv.status, 200, await priv.text());
    const admin = new AdminClient({
      endpoint: `http://127.0.0.1:${adminPort}`,
      credentials: { accessKeyId: root.accessKey, secretAccessKey: root.secretKey },
    });
    legacyKey = (await admin.createCredential({ user: 'legacy-app' })).access_key;
    // A credential cannot be aged by waiting: date it back in the credentials database.
    const db = new Database(join(dataDir, 'metadata', 'credentials.db'));
    try {
      const changed = db
        .prepare('UPDATE credentials SET created_at = ?, last_used_at = NULL WHERE access_key = ?')
        .run(Date.parse('2024-01-02T00:00:00Z'), legacyKey).changes;
      assert.equal(changed, 1);
    } finally {
      db.close();
    }
  });

  after(async () => {
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  });

  const cliEnv = () => isolatedEnv({ ANODE_ACCESS_KEY: root.accessKey, ANODE_SECRET_KEY: root.secretKey });

  test('--json: exit 10, and a FAIL or WARN names each weakness', async () => {
    const r = await runCli(['audit', 'checklist', '--config', configFile, '--data', dataDir, '--unit', unitFile, '--json'], {
      env: cliEnv(),
    });
    assert.equal(r.code, 10, r.stderr);
    assert.match(r.stderr, /audit checklist found \d+ FAIL/);
    const report = JSON.parse(r.stdout) as Report;
    const status = (id: string) => byId(report, id).status;

    const fails = report.items
      .filter((i) => i.status === 'FAIL')
      .map((i) => i.id)
      .sort();
    const expectedFails = [
      'authentication.root-credentials-file',
      'data.credentials-db-mode',
      'data.data-dir-mode',
      'data.key-place',
      'data.master-key-mode',
      'hardening.systemd-unit',
      'monitoring.access-log',
      'monitoring.audit-log',
      'network.admin-listen',
      'network.admin-tls',
      'network.s3-tls',
      ...(IS_ROOT ? ['hardening.process-user'] : []),
    ].sort();
    assert.deepEqual(fails, expectedFails);
    assert.equal(report.summary.FAIL, expectedFails.length);

    assert.match(byId(report, 'data.data-dir-mode').reason, /data is 0777/);
    assert.match(byId(report, 'data.master-key-mode').reason, /master\.key is 0644/);
    assert.match(byId(report, 'data.key-place').reason, /inside the data directory .*credential master key .*master\.key/);
    assert.match(byId(report, 'data.credentials-db-mode').reason, /credentials\.db is 0644/);
    assert.match(byId(report, 'network.admin-listen').reason, new RegExp(`admin_listen 0\\.0\\.0\\.0:${adminPort} is every interface`));
    assert.match(byId(report, 'network.s3-tls').reason, /plain HTTP on every interface/);
    assert.equal(byId(report, 'monitoring.access-log').reason, 'logging.access_log = "off"');
    assert.match(
      byId(report, 'hardening.systemd-unit').reason,
      /User=anode \(not root\), NoNewPrivileges=yes, ProtectSystem=strict, PrivateTmp=yes, CapabilityBoundingSet=/,
    );
    if (IS_ROOT) assert.match(byId(report, 'hardening.process-user').reason, new RegExp(`pid ${server.proc.pid}\\) runs as root`));

    assert.equal(status('authorization.public-buckets'), 'WARN');
    assert.equal(byId(report, 'authorization.public-buckets').reason, 'public: weak-public (ACL)');
    assert.equal(status('authentication.credential-age'), 'WARN');
    assert.match(byId(report, 'authentication.credential-age').reason, new RegExp(`${legacyKey} \\(legacy-app, \\d+ d\\)`));
    assert.equal(status('authentication.unused-credentials'), 'WARN');
    assert.match(byId(report, 'authentication.unused-credentials').reason, new RegExp(`${legacyKey} \\(legacy-app, never used\\)`));
    assert.equal(status('authentication.root-credential-use'), 'WARN', 'root is the only admin key in use');
    assert.equal(status('network.endpoint-tls'), 'WARN');
    assert.equal(status('data.encryption-at-rest'), 'WARN');
    assert.equal(status('maintenance.read-only-state'), 'PASS');
    assert.match(
      report.sources.live,
      new RegExp(`http://127\\.0\\.0\\.1:${adminPort}`),
      'the endpoint comes from admin_listen (0.0.0.0 reached via loopback)',
    );
    for (const item of report.items.filter((i) => i.section === 'compliance')) assert.equal(item.status, 'MANUAL');
    // Never a secret in the report.
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(root.secretKey.replace(/[+/]/g, '\\$&')));
  });

  test('people get one table per section, with the fix under each finding; no colour in a pipe', async () => {
    const r = await runCli(
      ['audit', 'checklist', '--config', configFile, '--data', dataDir, '--unit', unitFile, '--endpoint', `http://127.0.0.1:${adminPort}`],
      { env: cliEnv() },
    );
    assert.equal(r.code, 10, r.stderr);
    const sections = ['AUTHENTICATION', 'AUTHORIZATION', 'NETWORK', 'DATA', 'MONITORING', 'COMPLIANCE', 'HARDENING', 'MAINTENANCE'];
    const positions = sections.map((s) => (r.stdout.indexOf(`\n${s}\n`) >= 0 ? r.stdout.indexOf(`\n${s}\n`) : r.stdout.indexOf(`${s}\n`)));
    assert.ok(
      positions.every((p) => p >= 0),
      'every section has a heading',
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      'sections in checklist order',
    );
    assert.match(r.stdout, /^FAIL\s+network\.admin-listen\s+admin API not on a public interface$/m);
    assert.match(r.stdout, /fix: set server\.admin_listen to 127\.0\.0\.1:8081/);
    assert.match(r.stdout, /^Summary: \d+ items: \d+ PASS, \d+ WARN, \d+ FAIL, \d+ SKIP, \d+ MANUAL$/m);
    assert.doesNotMatch(r.stdout, /\u001b\[/);
  });

  test('without a credential the live items are SKIP with the reason, and the rest is still checked', async () => {
    const r = await runCli(['audit', 'checklist', '--config', configFile, '--data', dataDir, '--json'], { env: isolatedEnv() });
    assert.equal(r.code, 10, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    const live = byId(report, 'authorization.public-buckets');
    assert.equal(live.status, 'SKIP');
    assert.match(live.reason, /no admin credential for http:\/\/127\.0\.0\.1:\d+: run anodectl login/);
    assert.equal(byId(report, 'network.admin-listen').status, 'FAIL');
    assert.equal(byId(report, 'hardening.systemd-unit').status, 'SKIP', 'no unit at the default path');
  });
});

describe('a hardened deployment', () => {
  const base = mkdtempSync(join(tmpdir(), 'anode-hardened-'));
  const dataDir = join(base, 'data');
  const logDir = join(base, 'logs');
  const certDir = join(base, 'certs');
  const caDir = join(base, 'ca');
  // Stands in for /etc/anode: the credential master key of a system install lives there.
  const keyDir = join(base, 'etc-anode');
  const configFile = join(base, 'config.toml');
  const shippedUnit = join(REPO, 'deploy', 'systemd', 'anode.service');
  let server: Server;
  let root: { accessKey: string; secretKey: string };
  let adminPort = 0;

  before(async () => {
    chmodSync(base, 0o755); // nobody must reach its own directories inside
    const env = isolatedEnv();
    assert.equal((await runCli(['certs', 'init-ca', '--out', caDir, '--days', '60'], { env, cwd: base })).code, 0);
    const issued = await runCli(
      ['certs', 'issue', 'node1', '--ca', caDir, '--dns', 'localhost', '--ip', '127.0.0.1', '--out', join(base, 'issued'), '--days', '60'],
      { env, cwd: base },
    );
    assert.equal(issued.code, 0, issued.stderr);
    for (const dir of [dataDir, logDir, certDir, keyDir]) {
      mkdirSync(dir, { mode: 0o750 });
      chmodSync(dir, 0o750);
      if (RUN_AS) chownSync(dir, RUN_AS.uid, RUN_AS.gid);
    }
    for (const [name, mode] of [
      ['node1.crt', 0o644],
      ['node1.key', 0o600],
    ] as const) {
      const to = join(certDir, name);
      copyFileSync(join(base, 'issued', name), to);
      chmodSync(to, mode);
      if (RUN_AS) chownSync(to, RUN_AS.uid, RUN_AS.gid);
    }
    const s3Port = await freePort();
    adminPort = await freePort();
    writeFileSync(
      configFile,
      `[server]\ns3_listen = "127.0.0.1:${s3Port}"\nadmin_listen = "127.0.0.1:${adminPort}"\ndata_dir = "${dataDir}"\n\n[tls]\ncert = "${join(certDir, 'node1.crt')}"\nkey = "${join(certDir, 'node1.key')}"\n\n[logging]\naccess_log = "${join(logDir, 'access.log')}"\naudit_log = "${join(logDir, 'audit.log')}"\n\n[auth]\nmaster_key_file = "${join(keyDir, 'master.key')}"\n`,
    );
    server = await startServer(['--config', configFile], {}, `https://127.0.0.1:${adminPort}`, {
      cwd: base,
      ca: readFileSync(join(caDir, 'ca.crt')),
      ...(RUN_AS ? { user: RUN_AS } : {}),
    });
    // The operator stores the first root secret elsewhere and deletes the file.
    root = readRootCredentials(join(dataDir, 'root-credentials'));
    rmSync(join(dataDir, 'root-credentials'));
  });

  after(async () => {
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  });

  test('no FAIL: exit 0, and the host, config and live items pass', async () => {
    const env = isolatedEnv({ ANODE_ACCESS_KEY: root.accessKey, ANODE_SECRET_KEY: root.secretKey });
    const r = await runCli(['--ca', join(caDir, 'ca.crt'), 'audit', 'checklist', '--config', configFile, '--unit', shippedUnit, '--json'], {
      env,
    });
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(
      report.items.filter((i) => i.status === 'FAIL').map((i) => `${i.id}: ${i.reason}`),
      [],
    );
    assert.equal(r.code, 0, r.stderr);
    for (const id of [
      ...(RUN_AS ? ['hardening.process-user'] : []),
      'hardening.systemd-unit',
      'data.data-dir-mode',
      'data.credentials-db-mode',
      'data.master-key-mode',
      'data.key-place',
      'data.key-file-modes',
      'authentication.root-credentials-file',
      'authentication.root-secret-in-env',
      'monitoring.log-file-modes',
      'maintenance.tls-certificate-expiry',
      'network.s3-tls',
      'network.admin-listen',
      'network.admin-tls',
      'network.trusted-proxies',
      'network.endpoint-tls',
      'monitoring.access-log',
      'monitoring.audit-log',
      'authorization.public-buckets',
      'authentication.credential-age',
      'authentication.unused-credentials',
      'maintenance.read-only-state',
    ]) {
      assert.equal(byId(report, id).status, 'PASS', `${id}: ${byId(report, id).reason}`);
    }
    assert.match(byId(report, 'network.endpoint-tls').reason, new RegExp(`https://127\\.0\\.0\\.1:${adminPort}`));
    assert.match(report.sources.host, new RegExp(`served by pid ${server.proc.pid}`), 'the process was found through --config');
    for (const item of report.items)
      if (item.id.startsWith('compliance.') || item.id === 'hardening.physical-security') assert.equal(item.status, 'MANUAL');
  });

  test('--strict also fails on WARN (root being the only admin key in use, no encryption at rest)', async () => {
    const env = isolatedEnv({ ANODE_ACCESS_KEY: root.accessKey, ANODE_SECRET_KEY: root.secretKey });
    const r = await runCli(
      ['--ca', join(caDir, 'ca.crt'), 'audit', 'checklist', '--config', configFile, '--unit', shippedUnit, '--strict', '--json'],
      { env },
    );
    assert.equal(r.code, 10, r.stderr);
    assert.match(r.stderr, /found 0 FAIL and \d+ WARN/);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(byId(report, 'authentication.root-credential-use').status, 'WARN');
  });

  test('without --ca the live items are SKIP naming the TLS failure', async () => {
    const env = isolatedEnv({ ANODE_ACCESS_KEY: root.accessKey, ANODE_SECRET_KEY: root.secretKey });
    const r = await runCli(['audit', 'checklist', '--config', configFile, '--unit', shippedUnit, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const item = byId(JSON.parse(r.stdout) as Report, 'network.endpoint-tls');
    assert.equal(item.status, 'SKIP');
    assert.match(item.reason, /TLS to https:\/\/127\.0\.0\.1:\d+ failed \([A-Z_]+\): pass --ca/);
  });
});

describe('inputs', () => {
  test('a missing --config is exit 3, bad TOML exit 2, a missing --unit exit 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anode-checklist-in-'));
    const env = isolatedEnv();
    const missing = await runCli(['audit', 'checklist', '--config', join(dir, 'nope.toml')], { env });
    assert.equal(missing.code, 3, missing.stderr);
    writeFileSync(join(dir, 'bad.toml'), '[server\n');
    const bad = await runCli(['audit', 'checklist', '--config', join(dir, 'bad.toml')], { env });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /bad\.toml: invalid TOML \(line 1/);
    const unit = await runCli(['audit', 'checklist', '--unit', join(dir, 'nope.service')], { env });
    assert.equal(unit.code, 3);
    rmSync(dir, { recursive: true, force: true });
    assert.ok(!existsSync(dir));
  });
});
