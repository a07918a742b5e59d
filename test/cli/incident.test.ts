// Incident response end to end on a real node: lockdown refuses an anonymous GET of a
// public object (and `[auth] anonymous = false` does so for good), ACL/policy/grant
// tightening still works in read-only mode while widening is refused, the steps lockdown
// prints run in the order printed, unlock lifts it, and `incident collect` packs
// evidence that verifies against its MANIFEST.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { expectS3Error, sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';
import { isolatedEnv, runCli, type CliResult } from './run-cli.js';

let node: AnodeNode;
let env: Record<string, string>;
const bucket = uniqueBucket('incident');
const policyBucket = uniqueBucket('incident-pol');
const work = mkdtempSync(join(tmpdir(), 'incident-'));

const anonGet = async (b: string, key: string) => {
  const res = await fetch(`${node.s3Url}/${b}/${key}`);
  await res.arrayBuffer();
  return res.status;
};

async function cli(args: string[], cwd?: string): Promise<CliResult> {
  return runCli(args, { env, ...(cwd !== undefined ? { cwd } : {}) });
}

before(async () => {
  node = await startNode();
  env = { ...isolatedEnv(), ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey };
  const s3 = sdkClient(node);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'public.txt', Body: 'for everyone', ACL: 'public-read' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'also-public.txt', Body: 'for everyone', ACL: 'public-read' }));
  await s3.send(new CreateBucketCommand({ Bucket: policyBucket }));
  await s3.send(new PutObjectCommand({ Bucket: policyBucket, Key: 'doc.txt', Body: 'policy-public' }));
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: policyBucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${policyBucket}/*` }],
      }),
    }),
  );
  const admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  await admin.createCredential({ user: 'app' });
  await admin.putBucketPermissions(bucket, { 'user:app': ['read', 'write'] });
});
after(async () => node.cleanup());

test('lockdown refuses anonymous GETs of public objects (ACL and "*" policy), prints steps that run in order, unlock restores', async () => {
  assert.equal(await anonGet(bucket, 'public.txt'), 200);
  assert.equal(await anonGet(policyBucket, 'doc.txt'), 200);

  const locked = await cli(['--yes', 'incident', 'lockdown', '--reason', 'key leaked in a paste']);
  assert.equal(locked.code, 0, locked.stderr);
  assert.match(locked.stdout, /anonymous access OFF/);
  assert.equal(await anonGet(bucket, 'public.txt'), 403, 'public ACL no longer honoured');
  assert.equal(await anonGet(policyBucket, 'doc.txt'), 403, '"*" policy no longer honoured');
  const sim = JSON.parse(
    (await cli(['--json', 'policy', 'simulate', bucket, '--principal', '*', '--action', 's3:GetObject', '--key', 'public.txt'])).stdout,
  ) as { allowed: boolean; decided_by: string };
  assert.equal(sim.allowed, false);
  assert.match(sim.decided_by, /anonymous access disabled: incident lockdown/);
  const st = await cli(['incident', 'status']);
  assert.match(st.stdout, /Lockdown:\s+ACTIVE/);
  assert.match(st.stdout, /Anonymous access:\s+refused/);
  const metrics = await (await fetch(`${node.adminUrl}/metrics`)).text();
  assert.match(metrics, /^anode_lockdown 1$/m);
  assert.match(metrics, /^anode_anonymous_access_enabled 0$/m);

  // The printed steps, run exactly as printed (plus --yes for their prompts and --json to read the new key).
  const steps = [...locked.stdout.matchAll(/^ {2}\d+\. (anodectl .+?) {2,}\(/gm)].map((m) => m[1]!.trim());
  assert.equal(steps.length, 5, locked.stdout);
  assert.match(steps[0]!, /^anodectl credentials rotate /);
  assert.equal(steps.at(-1), 'anodectl incident unlock');
  const cwd = mkdtempSync(join(work, 'steps-'));
  for (const step of steps) {
    const args = step.split(/\s+/).slice(1);
    const r = await cli(['--yes', '--json', ...args], cwd);
    assert.equal(r.code, 0, `"${step}" (as printed) failed with ${r.code}:\n${r.stderr}`);
    if (args[0] === 'credentials' && args[1] === 'rotate') {
      const rotated = JSON.parse(r.stdout) as { credential: { access_key: string; secret_key: string }; previous: { status: string } };
      assert.equal(rotated.previous.status, 'revoked', 'the old kept key stops at once');
      env = { ...env, ANODE_ACCESS_KEY: rotated.credential.access_key, ANODE_SECRET_KEY: rotated.credential.secret_key };
    }
  }
  const tarballs = readdirSync(cwd, { recursive: true }).filter((f) => String(f).endsWith('.tar.gz'));
  assert.equal(tarballs.length, 1, 'the collect step left its tarball');
  // Unlocked: anonymous access back, read-only off, one audit line.
  assert.equal(await anonGet(bucket, 'public.txt'), 200);
  assert.equal(await anonGet(policyBucket, 'doc.txt'), 200);
  const after = JSON.parse((await cli(['--json', 'incident', 'status'])).stdout) as { read_only: boolean; lockdown_active: boolean };
  assert.deepEqual([after.read_only, after.lockdown_active], [false, false]);
  assert.equal(
    readFileSync(node.auditLog, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"incident.unlock"')).length,
    1,
  );
  // Unlock prompts: no terminal and no --yes refuses.
  assert.equal((await cli(['incident', 'unlock'])).code, 5);
});

test('read-only allows tightening (private ACL, fewer grants, deleting a Deny-free policy) and refuses widening', async () => {
  const s3 = sdkClient(node, { credentials: { accessKeyId: env['ANODE_ACCESS_KEY']!, secretAccessKey: env['ANODE_SECRET_KEY']! } });
  const admin = new AdminClient({
    endpoint: node.adminUrl,
    credentials: { accessKeyId: env['ANODE_ACCESS_KEY']!, secretAccessKey: env['ANODE_SECRET_KEY']! },
  });
  await admin.setReadOnly(true);
  try {
    const widen = await expectS3Error(s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read-write' })), 'AccessDenied', 403);
    assert.match(widen.message, /read-only/);
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'also-public.txt', ACL: 'private' }));
    assert.equal(await anonGet(bucket, 'also-public.txt'), 403);
    await expectS3Error(
      s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'also-public.txt', ACL: 'public-read' })),
      'AccessDenied',
      403,
    );
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: policyBucket }));
    assert.equal(await anonGet(policyBucket, 'doc.txt'), 403);
    const ro = await expectS3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'nope.txt', Body: 'x' })), 'AccessDenied', 403);
    const why = await admin.call('explainDenial', { params: { requestId: ro.$metadata.requestId! } });
    assert.deepEqual([why.reason, why.operation, why.key], ['read-only', 'PutObject', 'nope.txt']);
    assert.match(why.decided_by, /^read-only mode/);
    // Admin grants: removing passes, adding is refused.
    await admin.putBucketPermissions(bucket, { 'user:app': ['read'] });
    const refused = await runCli(['--yes', 'buckets', 'permissions', 'set', bucket, '--grant', 'user:app=read,write'], { env });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /ReadOnlyMode|read-only/);
  } finally {
    await admin.setReadOnly(false);
  }
});

test('incident collect: one 0600 tarball whose files verify against its MANIFEST; logs of the window; audit verified', async () => {
  const out = join(work, 'evidence');
  const r = await cli(['--json', 'incident', 'collect', '--out', out, '--since', '1h']);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { tarball: string; files: { name: string; sha256: string }[] };
  assert.equal(statSync(res.tarball).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(out), [res.tarball.split('/').at(-1)], 'only the tarball is left');
  const dir = mkdtempSync(join(work, 'unpacked-'));
  const tar = spawnSync('tar', ['-xzf', res.tarball, '-C', dir], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  const check = spawnSync('sha256sum', ['-c', 'MANIFEST'], { cwd: dir, encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  const names = readFileSync(join(dir, 'MANIFEST'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('  ')[1]);
  for (const want of [
    'status.json',
    'incident-status.json',
    'blocklist.json',
    'credentials-report.json',
    'audit.jsonl',
    'audit-verify.json',
    'access.jsonl',
    'collect.json',
  ])
    assert.ok(names.includes(want), `${want} in the MANIFEST`);
  const verify = JSON.parse(readFileSync(join(dir, 'audit-verify.json'), 'utf8')) as { full_set: { ok: boolean }; window: { ok: boolean } };
  assert.equal(verify.full_set.ok, true);
  assert.equal(verify.window.ok, true, 'the extracted window is a contiguous, verifiable piece of the chain');
  assert.match(readFileSync(join(dir, 'audit.jsonl'), 'utf8'), /"incident\.lockdown"/);
  assert.match(readFileSync(join(dir, 'access.jsonl'), 'utf8'), /public\.txt/);
  // No secret in the evidence.
  const all = names.map((n) => readFileSync(join(dir, n!), 'utf8')).join('\n');
  assert.ok(!all.includes(node.secretKey) && !all.includes(env['ANODE_SECRET_KEY']!), 'no secret key in the evidence');
  // A changed file no longer matches.
  spawnSync('sh', ['-c', `echo x >> ${join(dir, 'blocklist.json')}`]);
  assert.notEqual(spawnSync('sha256sum', ['-c', '--quiet', 'MANIFEST'], { cwd: dir }).status, 0);
});

test('[auth] anonymous = false refuses anonymous access for good', async () => {
  const strict = await startNode({ env: { ANODE_AUTH_ANONYMOUS: 'false' } });
  try {
    const s3 = sdkClient(strict);
    await s3.send(new CreateBucketCommand({ Bucket: 'pub' }));
    await s3.send(new PutObjectCommand({ Bucket: 'pub', Key: 'p.txt', Body: 'p', ACL: 'public-read' }));
    const res = await fetch(`${strict.s3Url}/pub/p.txt`);
    await res.arrayBuffer();
    assert.equal(res.status, 403);
    const signed = await s3.send(new PutObjectCommand({ Bucket: 'pub', Key: 'q.txt', Body: 'q' }));
    assert.ok(signed.ETag);
    const metrics = await (await fetch(`${strict.adminUrl}/metrics`)).text();
    assert.match(metrics, /^anode_anonymous_access_enabled 0$/m);
  } finally {
    await strict.cleanup();
  }
});
