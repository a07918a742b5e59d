// `anodectl buckets create|list|delete` against a real node, and the -o formats of the
// listing commands: real anodectl processes, env credentials, an isolated HOME.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateMultipartUploadCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { parse as parseYaml } from 'yaml';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { isolatedEnv, runCli, type CliResult } from './run-cli.js';

let node: AnodeNode;
let env: Record<string, string>;

before(async () => {
  node = await startNode();
  env = isolatedEnv({ ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey });
});

after(async () => {
  await node.cleanup();
});

const cli = (args: string[]): Promise<CliResult> => runCli(args, { env });

async function ok(args: string[]): Promise<CliResult> {
  const r = await cli(args);
  assert.equal(r.code, 0, `anodectl ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  return r;
}

interface BucketRow {
  name: string;
  owner: string;
  object_count: number;
}

test('buckets create makes a private bucket S3 clients see; the name is checked before any request', async () => {
  const name = uniqueBucket('made');
  const created = JSON.parse((await ok(['buckets', 'create', name, '--owner', 'alice', '--json'])).stdout) as BucketRow;
  assert.equal(created.name, name);
  assert.equal(created.owner, 'alice');
  await sdkClient(node).send(new HeadBucketCommand({ Bucket: name }));
  const anonymous = sdkClient(node, { credentials: { accessKeyId: '', secretAccessKey: '' }, signer: { sign: async (r) => r } });
  await expectS3Error(anonymous.send(new ListObjectsV2Command({ Bucket: name })), 'AccessDenied', 403);

  const again = await cli(['buckets', 'create', name]);
  assert.equal(again.code, 5, again.stderr);
  assert.match(again.stderr, /already exists/);

  // No node at this endpoint: a usage error (2) proves no request was tried (that would be 6).
  const bad = await runCli(['--endpoint', 'http://127.0.0.1:1', 'buckets', 'create', 'Bad_Name'], { env });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /invalid bucket name "Bad_Name": a bucket name may contain only lowercase letters/);
});

test('buckets delete asks first, refuses without a terminal, and refuses a bucket that is not empty', async () => {
  const name = uniqueBucket('del');
  await ok(['buckets', 'create', name]);
  await sdkClient(node).send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: 'x' }));

  const noTty = await cli(['buckets', 'delete', name]);
  assert.equal(noTty.code, 5);
  assert.match(noTty.stderr, /refusing to continue without confirmation: Delete bucket/);
  assert.match(noTty.stderr, /pass --yes/);

  const notEmpty = await cli(['buckets', 'delete', name, '--yes']);
  assert.equal(notEmpty.code, 5, notEmpty.stderr);
  assert.match(notEmpty.stderr, /not empty/);
  await sdkClient(node).send(new HeadBucketCommand({ Bucket: name }));
});

test('buckets delete --force empties the bucket in batches (objects and uploads), with progress, then deletes it', async () => {
  const name = uniqueBucket('force');
  await ok(['buckets', 'create', name]);
  const s3 = sdkClient(node);
  const keys = Array.from({ length: 1005 }, (_, i) => `obj/${String(i).padStart(4, '0')}`);
  for (let i = 0; i < keys.length; i += 50)
    await Promise.all(keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: name, Key, Body: 'x' }))));
  await s3.send(new CreateMultipartUploadCommand({ Bucket: name, Key: 'pending' }));

  const r = await ok(['buckets', 'delete', name, '--force', '--yes']);
  assert.match(r.stdout, new RegExp(`deleted bucket ${name} \\(1005 objects deleted, 1 uploads aborted\\)`));
  assert.match(r.stderr, /emptying/, 'progress goes to stderr');
  await expectS3Error(s3.send(new HeadBucketCommand({ Bucket: name })), 'NotFound', 404);
  const json = JSON.parse((await ok(['--json', 'buckets', 'list'])).stdout) as BucketRow[];
  assert.ok(!json.some((b) => b.name === name));
});

test('listings: -o table fits 80 columns, -o wide adds columns, -o json and -o yaml give the same snake_case data', async () => {
  const name = `${uniqueBucket('a-rather-long-bucket-name')}`;
  await ok(['buckets', 'create', name, '--owner', 'some-long-user-name']);
  await ok(['credentials', 'create', '--user', 'a-user-with-a-long-name', '--role', 'user']);
  await ok(['block', 'add', '198.51.100.0/24']);
  for (const args of [
    ['buckets', 'list'],
    ['credentials', 'list'],
    ['block', 'list'],
    ['status'],
    ['gc', 'status'],
    ['readonly', 'status'],
    ['incident', 'status'],
    ['buckets', 'permissions', 'get', name],
  ]) {
    const table = await ok(args);
    for (const line of table.stdout.split('\n')) assert.ok(line.length <= 80, `${args.join(' ')}: ${line.length} columns: ${line}`);
    const json = JSON.parse((await ok([...args, '-o', 'json'])).stdout) as unknown;
    const shape = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' || typeof x === 'string' ? 0 : x));
    // status and gc status hold clocks (uptime, next run): compare their shape, the rest exactly.
    const same = (a: unknown, b: unknown, what: string): void =>
      ['status', 'gc'].includes(args[0]!) ? assert.equal(shape(a), shape(b), what) : assert.deepEqual(a, b, what);
    same(JSON.parse((await ok([...args, '--json'])).stdout), json, `${args.join(' ')}: --json is -o json`);
    same(parseYaml((await ok([...args, '-o', 'yaml'])).stdout), json, `${args.join(' ')}: yaml = json`);
    const keys = JSON.stringify(json).match(/"([^"]+)":/g) ?? [];
    for (const k of keys) if (!k.startsWith('"user:')) assert.match(k, /^"[a-z0-9_]+":$/, `${args.join(' ')}: key ${k}`);
  }
  const wide = await ok(['buckets', 'list', '-o', 'wide']);
  assert.match(wide.stdout, /REGION/);
  assert.match(wide.stdout, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  assert.doesNotMatch((await ok(['buckets', 'list'])).stdout, /REGION/);
  const creds = await ok(['credentials', 'list', '-o', 'wide']);
  assert.match(creds.stdout, /PERMISSIONS/);
});
