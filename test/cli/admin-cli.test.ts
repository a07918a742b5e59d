// anodectl's admin-API commands end to end: real anodectl processes against a real node,
// an isolated HOME (file secret store), --json for assertions, exit codes for refusals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { isolatedEnv, runCli, REPO, type CliResult } from './run-cli.js';

let node: AnodeNode;
let env: Record<string, string>;
const work = mkdtempSync(join(tmpdir(), 'anodectl-admin-'));
const bucket = uniqueBucket('cli');

async function cli(args: string[], input?: string): Promise<CliResult> {
  return runCli(args, { env, ...(input !== undefined ? { input } : {}) });
}

async function ok(args: string[], input?: string): Promise<CliResult> {
  const r = await cli(args, input);
  assert.equal(r.code, 0, `anodectl ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  return r;
}

async function json<T>(args: string[]): Promise<T> {
  return JSON.parse((await ok(['--json', ...args])).stdout) as T;
}

before(async () => {
  node = await startNode();
  const home = isolatedEnv({ ANODE_KEYRING: 'file' });
  env = { ...home, ANODE_S3_ENDPOINT: node.s3Url };
  const s3 = sdkClient(node);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'public.txt', Body: 'for everyone' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'private.txt', Body: 'for the owner' }));
});

after(async () => {
  await node.cleanup();
});

test('login checks the credential, stores the secret in a 0600 file and never in config.yaml', async () => {
  const wrong = await cli(
    ['--endpoint', node.adminUrl, 'login', '--access-key', node.accessKey, '--secret-stdin'],
    'not-the-secret-at-all-00000000000000000',
  );
  assert.equal(wrong.code, 4, wrong.stderr);
  assert.match(wrong.stderr, /SignatureDoesNotMatch/);

  const down = await cli(['--endpoint', 'http://127.0.0.1:1', 'login', '--access-key', node.accessKey, '--secret-stdin'], node.secretKey);
  assert.equal(down.code, 6, down.stderr);

  const noSecret = await cli(['--endpoint', node.adminUrl, 'login', '--access-key', node.accessKey]);
  assert.equal(noSecret.code, 2, 'no terminal and no --secret-stdin: a usage error, not a hang');

  const r = await ok(
    ['--json', '--endpoint', node.adminUrl, 'login', '--access-key', node.accessKey, '--secret-stdin'],
    `${node.secretKey}\n`,
  );
  const out = JSON.parse(r.stdout) as { profile: string; secret_store: string; secret_location: string };
  assert.equal(out.profile, 'default');
  assert.equal(out.secret_store, 'file');
  const config = readFileSync(join(env['XDG_CONFIG_HOME']!, 'anode', 'config.yaml'), 'utf8');
  assert.match(config, new RegExp(node.accessKey));
  assert.ok(!config.includes(node.secretKey), 'config.yaml holds no secret');
  const secretFile = join(env['XDG_CONFIG_HOME']!, 'anode', 'secrets', 'default');
  assert.equal(statSync(secretFile).mode & 0o777, 0o600);
  assert.equal(readFileSync(secretFile, 'utf8').trim(), node.secretKey);
  assert.ok(!r.stdout.includes(node.secretKey) && !r.stderr.includes(node.secretKey), 'login never prints the secret');
});

test('login --credentials-file reads the node root-credentials format into a second profile', async () => {
  const file = join(work, 'root-credentials');
  writeFileSync(file, `[default]\naws_access_key_id = ${node.accessKey}\naws_secret_access_key = ${node.secretKey}\n`, { mode: 0o600 });
  await ok(['--profile', 'second', '--endpoint', node.adminUrl, 'login', '--credentials-file', file]);
  const list = await json<{ current: string; profiles: { name: string }[] }>(['profile', 'list']);
  assert.equal(list.current, 'second');
  assert.deepEqual(list.profiles.map((p) => p.name).sort(), ['default', 'second']);
  await ok(['profile', 'use', 'default']);
  const refused = await cli(['profile', 'delete', 'second']);
  assert.equal(refused.code, 5, 'delete asks first; no TTY and no --yes refuses');
  await ok(['--yes', 'profile', 'delete', 'second']);
  assert.equal((await cli(['profile', 'use', 'second'])).code, 3);
});

test('status prints a summary, --json the full document', async () => {
  const human = await ok(['status']);
  assert.match(human.stdout, /Version:\s+0\.1\.0/);
  assert.match(human.stdout, /Read-only:\s+off/);
  const s = await json<{ admin_listen: string; credentials: { admin: number } }>(['status']);
  assert.equal(s.admin_listen, `127.0.0.1:${node.adminPort}`);
  assert.ok(s.credentials.admin >= 1);
});

test('credentials create prints the secret once; list never; rotate and revoke ask before they cut a key', async () => {
  const created = await json<{ access_key: string; secret_key: string; permissions: string[] }>([
    'credentials',
    'create',
    '--user',
    'alice',
    '--permission',
    'read',
    'write',
  ]);
  assert.deepEqual(created.permissions, ['read', 'write']);
  const human = await ok(['credentials', 'create', '--user', 'bob', '--role', 'admin']);
  assert.match(human.stdout, /Secret key:\s+\S{40}/);
  assert.match(human.stdout, /shown only this once/);

  const list = await ok(['credentials', 'list']);
  assert.match(list.stdout, new RegExp(created.access_key));
  assert.ok(!list.stdout.includes(created.secret_key));

  const badRole = await cli(['credentials', 'create', '--user', 'x', '--role', 'root']);
  assert.equal(badRole.code, 2);

  const rotated = await json<{ credential: { access_key: string }; previous: { status: string; expires: string } }>([
    'credentials',
    'rotate',
    created.access_key,
    '--grace',
    '1h',
  ]);
  assert.equal(rotated.previous.status, 'expiring');

  const noYes = await cli(['credentials', 'revoke', rotated.credential.access_key]);
  assert.equal(noYes.code, 5);
  assert.match(noYes.stderr, /--yes/);
  await ok(['--yes', 'credentials', 'revoke', rotated.credential.access_key]);
  const all = await json<{ access_key: string; status: string }[]>(['credentials', 'list', '--all']);
  assert.equal(all.find((c) => c.access_key === rotated.credential.access_key)?.status, 'revoked');
  const missing = await cli(['--yes', 'credentials', 'revoke', 'AKIANOSUCHKEY0000000']);
  assert.equal(missing.code, 3);
});

test('buckets list and permissions set/get', async () => {
  const buckets = await json<{ name: string; object_count: number }[]>(['buckets', 'list']);
  assert.equal(buckets.find((b) => b.name === bucket)?.object_count, 2);
  await ok(['buckets', 'permissions', 'set', bucket, '--grant', 'user:alice=read,write', '--grant', 'carol=read']);
  const got = await json<{ permissions: Record<string, string[]> }>(['buckets', 'permissions', 'get', bucket]);
  assert.deepEqual(got.permissions, { 'user:alice': ['read', 'write'], 'user:carol': ['read'] });
  const file = join(work, 'perms.json');
  writeFileSync(file, JSON.stringify({ 'user:alice': ['read'] }));
  await ok(['buckets', 'permissions', 'set', bucket, '--file', file]);
  assert.deepEqual((await json<{ permissions: Record<string, string[]> }>(['buckets', 'permissions', 'get', bucket])).permissions, {
    'user:alice': ['read'],
  });
  const bad = await cli(['buckets', 'permissions', 'set', bucket, '--grant', 'user:alice=fly']);
  assert.equal(bad.code, 2);
  assert.equal((await cli(['buckets', 'permissions', 'get', 'no-such-bucket'])).code, 3);
});

test('acl set public-read opens one object to anonymous readers; the private one stays 403', async () => {
  const anon = (key: string) => fetch(`${node.s3Url}/${bucket}/${key}`);
  assert.equal((await anon('public.txt')).status, 403);
  assert.equal((await cli(['acl', 'set', bucket, 'public.txt', '--canned', 'public-read'])).code, 5, 'widening an ACL asks first');
  await ok(['--yes', 'acl', 'set', bucket, 'public.txt', '--canned', 'public-read']);
  const res = await anon('public.txt');
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'for everyone');
  assert.equal((await anon('private.txt')).status, 403);

  const acl = await json<{ grants: { grantee: { uri?: string }; permission: string }[] }>(['acl', 'get', bucket, 'public.txt']);
  assert.ok(acl.grants.some((g) => g.grantee.uri === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.permission === 'READ'));
  const human = await ok(['acl', 'get', bucket]);
  assert.match(human.stdout, /FULL_CONTROL/);
  await ok(['acl', 'set', bucket, 'public.txt', '--canned', 'private']);
  assert.equal((await anon('public.txt')).status, 403);
});

test('policy validate works offline; set/get/delete go through the S3 API', async () => {
  const good = join(work, 'good.json');
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'pub', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
  };
  writeFileSync(good, JSON.stringify(policy));
  const offline = await runCli(['policy', 'validate', bucket, '--file', good], { env: isolatedEnv() });
  assert.equal(offline.code, 0, offline.stderr);
  const bad = join(work, 'bad.json');
  writeFileSync(bad, JSON.stringify({ Statement: [{ Effect: 'Permit', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }] }));
  const invalid = await runCli(['policy', 'validate', bucket, '--file', bad], { env: isolatedEnv() });
  assert.equal(invalid.code, 1);
  for (const needle of ['Version', 'Effect', 'Principal', 'does not name bucket']) assert.match(invalid.stderr, new RegExp(needle));
  assert.equal((await cli(['policy', 'set', bucket, '--file', bad])).code, 1, 'set refuses what validate refuses');

  await ok(['policy', 'set', bucket, '--file', good, '--yes']); // a public policy: asked about first
  const got = await json<{ Statement: { Sid: string }[] }>(['policy', 'get', bucket]);
  assert.equal(got.Statement[0]?.Sid, 'pub');
  assert.equal((await fetch(`${node.s3Url}/${bucket}/private.txt`)).status, 200, 'the policy opened the bucket');
  await ok(['--yes', 'policy', 'delete', bucket]);
  assert.equal((await fetch(`${node.s3Url}/${bucket}/private.txt`)).status, 403);
  const none = await cli(['policy', 'get', bucket]);
  assert.equal(none.code, 3);
  assert.match(none.stderr, /NoSuchBucketPolicy/);
});

test('readonly on/status/off and gc run --wait / status', async () => {
  assert.equal((await cli(['readonly', 'on'])).code, 5);
  await ok(['--yes', 'readonly', 'on']);
  assert.match((await ok(['readonly', 'status'])).stdout, /read-only: ON/);
  const refused = await cli(['credentials', 'create', '--user', 'late']);
  assert.equal(refused.code, 5);
  assert.match(refused.stderr, /read-only mode/);
  await ok(['readonly', 'off']);
  assert.equal((await json<{ read_only: boolean }>(['readonly', 'status'])).read_only, false);

  const gc = await json<{ running: boolean; last: { finished_at: string } | null }>(['gc', 'run', '--wait']);
  assert.equal(gc.running, false);
  assert.ok(gc.last !== null && gc.last.finished_at !== null);
  assert.match((await ok(['gc', 'status'])).stdout, /Last run:/);
});

test('block add/list/remove', async () => {
  const added = await json<{ cidrs: string[] }>(['block', 'add', '203.0.113.0/24']);
  assert.deepEqual(added.cidrs, ['203.0.113.0/24']);
  assert.match((await ok(['block', 'list'])).stdout, /203\.0\.113\.0\/24/);
  assert.equal((await cli(['block', 'add', 'nonsense'])).code, 2, 'checked by the CLI before any request');
  await ok(['--yes', 'block', 'remove', '203.0.113.0/24']);
  assert.deepEqual((await json<{ cidrs: string[] }>(['block', 'list'])).cidrs, []);
});

test('audit log shows admin actions; --follow prints new ones as they happen', async () => {
  const log = await json<{ entries: { action: string }[] }>(['audit', 'log', '--since', '1h']);
  const actions = log.entries.map((e) => e.action);
  for (const a of [
    'credentials.create',
    'credentials.rotate',
    'credentials.revoke',
    'buckets.permissions.set',
    'readonly.set',
    'blocklist.add',
  ])
    assert.ok(actions.includes(a), a);
  assert.match((await ok(['audit', 'log', '--limit', '3'])).stdout, /blocklist\.remove/);
  assert.equal((await cli(['audit', 'log', '--since', 'last tuesday'])).code, 2);

  const tsx = import.meta.resolve('tsx');
  const child = spawn(
    process.execPath,
    ['--import', tsx, join(REPO, 'cli/src/bin.ts'), '--json', 'audit', 'log', '--follow', '--limit', '1'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  try {
    await new Promise((r) => setTimeout(r, 3000));
    await ok(['block', 'add', '192.0.2.99']);
    const deadline = Date.now() + 10_000;
    while (!out.includes('192.0.2.99') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  } finally {
    child.kill('SIGTERM');
  }
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { action: string; cidr?: string });
  assert.ok(
    lines.some((l) => l.action === 'blocklist.add' && l.cidr === '192.0.2.99'),
    out,
  );
  assert.equal(lines.filter((l) => l.cidr === '192.0.2.99').length, 1, 'each entry printed once');
  await ok(['--yes', 'block', 'remove', '192.0.2.99']);
});

test('incident lockdown keeps only the caller, read-only on; incident status tells the story', async () => {
  const other = await json<{ access_key: string; secret_key: string }>(['credentials', 'create', '--user', 'ops', '--role', 'admin']);
  assert.equal((await cli(['incident', 'lockdown', '--reason', 'drill'])).code, 5);
  const r = await json<{ kept: string[]; read_only: boolean; revoked: number }>(['--yes', 'incident', 'lockdown', '--reason', 'drill']);
  assert.deepEqual(r.kept, [node.accessKey]);
  assert.equal(r.read_only, true);
  const st = await ok(['incident', 'status']);
  assert.match(st.stdout, /Reason:\s+drill/);
  assert.match(st.stdout, /Active credentials:\s+1/);
  const asOther = await runCli(['status'], {
    env: { ...env, ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: other.access_key, ANODE_SECRET_KEY: other.secret_key },
  });
  assert.equal(asOther.code, 4);
  assert.match(asOther.stderr, /InvalidAccessKeyId/);
  await ok(['readonly', 'off']);
});
