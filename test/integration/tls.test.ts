// Native TLS end to end, with real processes: anodectl makes a CA and a node certificate,
// anode serves S3 and admin over HTTPS with them, and aws-cli, the AWS SDK, anodectl and
// openssl reach it when they trust the CA — and refuse it when they do not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Agent, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, generateCredentials, NodeStartError, SERVER_MAIN } from '../helpers/anode-node.js';
import { isolatedClientEnv, requireTool, runCommand, runOk } from '../helpers/run-command.js';
import { isolatedEnv, runCli } from '../cli/run-cli.js';

const AWS = '/usr/bin/aws';
const work = mkdtempSync(join(tmpdir(), 'anode-tls-'));
const caDir = join(work, 'ca');
const certDir = join(work, 'certs');
const caFile = join(caDir, 'ca.crt');
const creds = generateCredentials();
let s3Port = 0;
let adminPort = 0;
let server: ChildProcess | undefined;
let serverLog = '';

/** GET https://127.0.0.1:port/health trusting only ca; resolves with the status or rejects with the TLS error. */
function healthOverTls(port: number, ca: Buffer | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(
      { host: '127.0.0.1', port, path: '/health', ...(ca !== undefined ? { ca } : {}), agent: false, timeout: 2000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

before(async () => {
  requireTool(AWS, 'awscli');
  requireTool('/usr/bin/openssl', 'openssl');
  const env = isolatedEnv();
  const ca = await runCli(['certs', 'init-ca', '--out', caDir, '--days', '30'], { env, cwd: work });
  assert.equal(ca.code, 0, ca.stderr);
  const issued = await runCli(
    ['certs', 'issue', 'node1', '--ca', caDir, '--dns', 'localhost', '--ip', '127.0.0.1', '--out', certDir, '--days', '30'],
    { env, cwd: work },
  );
  assert.equal(issued.code, 0, issued.stderr);

  s3Port = await freePort();
  adminPort = await freePort();
  server = spawn(process.execPath, [SERVER_MAIN, 'server', '--data', join(work, 'data')], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: work,
      NODE_ENV: 'test',
      ANODE_SERVER_S3_LISTEN: `127.0.0.1:${s3Port}`,
      ANODE_SERVER_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
      ANODE_ROOT_ACCESS_KEY: creds.accessKey,
      ANODE_ROOT_SECRET_KEY: creds.secretKey,
      ANODE_TLS_CERT: join(certDir, 'node1.crt'),
      ANODE_TLS_KEY: join(certDir, 'node1.key'),
    },
  });
  server.stdout?.on('data', (b: Buffer) => (serverLog += b.toString()));
  server.stderr?.on('data', (b: Buffer) => (serverLog += b.toString()));
  const caPem = readFileSync(caFile);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (server.exitCode !== null) throw new NodeStartError(`anode exited ${server.exitCode}:\n${serverLog}`);
    try {
      if ((await healthOverTls(adminPort, caPem)) === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new NodeStartError(`anode did not answer /health over TLS:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  }
  await rm(work, { recursive: true, force: true });
});

test('aws-cli with --ca-bundle makes a bucket, copies an object in and out and lists it over HTTPS', async () => {
  const env = await isolatedClientEnv(creds);
  const endpoint = `https://127.0.0.1:${s3Port}`;
  const common = ['--endpoint-url', endpoint, '--ca-bundle', caFile];
  const src = join(work, 'hello.txt');
  writeFileSync(src, 'hello over tls\n');
  await runOk(AWS, [...common, 's3', 'mb', 's3://tls-bucket'], { env });
  await runOk(AWS, [...common, 's3', 'cp', src, 's3://tls-bucket/dir/hello.txt'], { env });
  const ls = await runOk(AWS, [...common, 's3', 'ls', 's3://tls-bucket/dir/'], { env });
  assert.match(ls.stdout, /\s15 hello\.txt/);
  const back = join(work, 'back.txt');
  await runOk(AWS, [...common, 's3', 'cp', 's3://tls-bucket/dir/hello.txt', back], { env });
  assert.equal(readFileSync(back, 'utf8'), 'hello over tls\n');
});

test('aws-cli without the CA refuses the certificate', async () => {
  const env = await isolatedClientEnv(creds);
  const r = await runCommand(AWS, ['--endpoint-url', `https://127.0.0.1:${s3Port}`, 's3', 'ls'], { env });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /SSL validation failed|CERTIFICATE_VERIFY_FAILED/);
});

function sdk(ca: Buffer | undefined): S3Client {
  return new S3Client({
    endpoint: `https://127.0.0.1:${s3Port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey },
    requestHandler: { httpsAgent: new Agent(ca === undefined ? {} : { ca }) },
  });
}

test('the AWS SDK with an https agent trusting the CA works; without it the TLS handshake fails', async () => {
  const client = sdk(readFileSync(caFile));
  await client.send(new CreateBucketCommand({ Bucket: 'sdk-tls' }));
  await client.send(new PutObjectCommand({ Bucket: 'sdk-tls', Key: 'k', Body: 'payload' }));
  const got = await client.send(new GetObjectCommand({ Bucket: 'sdk-tls', Key: 'k' }));
  assert.equal(await got.Body?.transformToString(), 'payload');
  const names = (await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
  assert.ok(names?.includes('sdk-tls'));
  client.destroy();

  const untrusting = sdk(undefined);
  await assert.rejects(untrusting.send(new ListBucketsCommand({})), (err: NodeJS.ErrnoException) => {
    assert.match(String(err.code), /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    return true;
  });
  untrusting.destroy();
});

test('a plain https client without the CA is refused on the admin plane too', async () => {
  await assert.rejects(
    healthOverTls(adminPort, undefined),
    /self-signed certificate in certificate chain|unable to verify|unable to get local issuer/,
  );
  assert.equal(await healthOverTls(adminPort, readFileSync(caFile)), 200);
});

test('anodectl --ca ca.crt status reaches the admin API over HTTPS and reports TLS on', async () => {
  const env = isolatedEnv({
    ANODE_ENDPOINT: `https://127.0.0.1:${adminPort}`,
    ANODE_ACCESS_KEY: creds.accessKey,
    ANODE_SECRET_KEY: creds.secretKey,
  });
  const ok = await runCli(['--ca', caFile, '--json', 'status'], { env });
  assert.equal(ok.code, 0, ok.stderr);
  const status = JSON.parse(ok.stdout) as { tls: boolean; s3_listen: string };
  assert.equal(status.tls, true);
  assert.equal(status.s3_listen, `127.0.0.1:${s3Port}`);
  // The init-ca directory works as --ca as well.
  assert.equal((await runCli(['--ca', caDir, 'status'], { env })).code, 0);

  const refused = await runCli(['status'], { env });
  assert.notEqual(refused.code, 0, 'without --ca the node certificate is not trusted');
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /cannot verify the TLS certificate of https:\/\/127\.0\.0\.1:\d+ \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
  assert.match(refused.stderr, /hint: pass --ca/);
  assert.doesNotMatch(refused.stderr, /internal error/);
  assert.doesNotMatch(refused.stderr + refused.stdout, new RegExp(creds.secretKey.replace(/[+/]/g, '\\$&')), 'no secret in the error');
});

test('openssl s_client sees the node certificate, verified by the CA, for localhost and 127.0.0.1', async () => {
  const r = await runCommand(
    '/usr/bin/openssl',
    [
      's_client',
      '-connect',
      `127.0.0.1:${s3Port}`,
      '-servername',
      'localhost',
      '-CAfile',
      caFile,
      '-verify_return_error',
      '-verify_hostname',
      'localhost',
      '-showcerts',
    ],
    {
      env: { PATH: '/usr/bin:/bin' },
      input: '',
      timeoutMs: 20_000,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /subject=CN ?= ?node1/);
  assert.match(r.stdout, /Verify return code: 0 \(ok\)/);
  const ip = await runCommand(
    '/usr/bin/openssl',
    ['s_client', '-connect', `127.0.0.1:${adminPort}`, '-CAfile', caFile, '-verify_return_error', '-verify_ip', '127.0.0.1'],
    { env: { PATH: '/usr/bin:/bin' }, input: '', timeoutMs: 20_000 },
  );
  assert.equal(ip.code, 0, ip.stderr);
  assert.match(ip.stdout, /Verify return code: 0 \(ok\)/);

  const untrusted = await runCommand(
    '/usr/bin/openssl',
    ['s_client', '-connect', `127.0.0.1:${s3Port}`, '-verify_return_error', '-CApath', '/nonexistent'],
    { env: { PATH: '/usr/bin:/bin', SSL_CERT_FILE: '/nonexistent' }, input: '', timeoutMs: 20_000 },
  );
  assert.notEqual(untrusted.code, 0);
});

test('plain HTTP to the TLS port gets no answer: the handshake fails and the connection is dropped', async () => {
  const res = await fetch(`http://127.0.0.1:${s3Port}/`).then(
    (r) => r.status,
    () => 'dropped',
  );
  assert.equal(res, 'dropped');
});

test('TLS 1.2 offers only AEAD suites on both planes: AES128-SHA (CBC) is refused, ECDHE-GCM and ChaCha20 are accepted', async () => {
  const sClient = (port: number, args: string[]) =>
    runCommand('/usr/bin/openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', caFile, ...args], {
      env: { PATH: '/usr/bin:/bin' },
      input: '',
      timeoutMs: 20_000,
    });
  for (const port of [s3Port, adminPort]) {
    const cbc = await sClient(port, ['-tls1_2', '-cipher', 'AES128-SHA']);
    assert.notEqual(cbc.code, 0, `AES128-SHA accepted on ${port}:\n${cbc.stdout}`);
    assert.match(cbc.stderr + cbc.stdout, /handshake failure|no cipher|alert/i);
    for (const weak of ['AES256-SHA256', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES128-SHA', 'AES128-GCM-SHA256']) {
      const r = await sClient(port, ['-tls1_2', '-cipher', weak]);
      assert.notEqual(r.code, 0, `${weak} accepted on ${port}`);
    }
    const gcm = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256']);
    assert.equal(gcm.code, 0, gcm.stderr);
    assert.match(gcm.stdout, /Cipher is ECDHE-(ECDSA|RSA)-AES128-GCM-SHA256/);
    const chacha = await sClient(port, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305']);
    assert.equal(chacha.code, 0, chacha.stderr);
    const tls11 = await sClient(port, ['-tls1_1']);
    assert.notEqual(tls11.code, 0, 'TLS 1.1 refused');
    const tls13 = await sClient(port, ['-tls1_3']);
    assert.equal(tls13.code, 0, tls13.stderr);
  }
});
