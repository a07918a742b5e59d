/**
 * aws-cli v2 from Debian (/usr/bin/aws, package awscli; NOT the `aws` that may be
 * first on PATH) against a real node: high-level `s3` commands (multipart upload of a
 * 100 MiB file, ranged parallel download, sync both ways, presign) and `s3api` calls.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { makeRandomFile, makeRandomFileBytes, md5Hex, sha256File } from '../helpers/random-files.js';
import { errorCode } from '../helpers/raw-http.js';
import { isolatedClientEnv, requireTool, runCommand, runOk, type CommandResult } from '../helpers/run-command.js';
import { uniqueBucket } from '../helpers/s3-client.js';

const AWS = '/usr/bin/aws';

let node: AnodeNode;
let env: Record<string, string>;
let work: string;

before(async () => {
  requireTool(AWS, 'awscli');
  node = await startNode();
  env = await isolatedClientEnv(node);
  // Path-style addressing, as the server requires; nothing else from any user config.
  await writeFile(env['AWS_CONFIG_FILE'] ?? '', '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
  work = await mkdtemp(join(tmpdir(), 'anode-awscli-'));
});
after(async () => {
  await node?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  if (env?.['HOME']) await rm(env['HOME'], { recursive: true, force: true });
});

function aws(args: string[], timeoutMs = 300_000): Promise<CommandResult> {
  return runOk(AWS, ['--endpoint-url', node.s3Url, '--output', 'json', ...args], { env, timeoutMs });
}

async function awsJson<T>(args: string[]): Promise<T> {
  const r = await aws(args);
  return JSON.parse(r.stdout) as T;
}

/** Relative path -> sha256 for every file under dir. */
async function treeDigest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out.set(relative(dir, p), await sha256File(p));
    }
  }
  await walk(dir);
  return out;
}

describe('aws s3 (high-level commands)', { timeout: 600_000 }, () => {
  let bucket: string;
  before(() => {
    bucket = uniqueBucket('awscli');
  });

  it('s3 mb creates the bucket and s3 ls lists it', async () => {
    const r = await aws(['s3', 'mb', `s3://${bucket}`]);
    assert.match(r.stdout, new RegExp(`make_bucket: ${bucket}`));
    const ls = await aws(['s3', 'ls']);
    assert.match(ls.stdout, new RegExp(`\\b${bucket}\\b`));
  });

  it('s3 cp uploads a 100 MiB file (multipart) and downloads it byte-identical', async () => {
    const src = join(work, 'big.bin');
    const digest = await makeRandomFile(src, 100);
    const up = await aws(['s3', 'cp', src, `s3://${bucket}/big/big.bin`, '--no-progress']);
    assert.match(up.stdout, /upload:/);
    const listed = await awsJson<{ Contents: Array<{ Key: string; Size: number; ETag: string }> }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      'big/',
    ]);
    assert.equal(listed.Contents[0]?.Size, 100 * 1024 * 1024);
    // aws-cli uses 8 MiB parts: 13 of them, so a multipart ETag "<md5>-13".
    assert.match(listed.Contents[0]?.ETag ?? '', /^"[0-9a-f]{32}-13"$/);
    const dst = join(work, 'big.back');
    await aws(['s3', 'cp', `s3://${bucket}/big/big.bin`, dst, '--no-progress']);
    assert.equal(await sha256File(dst), digest);
    await rm(src);
    await rm(dst);
  });

  it('s3 ls lists objects and prefixes', async () => {
    const small = join(work, 'one.txt');
    await writeFile(small, 'one');
    await aws(['s3', 'cp', small, `s3://${bucket}/ls/one.txt`]);
    const top = await aws(['s3', 'ls', `s3://${bucket}/`]);
    assert.match(top.stdout, /PRE big\//);
    assert.match(top.stdout, /PRE ls\//);
    const inner = await aws(['s3', 'ls', `s3://${bucket}/ls/`]);
    assert.match(inner.stdout, /\s3 one\.txt/);
    const rec = await aws(['s3', 'ls', '--recursive', `s3://${bucket}`]);
    assert.match(rec.stdout, /big\/big\.bin/);
    assert.match(rec.stdout, /ls\/one\.txt/);
  });

  it('s3 sync copies a tree up and down; a second sync copies nothing', async () => {
    const tree = join(work, 'tree');
    await mkdir(join(tree, 'sub', 'deeper'), { recursive: true });
    await mkdir(join(tree, 'with space'), { recursive: true });
    await writeFile(join(tree, 'top.txt'), 'top');
    await writeFile(join(tree, 'empty'), '');
    await writeFile(join(tree, 'sub', 'a.json'), '{"a":1}');
    await writeFile(join(tree, 'sub', 'deeper', 'ünïcödé.txt'), 'unicode name');
    await writeFile(join(tree, 'with space', 'file name.txt'), 'spaces');
    await makeRandomFileBytes(join(tree, 'sub', 'mid.bin'), 9 * 1024 * 1024 + 5);
    const up = await aws(['s3', 'sync', tree, `s3://${bucket}/tree/`, '--no-progress']);
    assert.equal((up.stdout.match(/^upload:/gm) ?? []).length, 6, up.stdout);
    const again = await aws(['s3', 'sync', tree, `s3://${bucket}/tree/`, '--no-progress']);
    assert.equal(again.stdout.trim(), '', `second sync up copied: ${again.stdout}`);

    const down = join(work, 'tree-back');
    const d1 = await aws(['s3', 'sync', `s3://${bucket}/tree/`, down, '--no-progress']);
    assert.equal((d1.stdout.match(/^download:/gm) ?? []).length, 6, d1.stdout);
    assert.deepEqual(await treeDigest(down), await treeDigest(tree));
    const d2 = await aws(['s3', 'sync', `s3://${bucket}/tree/`, down, '--no-progress']);
    assert.equal(d2.stdout.trim(), '', `second sync down copied: ${d2.stdout}`);

    // A changed file is the only one copied, and --delete removes what is gone locally.
    await writeFile(join(tree, 'top.txt'), 'top, changed and longer');
    await rm(join(tree, 'sub', 'a.json'));
    const d3 = await aws(['s3', 'sync', tree, `s3://${bucket}/tree/`, '--delete', '--no-progress']);
    assert.match(d3.stdout, /upload: .*top\.txt/);
    assert.match(d3.stdout, /delete: s3:\/\/.*a\.json/);
    assert.equal((d3.stdout.match(/^(upload|delete):/gm) ?? []).length, 2, d3.stdout);
  });

  it('s3 presign gives a URL a plain HTTP GET can fetch; an expired one gets 403', async () => {
    const file = join(work, 'presign.txt');
    await writeFile(file, 'presigned via aws-cli');
    await aws(['s3', 'cp', file, `s3://${bucket}/presign.txt`]);
    const url = (await aws(['s3', 'presign', `s3://${bucket}/presign.txt`, '--expires-in', '300'])).stdout.trim();
    assert.ok(url.startsWith(node.s3Url), `presigned URL not on the endpoint: ${url}`);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'presigned via aws-cli');

    const shortUrl = (await aws(['s3', 'presign', `s3://${bucket}/presign.txt`, '--expires-in', '1'])).stdout.trim();
    await new Promise((r) => setTimeout(r, 2_000));
    const expired = await fetch(shortUrl);
    assert.equal(expired.status, 403);
    assert.equal(errorCode(await expired.text()), 'AccessDenied');
  });
});

describe('aws s3api', { timeout: 300_000 }, () => {
  let bucket: string;
  before(async () => {
    bucket = uniqueBucket('awscli-api');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  });

  it('put-object with metadata, head-object returns it', async () => {
    const file = join(work, 'api.txt');
    await writeFile(file, '0123456789abcdefghij');
    const put = await awsJson<{ ETag: string }>([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'dir/api.txt',
      '--body',
      file,
      '--content-type',
      'text/plain',
      '--metadata',
      'color=blue,shape=round',
      '--cache-control',
      'no-cache',
    ]);
    assert.equal(put.ETag, `"${md5Hex('0123456789abcdefghij')}"`);
    const head = await awsJson<{
      ContentLength: number;
      ContentType: string;
      Metadata: Record<string, string>;
      CacheControl: string;
      ETag: string;
    }>(['s3api', 'head-object', '--bucket', bucket, '--key', 'dir/api.txt']);
    assert.equal(head.ContentLength, 20);
    assert.equal(head.ContentType, 'text/plain');
    assert.equal(head.CacheControl, 'no-cache');
    assert.deepEqual(head.Metadata, { color: 'blue', shape: 'round' });
    assert.equal(head.ETag, put.ETag);
  });

  it('head-object on a missing key fails with 404', async () => {
    const r = await runCommand(AWS, ['--endpoint-url', node.s3Url, 's3api', 'head-object', '--bucket', bucket, '--key', 'missing'], {
      env,
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /404|Not Found/);
  });

  it('get-object on a missing key fails with NoSuchKey', async () => {
    const r = await runCommand(
      AWS,
      ['--endpoint-url', node.s3Url, 's3api', 'get-object', '--bucket', bucket, '--key', 'missing', join(work, 'nothing')],
      { env },
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NoSuchKey/);
  });

  it('get-object with --range returns 206 content', async () => {
    const out = join(work, 'range.out');
    const meta = await awsJson<{ ContentRange: string; ContentLength: number }>([
      's3api',
      'get-object',
      '--bucket',
      bucket,
      '--key',
      'dir/api.txt',
      '--range',
      'bytes=5-9',
      out,
    ]);
    assert.equal(meta.ContentRange, 'bytes 5-9/20');
    assert.equal(meta.ContentLength, 5);
    assert.equal(await readFile(out, 'utf8'), '56789');
  });

  it('list-objects-v2 with prefix and delimiter', async () => {
    const file = join(work, 'x.txt');
    await writeFile(file, 'x');
    for (const key of ['dir/x1', 'dir/sub/x2', 'other/x3']) {
      await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', file]);
    }
    const out = await awsJson<{ Contents?: Array<{ Key: string }>; CommonPrefixes?: Array<{ Prefix: string }>; KeyCount: number }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      'dir/',
      '--delimiter',
      '/',
    ]);
    assert.deepEqual(
      (out.Contents ?? []).map((c) => c.Key),
      ['dir/api.txt', 'dir/x1'],
    );
    assert.deepEqual(
      (out.CommonPrefixes ?? []).map((p) => p.Prefix),
      ['dir/sub/'],
    );
    // The CLI paginates by itself; a small page size must still yield all keys.
    const all = await awsJson<{ Contents: Array<{ Key: string }> }>(['s3api', 'list-objects-v2', '--bucket', bucket, '--page-size', '1']);
    assert.deepEqual(
      all.Contents.map((c) => c.Key),
      ['dir/api.txt', 'dir/sub/x2', 'dir/x1', 'other/x3'],
    );
  });

  it('create-multipart-upload, list-multipart-uploads, abort-multipart-upload', async () => {
    const created = await awsJson<{ UploadId: string; Key: string }>([
      's3api',
      'create-multipart-upload',
      '--bucket',
      bucket,
      '--key',
      'mpu/k',
    ]);
    assert.equal(created.Key, 'mpu/k');
    const listed = await awsJson<{ Uploads?: Array<{ UploadId: string; Key: string }> }>([
      's3api',
      'list-multipart-uploads',
      '--bucket',
      bucket,
    ]);
    assert.ok(
      (listed.Uploads ?? []).some((u) => u.UploadId === created.UploadId && u.Key === 'mpu/k'),
      JSON.stringify(listed),
    );
    await aws(['s3api', 'abort-multipart-upload', '--bucket', bucket, '--key', 'mpu/k', '--upload-id', created.UploadId]);
    const r = await runCommand(
      AWS,
      ['--endpoint-url', node.s3Url, '--output', 'json', 's3api', 'list-multipart-uploads', '--bucket', bucket],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    const after = (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as { Uploads?: Array<{ UploadId: string }> };
    assert.ok(!(after.Uploads ?? []).some((u) => u.UploadId === created.UploadId));
  });

  it('delete-objects removes several keys at once', async () => {
    const out = await awsJson<{ Deleted?: Array<{ Key: string }> }>([
      's3api',
      'delete-objects',
      '--bucket',
      bucket,
      '--delete',
      JSON.stringify({ Objects: [{ Key: 'dir/x1' }, { Key: 'other/x3' }] }),
    ]);
    assert.deepEqual((out.Deleted ?? []).map((d) => d.Key).sort(), ['dir/x1', 'other/x3']);
    const left = await awsJson<{ Contents: Array<{ Key: string }> }>(['s3api', 'list-objects-v2', '--bucket', bucket]);
    assert.deepEqual(
      left.Contents.map((c) => c.Key),
      ['dir/api.txt', 'dir/sub/x2'],
    );
  });

  it('s3 rm --recursive empties the bucket and s3 rb removes it', async () => {
    const rb1 = await runCommand(AWS, ['--endpoint-url', node.s3Url, 's3', 'rb', `s3://${bucket}`], { env });
    assert.notEqual(rb1.code, 0, 'rb of a non-empty bucket must fail');
    assert.match(rb1.stderr, /BucketNotEmpty/);
    const rm1 = await aws(['s3', 'rm', '--recursive', `s3://${bucket}`]);
    assert.equal((rm1.stdout.match(/^delete:/gm) ?? []).length, 2, rm1.stdout);
    await aws(['s3', 'rb', `s3://${bucket}`]);
    const ls = await aws(['s3', 'ls']);
    assert.doesNotMatch(ls.stdout, new RegExp(`\\b${bucket}\\b`));
  });
});

describe('aws s3 rb --force', { timeout: 120_000 }, () => {
  it('rb --force removes a bucket with objects in it', async () => {
    const b = uniqueBucket('awscli-force');
    await aws(['s3', 'mb', `s3://${b}`]);
    const f = join(work, 'f.txt');
    await writeFile(f, 'f');
    await aws(['s3', 'cp', f, `s3://${b}/a/f.txt`]);
    await aws(['s3', 'rb', '--force', `s3://${b}`]);
    const ls = await aws(['s3', 'ls']);
    assert.doesNotMatch(ls.stdout, new RegExp(`\\b${b}\\b`));
  });
});
