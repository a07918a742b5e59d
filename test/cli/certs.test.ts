// anodectl certs end to end: a real RSA-4096 CA, node certificates, openssl verification,
// file modes, overwrite refusal and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnv, runCli } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'anodectl-certs-'));
const env = isolatedEnv();
const caDir = join(work, 'ca');
const nodeDir = join(work, 'nodes');
const mode = (path: string): number => statSync(path).mode & 0o777;

test('certs init-ca writes an RSA-4096 CA with a 0600 key and refuses to overwrite it', async () => {
  const first = await runCli(['certs', 'init-ca', '--out', caDir, '--cn', 'Test Anode CA', '--days', '30'], { env, cwd: work });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(mode(join(caDir, 'ca.key')), 0o600);
  assert.equal(mode(join(caDir, 'ca.crt')), 0o644);
  const text = execFileSync('openssl', ['x509', '-in', join(caDir, 'ca.crt'), '-noout', '-text'], { encoding: 'utf8' });
  assert.match(text, /Public-Key: \(4096 bit\)/);
  assert.match(text, /Subject: CN ?= ?Test Anode CA/);
  assert.match(text, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  assert.match(text, /Certificate Sign, CRL Sign/);
  execFileSync('openssl', ['rsa', '-in', join(caDir, 'ca.key'), '-check', '-noout'], { stdio: 'pipe' });

  const before = readFileSync(join(caDir, 'ca.key'), 'utf8');
  const again = await runCli(['certs', 'init-ca', '--out', caDir], { env, cwd: work });
  assert.equal(again.code, 5);
  assert.match(again.stderr, /refusing to overwrite .*ca\.crt and .*ca\.key/);
  assert.match(again.stderr, /--force/);
  assert.equal(readFileSync(join(caDir, 'ca.key'), 'utf8'), before, 'the old key is untouched');
});

test('certs init-ca --force replaces the CA, and --json prints only JSON', async () => {
  const dir = join(work, 'ca2');
  assert.equal((await runCli(['certs', 'init-ca', '--out', dir, '--days', '2'], { env, cwd: work })).code, 0);
  chmodSync(join(dir, 'ca.key'), 0o644);
  const forced = await runCli(['--json', 'certs', 'init-ca', '--out', dir, '--days', '2', '--force'], { env, cwd: work });
  assert.equal(forced.code, 0, forced.stderr);
  const result = JSON.parse(forced.stdout) as Record<string, unknown>;
  assert.equal(result['key_path'], join(dir, 'ca.key'));
  assert.match(String(result['fingerprint_sha256']), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(mode(join(dir, 'ca.key')), 0o600, '--force also restores the key mode');
});

test('certs issue makes a node pair that openssl verifies against the CA', async () => {
  const issued = await runCli(
    [
      'certs',
      'issue',
      'node1',
      '--ca',
      caDir,
      '--dns',
      'node1.anode.internal',
      'node1',
      '--ip',
      '10.0.0.11',
      'fd00::11',
      '--out',
      nodeDir,
      '--days',
      '10',
    ],
    { env, cwd: work },
  );
  assert.equal(issued.code, 0, issued.stderr);
  assert.equal(mode(join(nodeDir, 'node1.key')), 0o600);
  const verify = execFileSync('openssl', ['verify', '-CAfile', join(caDir, 'ca.crt'), join(nodeDir, 'node1.crt')], { encoding: 'utf8' });
  assert.match(verify, /node1\.crt: OK/);
  const purpose = execFileSync(
    'openssl',
    ['verify', '-purpose', 'sslclient', '-CAfile', join(caDir, 'ca.crt'), join(nodeDir, 'node1.crt')],
    { encoding: 'utf8' },
  );
  assert.match(purpose, /OK/);

  const again = await runCli(['certs', 'issue', 'node1', '--ca', caDir, '--dns', 'node1', '--out', nodeDir], { env, cwd: work });
  assert.equal(again.code, 5, 'an existing node pair is not replaced without --force');
});

test('certs inspect reports names, usages and days left, as a table or JSON', async () => {
  const human = await runCli(['certs', 'inspect', join(nodeDir, 'node1.crt')], { env, cwd: work });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /Subject:\s+CN=node1, O=Anode/);
  assert.match(human.stdout, /SANs:\s+DNS:node1\.anode\.internal, DNS:node1, IP:10\.0\.0\.11, IP:fd00::11/);
  assert.match(human.stdout, /Ext key usage:\s+serverAuth, clientAuth/);
  assert.doesNotMatch(human.stdout, /\u001b\[/, 'no colour when stdout is a pipe');

  const json = await runCli(['certs', 'inspect', join(caDir, 'ca.crt'), '--json'], { env, cwd: work });
  assert.equal(json.code, 0);
  const info = JSON.parse(json.stdout) as {
    is_ca: boolean;
    key_usage: string[];
    days_left: number;
    self_signed: boolean;
    public_key: string;
  };
  assert.equal(info.is_ca, true);
  assert.equal(info.self_signed, true);
  assert.equal(info.public_key, 'RSA 4096');
  assert.deepEqual(info.key_usage, ['digitalSignature', 'keyCertSign', 'cRLSign']);
  assert.ok(info.days_left >= 29 && info.days_left <= 30);
  for (const key of Object.keys(info)) assert.match(key, /^[a-z0-9_]+$/, `snake_case key ${key}`);
  const yaml = await runCli(['certs', 'inspect', join(caDir, 'ca.crt'), '-o', 'yaml'], { env, cwd: work });
  assert.equal(yaml.code, 0, yaml.stderr);
  assert.match(yaml.stdout, /^is_ca: true$/m);
});

test('certs commands fail with the documented exit codes', async () => {
  const missing = await runCli(['certs', 'inspect', join(work, 'nope.crt')], { env, cwd: work });
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope\.crt: no such file/);

  writeFileSync(join(work, 'junk.crt'), 'not a certificate');
  const junk = await runCli(['certs', 'inspect', join(work, 'junk.crt')], { env, cwd: work });
  assert.equal(junk.code, 1);
  assert.match(junk.stderr, /not an X\.509 certificate/);

  const badIp = await runCli(['certs', 'issue', 'n2', '--ca', caDir, '--ip', '10.0.0.300', '--out', nodeDir], { env, cwd: work });
  assert.equal(badIp.code, 2);
  assert.match(badIp.stderr, /not an IP address/);

  const noCa = await runCli(['certs', 'issue', 'n2', '--dns', 'n2', '--out', nodeDir], { env, cwd: work });
  assert.equal(noCa.code, 2);
  assert.match(noCa.stderr, /--ca <dir> is required/);

  const wrongCa = await runCli(['certs', 'issue', 'n2', '--ca', join(work, 'empty'), '--dns', 'n2', '--out', nodeDir], { env, cwd: work });
  assert.equal(wrongCa.code, 3);

  const traversal = await runCli(['certs', 'issue', '../evil', '--ca', caDir, '--dns', 'n2', '--out', nodeDir], { env, cwd: work });
  assert.equal(traversal.code, 2);
  assert.match(traversal.stderr, /invalid node name/);
});
