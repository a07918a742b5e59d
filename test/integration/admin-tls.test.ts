// The admin plane over native TLS with a private CA: AdminClient's `ca` option and
// `anodectl --ca` verify the node; without the CA the connection is refused, never
// silently downgraded or left unverified.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, sendRaw } from '../../shared/src/admin-api/index.js';
import { SERVER_MAIN, freePort, generateCredentials } from '../helpers/anode-node.js';
import { isolatedEnv, runCli } from '../cli/run-cli.js';

const base = mkdtempSync(join(tmpdir(), 'anode-admin-tls-'));
const creds = generateCredentials();
let proc: ChildProcess;
let adminUrl: string;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: base, stdio: 'pipe' });
}

before(async () => {
  // A throwaway CA and a server certificate for 127.0.0.1 (EC keys: fast to make).
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=Test Anode CA',
  ]);
  openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'node.key',
    '-out',
    'node.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(join(base, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl([
    'x509',
    '-req',
    '-in',
    'node.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'node.crt',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  ]);

  const s3Port = await freePort();
  const adminPort = await freePort();
  adminUrl = `https://127.0.0.1:${adminPort}`;
  proc = spawn(process.execPath, [SERVER_MAIN, 'server', '--data', join(base, 'data')], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: base,
      ANODE_SERVER_S3_LISTEN: `127.0.0.1:${s3Port}`,
      ANODE_SERVER_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      ANODE_ROOT_ACCESS_KEY: creds.accessKey,
      ANODE_ROOT_SECRET_KEY: creds.secretKey,
      ANODE_TLS_CERT: join(base, 'node.crt'),
      ANODE_TLS_KEY: join(base, 'node.key'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await sendRaw({ method: 'GET', url: `${adminUrl}/health`, ca: execFileSync('cat', [join(base, 'ca.crt')]) });
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('the TLS node did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  if (proc.exitCode === null) {
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(base, { recursive: true, force: true });
});

test('AdminClient verifies the node with the private CA, and refuses without it', async () => {
  const ca = execFileSync('cat', [join(base, 'ca.crt')]);
  const client = new AdminClient({
    endpoint: adminUrl,
    credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey },
    ca,
  });
  const status = await client.getStatus();
  assert.equal(status.tls, true);
  const untrusting = new AdminClient({
    endpoint: adminUrl,
    credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey },
  });
  await assert.rejects(untrusting.getStatus(), (err: NodeJS.ErrnoException) =>
    /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(err.code ?? ''),
  );
});

test('anodectl --ca (a PEM file or the CA directory) reaches the node; without it the TLS failure is reported', async () => {
  const env = isolatedEnv({ ANODE_ENDPOINT: adminUrl, ANODE_ACCESS_KEY: creds.accessKey, ANODE_SECRET_KEY: creds.secretKey });
  const withFile = await runCli(['--json', '--ca', join(base, 'ca.crt'), 'status'], { env });
  assert.equal(withFile.code, 0, withFile.stderr);
  assert.equal((JSON.parse(withFile.stdout) as { tls: boolean }).tls, true);
  const withDir = await runCli(['--ca', base, 'status'], { env });
  assert.equal(withDir.code, 0, withDir.stderr);
  const without = await runCli(['status'], { env });
  assert.notEqual(without.code, 0);
  assert.equal(without.code, 1);
  assert.match(without.stderr, /cannot verify the TLS certificate/);
  assert.match(without.stderr, /--ca/);
});
