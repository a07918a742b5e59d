/**
 * scripts/dev-cluster.sh, as the README shows it: `up --nodes 2 --dir DIR` starts a
 * private PostgreSQL and two nodes with certificates from anodectl, waits until both are
 * active and writes DIR/cluster.env with the documented variables; an object written
 * through node 1 reads back through node 2; `down --dir DIR` stops every process it started.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT } from '../helpers/anode-node.js';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'scripts', 'dev-cluster.sh');
let dir: string | undefined;

after(async () => {
  if (dir !== undefined) {
    await run('bash', [SCRIPT, 'down', '--dir', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('dev-cluster.sh up --nodes 2 / down', { timeout: 180_000 }, async () => {
  dir = await mkdtemp(join(tmpdir(), 'anode-devcluster-'));
  await run('bash', [SCRIPT, 'up', '--nodes', '2', '--dir', dir], { timeout: 150_000 });
  const env = parseEnv(await readFile(join(dir, 'cluster.env'), 'utf8'));
  for (const key of [
    'ROOT_ACCESS_KEY',
    'ROOT_SECRET_KEY',
    'CLUSTER_CA',
    ...[1, 2].flatMap((i) => [`NODE${i}_S3`, `NODE${i}_ADMIN`, `NODE${i}_GRPC`, `NODE${i}_PID`]),
  ])
    assert.ok(env[key] !== undefined && env[key] !== '', `${key} in cluster.env`);
  assert.match(env['NODE2_S3']!, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(env['NODE2_GRPC']!, /^127\.0\.0\.1:\d+$/);
  assert.match(await readFile(env['CLUSTER_CA']!, 'utf8'), /BEGIN CERTIFICATE/);
  const client = (url: string) =>
    new S3Client({
      endpoint: url,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: env['ROOT_ACCESS_KEY']!, secretAccessKey: env['ROOT_SECRET_KEY']! },
    });
  await client(env['NODE1_S3']!).send(new CreateBucketCommand({ Bucket: 'dev-cluster-test' }));
  await client(env['NODE1_S3']!).send(new PutObjectCommand({ Bucket: 'dev-cluster-test', Key: 'k', Body: 'hello cluster' }));
  const got = await client(env['NODE2_S3']!).send(new GetObjectCommand({ Bucket: 'dev-cluster-test', Key: 'k' }));
  assert.equal(await got.Body!.transformToString(), 'hello cluster');
  const pids = [Number(env['NODE1_PID']), Number(env['NODE2_PID'])];
  assert.ok(pids.every(alive));
  await run('bash', [SCRIPT, 'down', '--dir', dir], { timeout: 60_000 });
  assert.ok(!pids.some(alive), 'down stopped every node');
});
