/**
 * boto3 (Debian's python3-boto3 under /usr/bin/python3, not any other python on PATH)
 * against a real node: managed multipart upload/download/copy via TransferConfig,
 * listing with the paginator, presigned URLs, and error codes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { makeRandomFile, sha256File } from '../helpers/random-files.js';
import { isolatedClientEnv, requireTool, runCommand, runOk } from '../helpers/run-command.js';
import { uniqueBucket } from '../helpers/s3-client.js';

const PYTHON = '/usr/bin/python3';
const SUITE = join(REPO_ROOT, 'test', 'fixtures', 'boto3_suite.py');

let node: AnodeNode;
let env: Record<string, string>;
let work: string;
let bucket: string;

before(async () => {
  requireTool(PYTHON, 'python3');
  node = await startNode();
  env = { ...(await isolatedClientEnv(node)), ANODE_ENDPOINT: node.s3Url };
  const probe = await runCommand(PYTHON, ['-c', 'import boto3'], { env, timeoutMs: 30_000 });
  if (probe.code !== 0)
    throw new Error(`boto3 is not importable by ${PYTHON}: install the Debian package 'python3-boto3'\n${probe.stderr}`);
  work = await mkdtemp(join(tmpdir(), 'anode-boto3-'));
  bucket = uniqueBucket('boto3');
});
after(async () => {
  await node?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  if (env?.['HOME']) await rm(env['HOME'], { recursive: true, force: true });
});

async function scenario<T>(name: string, ...args: string[]): Promise<T> {
  const r = await runOk(PYTHON, [SUITE, name, bucket, ...args], { env, timeoutMs: 300_000 });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

interface S3Err {
  code: string;
  status: number;
}

describe('boto3', { timeout: 600_000 }, () => {
  it('creates a bucket, which list_buckets shows', async () => {
    const out = await scenario<{ listed: boolean }>('create_bucket');
    assert.equal(out.listed, true);
  });

  it('upload_file (multipart, 5 MiB parts) and download_file give identical bytes', async () => {
    const src = join(work, 'up.bin');
    const dst = join(work, 'down.bin');
    const digest = await makeRandomFile(src, 18);
    const out = await scenario<{ etag: string; size: number; metadata: Record<string, string> }>('upload_download', src, dst);
    assert.equal(out.size, 18 * 1024 * 1024);
    assert.match(out.etag, /^"[0-9a-f]{32}-4"$/, 'an 18 MiB upload in 5 MiB parts has 4 parts');
    assert.deepEqual(out.metadata, { via: 'boto3' });
    assert.equal(await sha256File(dst), digest);
  });

  it('lists with the paginator, heads, gets and deletes', async () => {
    const out = await scenario<{ keys: string[]; size: number; body: string; gone: S3Err; left: string[] }>('list_delete');
    assert.deepEqual(out.keys, ['list/k0', 'list/k1', 'list/k2', 'list/k3', 'list/k4', 'list/k5', 'list/k6']);
    assert.equal(out.size, 7);
    assert.equal(out.body, 'value 3');
    assert.equal(out.gone.status, 404);
    assert.deepEqual(out.left, ['list/k4', 'list/k5', 'list/k6']);
  });

  it('presigned GET and PUT URLs work with plain HTTP', async () => {
    const out = await scenario<{ get: string; put: string }>('presigned');
    assert.ok(out.get.startsWith(node.s3Url), out.get);
    const got = await fetch(out.get);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'boto3 presigned');
    const put = await fetch(out.put, { method: 'PUT', body: 'put through a boto3 URL' });
    assert.equal(put.status, 200, await put.text());
  });

  it('reports AWS error codes', async () => {
    const out = await scenario<Record<string, S3Err>>('errors');
    assert.deepEqual(out['noSuchKey'], { code: 'NoSuchKey', status: 404 });
    assert.deepEqual(out['noSuchBucket'], { code: 'NoSuchBucket', status: 404 });
    assert.deepEqual(out['bucketNotEmpty'], { code: 'BucketNotEmpty', status: 409 });
    assert.deepEqual(out['invalidRange'], { code: 'InvalidRange', status: 416 });
  });

  it('copies with copy_object and with the managed (UploadPartCopy) copy', async () => {
    const src = join(work, 'copy-src.bin');
    const digest = await makeRandomFile(src, 12);
    const out = await scenario<Record<string, { size: number; etag: string }> & { downloaded: string }>('copy', src);
    const size = 12 * 1024 * 1024;
    assert.equal(out['copy/source.bin']?.size, size);
    assert.equal(out['copy/simple.bin']?.size, size);
    assert.equal(out['copy/simple.bin']?.etag, out['copy/source.bin']?.etag);
    assert.equal(out['copy/multipart.bin']?.size, size);
    assert.match(out['copy/multipart.bin']?.etag ?? '', /^"[0-9a-f]{32}-3"$/);
    assert.equal(await sha256File(out.downloaded), digest);
  });
});
