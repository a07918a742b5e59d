// `credentials report` flags what the seed asks (a never-used key, grants on every bucket,
// an unused admin role; exit 10 with --strict), and `credentials reseal` moves every
// secret to a new master key on the running node: keys keep working, before and after a
// restart, and a re-seal interrupted by a stop is finished at start-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';
import type { CredentialsReportResponse } from '../../shared/src/admin-api/security-types.js';
import { isolatedEnv, runCli } from './run-cli.js';

let node: AnodeNode;
let admin: AdminClient;
let env: Record<string, string>;
const keys: Record<string, { accessKey: string; client: S3Client }> = {};
const bucket = uniqueBucket('report');

before(async () => {
  node = await startNode();
  admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  env = { ...isolatedEnv(), ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey };
  await sdkClient(node).send(new CreateBucketCommand({ Bucket: bucket }));
  const make = async (user: string, role: 'user' | 'admin', permissions: string[] = []) => {
    const c = await admin.createCredential({ user, role, permissions });
    keys[user] = {
      accessKey: c.access_key,
      client: sdkClient(node, { credentials: { accessKeyId: c.access_key, secretAccessKey: c.secret_key } }),
    };
  };
  await make('alice', 'user');
  await make('writer', 'user', ['write']);
  await make('ops', 'admin');
  await make('carol', 'user');
  await admin.putBucketPermissions(bucket, { 'user:carol': ['read'] });
  await keys['writer']!.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'w.txt', Body: 'w' }));
  await keys['carol']!.client.send(new ListBucketsCommand({}));
});
after(async () => node.cleanup());

async function report(): Promise<CredentialsReportResponse> {
  const r = await runCli(['--json', 'credentials', 'report'], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as CredentialsReportResponse;
}

test('the report lists every active key with owner, role, age, last use, buckets and findings', async () => {
  // Last use is coalesced by the store: give the touch a moment.
  await new Promise((r) => setTimeout(r, 300));
  const r = await report();
  const by = new Map(r.credentials.map((c) => [c.user, c]));
  assert.deepEqual(by.get('alice')?.findings, ['never-used'], JSON.stringify(by.get('alice')));
  assert.deepEqual(by.get('alice')?.buckets, []);
  assert.ok(by.get('writer')?.findings.includes('grants-on-every-bucket'));
  assert.deepEqual(by.get('writer')?.buckets, ['*']);
  assert.ok(by.get('writer')?.last_used !== null);
  assert.deepEqual(by.get('ops')?.findings.sort(), ['admin-role-unused', 'never-used']);
  assert.deepEqual(by.get('carol')?.buckets, [bucket]);
  assert.deepEqual(by.get('carol')?.findings, []);
  const root = by.get('root')!;
  assert.equal(root.role, 'admin');
  assert.ok(!root.findings.includes('admin-role-unused'), 'root made admin calls (audited)');
  assert.equal(root.age_days, 0);
  assert.equal(
    r.findings,
    r.credentials.reduce((n, c) => n + c.findings.length, 0),
  );

  const human = await runCli(['credentials', 'report'], { env });
  assert.equal(human.code, 0);
  assert.match(human.stdout, new RegExp(`${keys['alice']!.accessKey} \\(alice\\): never used`));
  assert.match(human.stdout, /credential-level permission \[write\] applies to every bucket/);
  const strict = await runCli(['credentials', 'report', '--strict'], { env });
  assert.equal(strict.code, 10, strict.stderr);
  assert.match(strict.stderr, /finding/);
});

test('reseal moves every secret to a new master key without a restart; keys keep working, also after a restart', async () => {
  // The credential master key lives outside the data dir: [auth] master_key_file, default ~/.config/anode (HOME is the node's base dir).
  const keyPath = join(dirname(node.dataDir), '.config', 'anode', 'master.key');
  const before = readFileSync(keyPath);
  const r = await runCli(['--json', '--yes', 'credentials', 'reseal'], { env });
  assert.equal(r.code, 0, r.stderr);
  const answer = JSON.parse(r.stdout) as { resealed: number; previous_key: string; new_key: string };
  assert.equal(answer.resealed, 5);
  assert.notEqual(answer.previous_key, answer.new_key);
  const after = readFileSync(keyPath);
  assert.equal(after.length, 32);
  assert.ok(!after.equals(before), 'the master key file holds a new key');
  assert.equal(existsSync(`${keyPath}.next`), false);
  // No restart: every key still signs.
  await sdkClient(node).send(new ListBucketsCommand({}));
  await keys['carol']!.client.send(new ListBucketsCommand({}));
  // One audit line, naming the keys by fingerprint only.
  const audit = readFileSync(node.auditLog, 'utf8');
  const line = audit.split('\n').find((l) => l.includes('"credentials.reseal"'));
  assert.ok(line, 'audited');
  assert.ok(line.includes(answer.new_key) && !line.includes(after.toString('hex')) && !line.includes(after.toString('base64')));
  // Without --yes and no terminal: refused.
  assert.equal((await runCli(['credentials', 'reseal'], { env })).code, 5);

  await node.restart();
  await sdkClient(node).send(new ListBucketsCommand({}));
  await keys['carol']!.client.send(new ListBucketsCommand({}));
});

test('a re-seal interrupted by a stop (the .next key on disk) is finished at start-up', async () => {
  // The credential master key lives outside the data dir: [auth] master_key_file, default ~/.config/anode (HOME is the node's base dir).
  const keyPath = join(dirname(node.dataDir), '.config', 'anode', 'master.key');
  await node.stop();
  const next = randomBytes(32);
  writeFileSync(`${keyPath}.next`, next, { mode: 0o600 });
  await node.restart();
  assert.ok(readFileSync(keyPath).equals(next), 'the master key is now the .next key');
  assert.equal(existsSync(`${keyPath}.next`), false);
  await sdkClient(node).send(new ListBucketsCommand({}));
  await keys['alice']!.client.send(new ListBucketsCommand({}));
});
