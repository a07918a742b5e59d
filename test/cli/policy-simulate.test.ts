// `policy simulate` against a table of policies agrees with what the node actually does
// for the same requests (AWS SDK and unsigned fetch), because both go through the one
// authorizer; a real denial is explained by `policy explain REQUEST-ID`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { AdminClient } from '../../shared/src/admin-api/client.js';
import type { PolicySimulateResponse } from '../../shared/src/admin-api/security-types.js';
import { isolatedEnv, runCli } from './run-cli.js';

let node: AnodeNode;
let admin: AdminClient;
let root: S3Client;
const users: Record<string, S3Client> = {};
const bucket = uniqueBucket('sim');
let env: Record<string, string>;

before(async () => {
  node = await startNode();
  admin = new AdminClient({ endpoint: node.adminUrl, credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey } });
  env = { ...isolatedEnv(), ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey };
  root = sdkClient(node);
  await root.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const key of ['obj.txt', 'secret.txt', 'uploads/a.txt'])
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  const make = async (user: string, permissions: string[] = []) => {
    const c = await admin.createCredential({ user, permissions });
    users[user] = sdkClient(node, { credentials: { accessKeyId: c.access_key, secretAccessKey: c.secret_key } });
  };
  await make('alice');
  await make('bob', ['read']); // credential-level grant: every bucket
  await make('carol');
  await admin.putBucketPermissions(bucket, { 'user:carol': ['write'] });
});
after(async () => node.cleanup());

const arn = (rest = '') => `arn:aws:s3:::${bucket}${rest}`;
const userArn = (u: string) => `arn:aws:iam::000000000000:user/${u}`;

const POLICIES: Record<string, object | null> = {
  none: null,
  publicRead: {
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: arn('/*') }],
  },
  aliceFromLoopback: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AliceLoopback',
        Effect: 'Allow',
        Principal: { AWS: userArn('alice') },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: [arn(), arn('/*')],
        Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
      },
    ],
  },
  aliceElsewhere: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AliceOffice',
        Effect: 'Allow',
        Principal: { AWS: userArn('alice') },
        Action: 's3:GetObject',
        Resource: arn('/*'),
        Condition: { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } },
      },
    ],
  },
  denySecret: {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'DenySecret', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: arn('/secret*') },
      { Sid: 'AliceAll', Effect: 'Allow', Principal: { AWS: userArn('alice') }, Action: 's3:*', Resource: [arn(), arn('/*')] },
    ],
  },
  uploadsOnly: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: userArn('alice') }, Action: 's3:PutObject', Resource: arn('/uploads/*') }],
  },
};

interface Req {
  who: string; // user name or '*'
  action: string;
  key?: string;
}

const REQUESTS: Req[] = [
  { who: '*', action: 's3:GetObject', key: 'obj.txt' },
  { who: '*', action: 's3:PutObject', key: 'anon.txt' },
  { who: 'alice', action: 's3:GetObject', key: 'obj.txt' },
  { who: 'alice', action: 's3:GetObject', key: 'secret.txt' },
  { who: 'alice', action: 's3:PutObject', key: 'uploads/x.txt' },
  { who: 'alice', action: 's3:PutObject', key: 'other.txt' },
  { who: 'alice', action: 's3:ListBucket' },
  { who: 'bob', action: 's3:GetObject', key: 'secret.txt' },
  { who: 'bob', action: 's3:PutObject', key: 'bob.txt' },
  { who: 'carol', action: 's3:PutObject', key: 'carol.txt' },
  { who: 'carol', action: 's3:GetObject', key: 'obj.txt' },
];

/** Does the node allow it? true/false, and the request id of a denial. */
async function actual(r: Req): Promise<{ allowed: boolean; requestId?: string }> {
  if (r.who === '*') {
    const res = await fetch(`${node.s3Url}/${bucket}/${r.key ?? ''}`, {
      method: r.action === 's3:PutObject' ? 'PUT' : 'GET',
      ...(r.action === 's3:PutObject' ? { body: 'x' } : {}),
    });
    await res.arrayBuffer();
    if (res.status === 403) return { allowed: false, requestId: res.headers.get('x-amz-request-id') ?? '' };
    assert.ok(res.status < 300, `anonymous ${r.action} ${r.key}: ${res.status}`);
    return { allowed: true };
  }
  const client = users[r.who]!;
  try {
    if (r.action === 's3:GetObject')
      await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: r.key }))).Body?.transformToString();
    else if (r.action === 's3:PutObject') await client.send(new PutObjectCommand({ Bucket: bucket, Key: r.key, Body: 'x' }));
    else await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    return { allowed: true };
  } catch (e) {
    if (e instanceof S3ServiceException && e.name === 'AccessDenied') return { allowed: false, requestId: e.$metadata.requestId ?? '' };
    throw e;
  }
}

async function simulate(r: Req): Promise<PolicySimulateResponse> {
  return admin.call('simulatePolicy', {
    body: {
      bucket,
      principal: r.who === '*' ? '*' : `user:${r.who}`,
      action: r.action,
      ...(r.key !== undefined ? { key: r.key } : {}),
      conditions: { 'aws:SourceIp': ['127.0.0.1'], 'aws:SecureTransport': ['false'] },
    },
  });
}

test('simulate agrees with the node for every policy × request in the table, and explain matches simulate', async () => {
  let denials = 0;
  for (const [name, policy] of Object.entries(POLICIES)) {
    if (policy === null) await root.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    else await root.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    for (const r of REQUESTS) {
      const label = `${name}: ${r.who} ${r.action} ${r.key ?? ''}`;
      const sim = await simulate(r);
      const real = await actual(r);
      assert.equal(
        sim.allowed,
        real.allowed,
        `${label}: simulate says ${sim.allowed ? 'allow' : 'deny'} (${sim.decided_by}), the node ${real.allowed ? 'allowed' : 'denied'}`,
      );
      if (!real.allowed) {
        denials++;
        const explained = await admin.call('explainDenial', { params: { requestId: real.requestId! } });
        assert.equal(explained.allowed, false, label);
        assert.equal(explained.decided_by, sim.decided_by, `${label}: explain and simulate give the same why`);
        assert.equal(explained.action, r.action);
      }
    }
  }
  assert.ok(denials > 10, `the table exercises denials (${denials})`);
});

test('the why names the Sid, the statement index, the grant, the ACL grant or the implicit deny; conditions are shown', async () => {
  await root.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(POLICIES['denySecret']) }));
  const deny = await simulate({ who: 'alice', action: 's3:GetObject', key: 'secret.txt' });
  assert.equal(deny.decided_by, 'explicit deny: statement Sid "DenySecret" (#0)');
  const allowed = await simulate({ who: 'alice', action: 's3:GetObject', key: 'obj.txt' });
  assert.equal(allowed.decided_by, 'allow: statement Sid "AliceAll" (#1)');
  await root.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(POLICIES['uploadsOnly']) }));
  assert.equal((await simulate({ who: 'alice', action: 's3:PutObject', key: 'uploads/y' })).decided_by, 'allow: statement #0');
  const implicit = await simulate({ who: 'alice', action: 's3:PutObject', key: 'y' });
  assert.match(implicit.decided_by, /^implicit deny: no statement matched/);
  assert.match(
    (await simulate({ who: 'carol', action: 's3:PutObject', key: 'y' })).decided_by,
    /bucket permission grant user:carol=\[write\]/,
  );
  assert.match((await simulate({ who: 'bob', action: 's3:GetObject', key: 'y' })).decided_by, /credential permission grant \[read\]/);

  await root.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(POLICIES['aliceElsewhere']) }));
  const cond = await simulate({ who: 'alice', action: 's3:GetObject', key: 'obj.txt' });
  assert.equal(cond.allowed, false);
  const c = cond.statements[0]!.conditions[0]!;
  assert.deepEqual(
    [c.operator, c.key, c.policy_values, c.request_values, c.holds],
    ['IpAddress', 'aws:SourceIp', ['198.51.100.0/24'], ['127.0.0.1'], false],
  );

  // ACL grant: a public-read object in a bucket with no policy.
  await root.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  await root.send(new PutObjectCommand({ Bucket: bucket, Key: 'public.txt', Body: 'p', ACL: 'public-read' }));
  const acl = await simulate({ who: '*', action: 's3:GetObject', key: 'public.txt' });
  assert.equal(acl.allowed, true);
  assert.match(acl.decided_by, /ACL grant AllUsers READ on the object/);
});

test('anodectl policy simulate and explain: human output, --json, usage errors', async () => {
  await root.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(POLICIES['aliceElsewhere']) }));
  const human = await runCli(
    [
      'policy',
      'simulate',
      bucket,
      '--principal',
      'user:alice',
      '--action',
      's3:GetObject',
      '--key',
      'obj.txt',
      '--condition',
      'aws:SourceIp=198.51.100.7',
    ],
    { env },
  );
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^ALLOW {2}user:alice/);
  assert.match(human.stdout, /why: allow: statement Sid "AliceOffice" \(#0\)/);
  assert.match(human.stdout, /holds {2}IpAddress aws:SourceIp \[198\.51\.100\.0\/24\] vs request \[198\.51\.100\.7\]/);
  const json = await runCli(['--json', 'policy', 'simulate', bucket, '--principal', '*', '--action', 's3:GetObject', '--key', 'obj.txt'], {
    env,
  });
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as PolicySimulateResponse;
  assert.equal(parsed.allowed, false);
  assert.match(parsed.decided_by, /implicit deny: no statement matched/);
  assert.equal((await runCli(['policy', 'simulate', bucket, '--principal', 'alice', '--action', 's3:GetObject'], { env })).code, 2);
  assert.equal(
    (await runCli(['policy', 'simulate', bucket, '--principal', '*', '--action', 's3:GetObject', '--condition', 'novalue'], { env })).code,
    2,
  );

  const denied = await actual({ who: 'alice', action: 's3:GetObject', key: 'obj.txt' });
  assert.equal(denied.allowed, false);
  const explain = await runCli(['policy', 'explain', denied.requestId!], { env });
  assert.equal(explain.code, 0, explain.stderr);
  assert.match(explain.stdout, new RegExp(`request ${denied.requestId!} at .* from 127\\.0\\.0\\.1: GetObject ${bucket}/obj\\.txt`));
  assert.match(explain.stdout, /fails {2}IpAddress aws:SourceIp \[198\.51\.100\.0\/24\] vs request \[127\.0\.0\.1\]/);
  const unknown = await runCli(['policy', 'explain', '0123456789ABCDEF'], { env });
  assert.equal(unknown.code, 3, unknown.stderr);
});
