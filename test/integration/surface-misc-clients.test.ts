/**
 * Issue 10 features 3, 5, 6, 7 with the other real clients: boto3 (Debian's python3-boto3,
 * test/fixtures/boto3_surface_misc.py, including generate_presigned_post and a real form
 * POST) and aws-cli v2 (/usr/bin/aws s3api put-object-tagging, put-bucket-cors, …).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { REPO_ROOT, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { isolatedClientEnv, requireTool, runCommand, runOk, type CommandResult } from '../helpers/run-command.js';
import { uniqueBucket } from '../helpers/s3-client.js';

const PYTHON = '/usr/bin/python3';
const AWS = '/usr/bin/aws';
const SUITE = join(REPO_ROOT, 'test', 'fixtures', 'boto3_surface_misc.py');

let node: AnodeNode;
let env: Record<string, string>;
let work: string;

before(async () => {
  requireTool(PYTHON, 'python3');
  requireTool(AWS, 'awscli');
  node = await startNode();
  env = { ...(await isolatedClientEnv(node)), ANODE_ENDPOINT: node.s3Url };
  await writeFile(env['AWS_CONFIG_FILE'] ?? '', '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
  work = await mkdtemp(join(tmpdir(), 'anode-misc-clients-'));
});
after(async () => {
  await node?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  if (env?.['HOME']) await rm(env['HOME'], { recursive: true, force: true });
});

interface S3Err {
  code: string;
  status: number;
}

describe('boto3', { timeout: 300_000 }, () => {
  const bucket = uniqueBucket('boto3-misc');
  async function scenario<T>(name: string): Promise<T> {
    const r = await runOk(PYTHON, [SUITE, name, bucket], { env, timeoutMs: 120_000 });
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as T;
  }

  it('tagging: put with Tagging, get/put/delete_object_tagging, TagCount, limits, bucket tagging', async () => {
    const out = await scenario<{
      first: unknown;
      count: number;
      second: unknown;
      third: unknown;
      tooMany: S3Err;
      noSet: S3Err;
      bucketTags: unknown;
    }>('tagging');
    assert.deepEqual(out.first, [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'été' },
    ]);
    assert.equal(out.count, 2);
    assert.deepEqual(out.second, [{ Key: 'c', Value: '3' }]);
    assert.deepEqual(out.third, []);
    assert.deepEqual(out.tooMany, { code: 'BadRequest', status: 400 });
    assert.deepEqual(out.noSet, { code: 'NoSuchTagSet', status: 404 });
    assert.deepEqual(out.bucketTags, [{ Key: 'cost', Value: 'lab' }]);
  });

  it('cors: put/get/delete_bucket_cors and a real preflight', async () => {
    const out = await scenario<{ rules: unknown; preflight: { status: number; origin: string; headers: string }; gone: S3Err }>('cors');
    assert.deepEqual(out.rules, [
      { AllowedOrigins: ['https://app.example.com'], AllowedMethods: ['GET', 'POST'], AllowedHeaders: ['*'], MaxAgeSeconds: 60 },
    ]);
    assert.deepEqual(out.preflight, { status: 200, origin: 'https://app.example.com', headers: 'x-anything' });
    assert.deepEqual(out.gone, { code: 'NoSuchCORSConfiguration', status: 404 });
  });

  it('generate_presigned_post + a real multipart form POST: 201, ${filename}, metadata; refusals', async () => {
    const out = await scenario<{
      ok: { status: number; body: string; etag: string };
      metadata: Record<string, string>;
      size: number;
      tooBig: number;
      tampered: number;
    }>('presigned_post');
    assert.equal(out.ok.status, 201, out.ok.body);
    assert.match(out.ok.body, /<Key>forms\/report\.csv<\/Key>/);
    assert.equal(out.ok.etag, `"${createHash('md5').update('a,b\n1,2\n').digest('hex')}"`);
    assert.deepEqual(out.metadata, { source: 'boto3' });
    assert.equal(out.size, 8);
    assert.equal(out.tooBig, 400);
    assert.equal(out.tampered, 403);
  });

  it('public access block, ownership controls, get_object_attributes, bucket logging, ExpectedBucketOwner', async () => {
    const out = await scenario<{
      pab: Record<string, boolean>;
      publicPut: S3Err;
      ownership: unknown;
      aclRefused: S3Err;
      attrs: { etag: string; size: number; storageClass: string };
      logging: unknown;
      wrongOwner: S3Err;
      rightOwner: number;
    }>('bucket_config');
    assert.deepEqual(out.pab, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    assert.deepEqual(out.publicPut, { code: 'AccessDenied', status: 403 });
    assert.deepEqual(out.ownership, [{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    assert.deepEqual(out.aclRefused, { code: 'AccessControlListNotSupported', status: 400 });
    assert.deepEqual(out.attrs, { etag: createHash('md5').update('attributes').digest('hex'), size: 10, storageClass: 'STANDARD' });
    assert.deepEqual(out.logging, { TargetBucket: bucket, TargetPrefix: 'logs/' });
    assert.deepEqual(out.wrongOwner, { code: '403', status: 403 });
    assert.equal(out.rightOwner, 10);
  });
});

describe('aws-cli s3api', { timeout: 300_000 }, () => {
  const bucket = uniqueBucket('awscli-misc');
  function aws(args: string[]): Promise<CommandResult> {
    return runOk(AWS, ['--endpoint-url', node.s3Url, '--output', 'json', ...args], { env, timeoutMs: 120_000 });
  }
  async function awsJson<T>(args: string[]): Promise<T> {
    return JSON.parse((await aws(args)).stdout) as T;
  }
  async function awsFails(args: string[]): Promise<string> {
    const r = await runCommand(AWS, ['--endpoint-url', node.s3Url, '--output', 'json', ...args], { env, timeoutMs: 120_000 });
    assert.notEqual(r.code, 0, `expected aws ${args.join(' ')} to fail`);
    return r.stderr;
  }

  before(async () => {
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    const file = join(work, 'obj.txt');
    await writeFile(file, 'object body');
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'obj.txt', '--body', file, '--tagging', 'stage=raw']);
  });

  it('put-object --tagging, get/put/delete-object-tagging', async () => {
    assert.deepEqual((await awsJson<{ TagSet: unknown }>(['s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'obj.txt'])).TagSet, [
      { Key: 'stage', Value: 'raw' },
    ]);
    await aws(['s3api', 'put-object-tagging', '--bucket', bucket, '--key', 'obj.txt', '--tagging', 'TagSet=[{Key=stage,Value=done}]']);
    assert.deepEqual((await awsJson<{ TagSet: unknown }>(['s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'obj.txt'])).TagSet, [
      { Key: 'stage', Value: 'done' },
    ]);
    await aws(['s3api', 'delete-object-tagging', '--bucket', bucket, '--key', 'obj.txt']);
    assert.deepEqual(
      (await awsJson<{ TagSet: unknown }>(['s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'obj.txt'])).TagSet,
      [],
    );
    assert.match(
      await awsFails(['s3api', 'put-object-tagging', '--bucket', bucket, '--key', 'obj.txt', '--tagging', 'TagSet=[{Key=aws:x,Value=1}]']),
      /InvalidTag/,
    );
  });

  it('put-bucket-tagging / get-bucket-tagging / delete-bucket-tagging', async () => {
    await aws(['s3api', 'put-bucket-tagging', '--bucket', bucket, '--tagging', 'TagSet=[{Key=owner,Value=lab}]']);
    assert.deepEqual((await awsJson<{ TagSet: unknown }>(['s3api', 'get-bucket-tagging', '--bucket', bucket])).TagSet, [
      { Key: 'owner', Value: 'lab' },
    ]);
    await aws(['s3api', 'delete-bucket-tagging', '--bucket', bucket]);
    assert.match(await awsFails(['s3api', 'get-bucket-tagging', '--bucket', bucket]), /NoSuchTagSet/);
  });

  it('put-bucket-cors / get-bucket-cors / delete-bucket-cors', async () => {
    const config = { CORSRules: [{ AllowedOrigins: ['https://*.example.org'], AllowedMethods: ['GET', 'HEAD'], ExposeHeaders: ['ETag'] }] };
    await aws(['s3api', 'put-bucket-cors', '--bucket', bucket, '--cors-configuration', JSON.stringify(config)]);
    assert.deepEqual((await awsJson<{ CORSRules: unknown }>(['s3api', 'get-bucket-cors', '--bucket', bucket])).CORSRules, config.CORSRules);
    const r = await fetch(`${node.s3Url}/${bucket}/obj.txt`, {
      method: 'OPTIONS',
      headers: { origin: 'https://www.example.org', 'access-control-request-method': 'HEAD' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://www.example.org');
    await aws(['s3api', 'delete-bucket-cors', '--bucket', bucket]);
    assert.match(await awsFails(['s3api', 'get-bucket-cors', '--bucket', bucket]), /NoSuchCORSConfiguration/);
  });

  it('put-public-access-block, put-bucket-ownership-controls, get-object-attributes, put-bucket-logging', async () => {
    await aws([
      's3api',
      'put-public-access-block',
      '--bucket',
      bucket,
      '--public-access-block-configuration',
      'BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=true',
    ]);
    assert.deepEqual(
      (await awsJson<{ PublicAccessBlockConfiguration: unknown }>(['s3api', 'get-public-access-block', '--bucket', bucket]))
        .PublicAccessBlockConfiguration,
      { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    );
    assert.match(await awsFails(['s3api', 'put-bucket-acl', '--bucket', bucket, '--acl', 'public-read']), /AccessDenied/);
    await aws(['s3api', 'delete-public-access-block', '--bucket', bucket]);
    await aws([
      's3api',
      'put-bucket-ownership-controls',
      '--bucket',
      bucket,
      '--ownership-controls',
      'Rules=[{ObjectOwnership=BucketOwnerPreferred}]',
    ]);
    assert.deepEqual(
      (await awsJson<{ OwnershipControls: unknown }>(['s3api', 'get-bucket-ownership-controls', '--bucket', bucket])).OwnershipControls,
      { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
    );
    const attrs = await awsJson<{ ETag: string; ObjectSize: number }>([
      's3api',
      'get-object-attributes',
      '--bucket',
      bucket,
      '--key',
      'obj.txt',
      '--object-attributes',
      'ETag',
      'ObjectSize',
    ]);
    assert.equal(attrs.ETag, createHash('md5').update('object body').digest('hex'));
    assert.equal(attrs.ObjectSize, 11);
    await aws([
      's3api',
      'put-bucket-logging',
      '--bucket',
      bucket,
      '--bucket-logging-status',
      JSON.stringify({ LoggingEnabled: { TargetBucket: bucket, TargetPrefix: 'access/' } }),
    ]);
    assert.deepEqual((await awsJson<{ LoggingEnabled: unknown }>(['s3api', 'get-bucket-logging', '--bucket', bucket])).LoggingEnabled, {
      TargetBucket: bucket,
      TargetPrefix: 'access/',
    });
    assert.match(
      await awsFails(['s3api', 'list-objects-v2', '--bucket', bucket, '--expected-bucket-owner', '123456789012']),
      /AccessDenied/,
    );
  });
});
