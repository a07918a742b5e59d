/**
 * Versioning and object lock from aws-cli v2 (/usr/bin/aws) and boto3 (/usr/bin/python3):
 * the CLIs' own spellings of version ids, lock headers and the governance bypass, and the
 * delete paths they offer, against a real node.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { isolatedClientEnv, requireTool, runCommand, runOk } from '../helpers/run-command.js';
import { uniqueBucket } from '../helpers/s3-client.js';

const AWS = '/usr/bin/aws';
const PYTHON = '/usr/bin/python3';

let node: AnodeNode;
let env: Record<string, string>;

before(async () => {
  requireTool(AWS, 'awscli');
  requireTool(PYTHON, 'python3');
  node = await startNode();
  env = { ...(await isolatedClientEnv(node)), ANODE_ENDPOINT: node.s3Url };
  await writeFile(env['AWS_CONFIG_FILE'] ?? '', '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
});
after(async () => {
  await node?.cleanup();
  if (env?.['HOME']) await rm(env['HOME'], { recursive: true, force: true });
});

const base = () => ['--endpoint-url', node.s3Url, '--output', 'json'];
async function awsJson<T>(args: string[]): Promise<T> {
  const r = await runOk(AWS, [...base(), ...args], { env, timeoutMs: 120_000 });
  return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
}
async function awsFails(args: string[]): Promise<string> {
  const r = await runCommand(AWS, [...base(), ...args], { env, timeoutMs: 120_000 });
  assert.notEqual(r.code, 0, `aws ${args.join(' ')} should fail`);
  return r.stderr;
}

describe('versioning and object lock from other clients', { timeout: 300_000 }, () => {
  it('aws-cli: versions, delete markers, and no way to delete a COMPLIANCE version', async () => {
    const b = uniqueBucket('cli-worm');
    await awsJson(['s3api', 'create-bucket', '--bucket', b, '--object-lock-enabled-for-bucket']);
    const vers = await awsJson<{ Status?: string }>(['s3api', 'get-bucket-versioning', '--bucket', b]);
    assert.equal(vers.Status, 'Enabled');
    const file = join(env['HOME']!, 'body.txt');
    await writeFile(file, 'locked bytes');
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const put = await awsJson<{ VersionId: string }>([
      's3api',
      'put-object',
      '--bucket',
      b,
      '--key',
      'k',
      '--body',
      file,
      '--object-lock-mode',
      'COMPLIANCE',
      '--object-lock-retain-until-date',
      until,
      '--checksum-algorithm',
      'CRC32',
    ]);
    assert.match(put.VersionId, /^[0-9A-Za-z]{32}$/);
    const denied = await awsFails([
      's3api',
      'delete-object',
      '--bucket',
      b,
      '--key',
      'k',
      '--version-id',
      put.VersionId,
      '--bypass-governance-retention',
    ]);
    assert.match(denied, /AccessDenied/);
    const multi = await awsJson<{ Errors?: Array<{ Code: string }> }>([
      's3api',
      'delete-objects',
      '--bucket',
      b,
      '--bypass-governance-retention',
      '--delete',
      JSON.stringify({ Objects: [{ Key: 'k', VersionId: put.VersionId }] }),
    ]);
    assert.equal(multi.Errors?.[0]?.Code, 'AccessDenied');
    const shorten = await awsFails([
      's3api',
      'put-object-retention',
      '--bucket',
      b,
      '--key',
      'k',
      '--version-id',
      put.VersionId,
      '--retention',
      JSON.stringify({ Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + 3_600_000).toISOString() }),
    ]);
    assert.match(shorten, /AccessDenied/);
    const marker = await awsJson<{ DeleteMarker?: boolean; VersionId?: string }>(['s3api', 'delete-object', '--bucket', b, '--key', 'k']);
    assert.equal(marker.DeleteMarker, true);
    // `aws s3 rm --recursive` deletes current objects only: it adds markers, never removes versions.
    await runOk(AWS, [...base(), 's3', 'rm', `s3://${b}/`, '--recursive'], { env, timeoutMs: 120_000 });
    const listed = await awsJson<{
      Versions?: Array<{ VersionId: string; IsLatest: boolean }>;
      DeleteMarkers?: Array<{ IsLatest: boolean }>;
    }>(['s3api', 'list-object-versions', '--bucket', b]);
    assert.deepEqual(
      listed.Versions?.map((v) => [v.VersionId, v.IsLatest]),
      [[put.VersionId, false]],
    );
    assert.equal(listed.DeleteMarkers?.[0]?.IsLatest, true);
    const out = join(env['HOME']!, 'out.txt');
    await runOk(AWS, [...base(), 's3api', 'get-object', '--bucket', b, '--key', 'k', '--version-id', put.VersionId, out], {
      env,
      timeoutMs: 60_000,
    });
    const bucketDelete = await awsFails(['s3api', 'delete-bucket', '--bucket', b]);
    assert.match(bucketDelete, /BucketNotEmpty/);
    assert.match(await awsFails(['s3', 'rb', `s3://${b}`, '--force']), /BucketNotEmpty/);
  });

  it('boto3: versions, governance lock, and the bypass for the owner', async () => {
    const b = uniqueBucket('boto-worm');
    const r = await runOk(PYTHON, [join(REPO_ROOT, 'test', 'fixtures', 'boto3_versioning.py'), b], { env, timeoutMs: 120_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    assert.equal(out['versioning'], 'Enabled');
    assert.equal(out['old_body'], 'one');
    assert.deepEqual(out['delete_locked'], { code: 'AccessDenied', status: 403 });
    assert.deepEqual(out['delete_objects_errors'], ['AccessDenied']);
    assert.equal(out['retention'], 'GOVERNANCE');
    assert.deepEqual(out['shorten'], { code: 'AccessDenied', status: 403 });
    assert.equal(out['marker'], true);
    assert.deepEqual(out['versions'], [
      [false, true, false],
      [true, false, false],
    ]);
    assert.deepEqual(out['markers'], [true]);
    assert.deepEqual(out['get_current'], { code: 'NoSuchKey', status: 404 });
    assert.deepEqual(out['after_bypass'], { code: '404', status: 404 });
  });
});
