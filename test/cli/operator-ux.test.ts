// Issue 13's operator experience against a real node: version, profiles (absolute CA path,
// rotating the profile's own key, deleting the current profile, logout), one-line errors
// for a wrong scheme or port, flags checked before any request, and the prompts in front
// of risky blocks and public policies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { isolatedEnv, runCli, REPO, type CliResult } from './run-cli.js';

let node: AnodeNode;
let envCreds: Record<string, string>;
const NO_NODE = 'http://127.0.0.1:1';
const pkg = JSON.parse(readFileSync(join(REPO, 'cli', 'package.json'), 'utf8')) as { version: string };

before(async () => {
  node = await startNode();
  envCreds = isolatedEnv({ ANODE_ENDPOINT: node.adminUrl, ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey });
});

after(async () => {
  await node.cleanup();
});

async function ok(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  const r = await runCli(args, { env, ...(input !== undefined ? { input } : {}) });
  assert.equal(r.code, 0, `anodectl ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  return r;
}

test('anodectl version prints the client version and the node version when it answers; still exit 0 when not', async () => {
  const up = JSON.parse((await ok(['version', '-o', 'json'], envCreds)).stdout) as {
    client: { version: string };
    node: { version: string; endpoint: string } | null;
  };
  assert.equal(up.client.version, pkg.version);
  assert.equal(up.node?.endpoint, node.adminUrl);
  assert.match(up.node?.version ?? '', /^\d+\.\d+\.\d+/);
  const human = await ok(['version'], envCreds);
  assert.match(human.stdout, new RegExp(`anodectl ${pkg.version.replace(/\./g, '\\.')}`));
  const down = JSON.parse((await ok(['--endpoint', NO_NODE, 'version', '--json'], envCreds)).stdout) as {
    node: null;
    node_error: string;
  };
  assert.equal(down.node, null);
  assert.match(down.node_error, /cannot reach/);
});

test('profiles: the CA path is stored absolute; rotating the profile own key updates the profile; deleting the current one says what next; logout', async () => {
  const env = isolatedEnv({ ANODE_KEYRING: 'file' });
  const cwd = join(env['HOME']!, 'work');
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'ca.pem'), 'not used over http');
  // login as root, then make an admin key for a second profile and log in with it.
  await ok(['--endpoint', node.adminUrl, 'login', '--access-key', node.accessKey, '--secret-stdin'], env, node.secretKey);
  const made = JSON.parse((await ok(['--json', 'credentials', 'create', '--user', 'ops', '--role', 'admin'], env)).stdout) as {
    access_key: string;
    secret_key: string;
  };
  const r = await runCli(
    ['--profile', 'ops', '--endpoint', node.adminUrl, '--ca', 'ca.pem', 'login', '--access-key', made.access_key, '--secret-stdin'],
    {
      env,
      cwd,
      input: made.secret_key,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  const configPath = join(env['XDG_CONFIG_HOME']!, 'anode', 'config.yaml');
  assert.match(readFileSync(configPath, 'utf8'), new RegExp(`ca: ${join(cwd, 'ca.pem').replace(/\//g, '\\/')}`), 'absolute CA path');

  // Rotate the key the ops profile signs with: the profile follows, and says so.
  const rotated = await ok(['--profile', 'ops', 'credentials', 'rotate', made.access_key, '--yes', '--json'], env);
  const out = JSON.parse(rotated.stdout) as { credential: { access_key: string; secret_key: string }; profile_updated: string };
  assert.equal(out.profile_updated, 'ops');
  assert.match(rotated.stderr, /profile "ops" now uses/);
  assert.match(readFileSync(configPath, 'utf8'), new RegExp(out.credential.access_key));
  assert.equal(readFileSync(join(env['XDG_CONFIG_HOME']!, 'anode', 'secrets', 'ops'), 'utf8').trim(), out.credential.secret_key);
  await ok(['--profile', 'ops', 'status'], env); // the old key is revoked; the profile works with the new one

  // ops is current (login made it so): deleting it leaves one profile, which becomes current.
  const del = await ok(['profile', 'delete', 'ops', '--yes'], env);
  assert.match(del.stdout, /current profile is now "default"/);
  await ok(['status'], env);

  // logout forgets the secret and the key; commands then say there are no credentials.
  const lo = await ok(['logout'], env);
  assert.match(lo.stdout, /logged out of profile "default"/);
  assert.doesNotMatch(readFileSync(configPath, 'utf8'), /access_key/);
  const after = await runCli(['status'], { env });
  assert.equal(after.code, 4, after.stderr);
});

test('deleting the current profile with several left tells to pick one with profile use', async () => {
  const env = isolatedEnv({ ANODE_KEYRING: 'file' });
  for (const name of ['a', 'b', 'c'])
    await ok(
      ['--profile', name, '--endpoint', node.adminUrl, 'login', '--access-key', node.accessKey, '--secret-stdin'],
      env,
      node.secretKey,
    );
  const del = await ok(['profile', 'delete', 'c', '--yes'], env);
  assert.match(del.stdout, /choose one with anodectl profile use NAME \(a, b\)/);
});

test('an https endpoint on a plain-HTTP node and an admin endpoint on the S3 port get one line and a hint', async () => {
  const tls = await runCli(['--endpoint', node.adminUrl.replace('http:', 'https:'), 'status'], { env: envCreds });
  assert.equal(tls.code, 6, tls.stderr);
  assert.match(tls.stderr, /^error: https:\/\/127\.0\.0\.1:\d+ does not speak TLS: the node there serves plain HTTP\nhint: use http:\/\//);
  assert.doesNotMatch(tls.stderr, /internal error|EPROTO/);

  const s3port = await runCli(['--endpoint', node.s3Url, 'buckets', 'list'], { env: envCreds });
  assert.equal(s3port.code, 6, s3port.stderr);
  assert.match(s3port.stderr, /answered as the S3 API, not the admin API\nhint: point --endpoint/);
  assert.doesNotMatch(s3port.stderr, /NoSuchBucket/);

  const bucket = uniqueBucket('plane');
  await sdkClient(node).send(new CreateBucketCommand({ Bucket: bucket }));
  const adminAsS3 = await runCli(['acl', 'get', bucket, '--s3-endpoint', node.adminUrl], { env: envCreds });
  assert.equal(adminAsS3.code, 6, adminAsS3.stderr);
  assert.match(adminAsS3.stderr, /answered as the admin API, not the S3 API/);
});

test('bad CIDRs and durations are refused before any request, exit 2, in the CLI words', async () => {
  const env = { ...envCreds, ANODE_ENDPOINT: NO_NODE }; // a request would end 6 (unreachable)
  for (const [args, message] of [
    [['block', 'add', '10.0.0.300'], /invalid address or CIDR: not a CIDR block: "10\.0\.0\.300"/],
    [['block', 'add', '10.0.0.1/8'], /host bits set; did you mean 10\.0\.0\.0\/8\?/],
    [['block', 'add', '10.0.0.0/33'], /invalid prefix length/],
    [['block', 'remove', 'nonsense'], /invalid address or CIDR/],
    [
      ['credentials', 'rotate', 'AKIAEXAMPLEEXAMPLE00', '--grace', 'soon'],
      /invalid --grace "soon": expected a duration such as 90s, 30m, 1h or 7d/,
    ],
    [
      ['credentials', 'rotate', 'AKIAEXAMPLEEXAMPLE00', '--grace', '40d'],
      /--grace 40d is too long: a rotated key keeps working at most 30 days/,
    ],
    [['audit', 'log', '--since', 'yesterday-ish'], /invalid --since/],
  ] as const) {
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /grace_seconds|"cidr"/);
  }
});

test('block add of everything or of this host asks first; policy set of a public policy asks first', async () => {
  for (const cidr of ['0.0.0.0/0', '::/0', '127.0.0.0/8']) {
    const r = await runCli(['block', 'add', cidr], { env: envCreds });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, cidr === '127.0.0.0/8' ? /contains 127\.0\.0\.1, an address of this host/ : /covers EVERY IPv/);
  }
  assert.deepEqual(JSON.parse((await ok(['block', 'list', '--json'], envCreds)).stdout), { cidrs: [] }, 'nothing was blocked');
  await ok(['block', 'add', '127.0.0.0/8', '--yes'], envCreds);
  await ok(['block', 'remove', '127.0.0.0/8', '--yes'], envCreds); // the admin API stays reachable from loopback

  const bucket = uniqueBucket('pub');
  await sdkClient(node).send(new CreateBucketCommand({ Bucket: bucket }));
  const env = { ...envCreds, ANODE_S3_ENDPOINT: node.s3Url };
  const file = join(envCreds['HOME']!, 'public.json');
  writeFileSync(
    file,
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
    }),
  );
  const refused = await runCli(['policy', 'set', bucket, '--file', file], { env });
  assert.equal(refused.code, 5, refused.stderr);
  assert.match(refused.stderr, /Everyone allows everyone \(Principal "\*", no condition\): it makes the bucket public/);
  const none = await runCli(['policy', 'get', bucket], { env });
  assert.notEqual(none.code, 0, 'no policy was set');
  await ok(['policy', 'set', bucket, '--file', file, '--yes'], env);
  const example = join(REPO, 'docs', 'examples', 'policy.json');
  const photos = uniqueBucket('photos');
  await sdkClient(node).send(new CreateBucketCommand({ Bucket: photos }));
  writeFileSync(join(envCreds['HOME']!, 'example.json'), readFileSync(example, 'utf8').replaceAll(':::photos', `:::${photos}`));
  await ok(['policy', 'set', photos, '--file', join(envCreds['HOME']!, 'example.json')], env); // not public: no question
});
