/**
 * s3cmd (Debian package s3cmd) against a real node, with a generated config:
 * path-style (host_bucket without %(bucket)s), plain HTTP, SigV4.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { makeRandomFile, sha256File } from '../helpers/random-files.js';
import { isolatedClientEnv, requireTool, runCommand, runOk, type CommandResult } from '../helpers/run-command.js';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';

const S3CMD = '/usr/bin/s3cmd';

let node: AnodeNode;
let env: Record<string, string>;
let work: string;
let cfg: string;
let bucket: string;

before(async () => {
  requireTool(S3CMD, 's3cmd');
  node = await startNode();
  env = await isolatedClientEnv(node);
  work = await mkdtemp(join(tmpdir(), 'anode-s3cmd-'));
  cfg = join(work, 's3cfg');
  const host = `127.0.0.1:${node.s3Port}`;
  await writeFile(
    cfg,
    [
      '[default]',
      `access_key = ${node.accessKey}`,
      `secret_key = ${node.secretKey}`,
      `host_base = ${host}`,
      `host_bucket = ${host}`,
      'use_https = False',
      'signature_v2 = False',
      'bucket_location = us-east-1',
      'check_ssl_certificate = False',
      'progress_meter = False',
      '',
    ].join('\n'),
  );
  bucket = uniqueBucket('s3cmd');
});
after(async () => {
  await node?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  if (env?.['HOME']) await rm(env['HOME'], { recursive: true, force: true });
});

function s3cmd(args: string[]): Promise<CommandResult> {
  return runOk(S3CMD, ['-c', cfg, ...args], { env, timeoutMs: 300_000 });
}

async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p), await sha256File(p));
    }
  }
  await walk(dir);
  return out;
}

describe('s3cmd', { timeout: 600_000 }, () => {
  it('mb creates a bucket that ls shows', async () => {
    await s3cmd(['mb', `s3://${bucket}`]);
    const ls = await s3cmd(['ls']);
    assert.match(ls.stdout, new RegExp(`s3://${bucket}\\b`));
  });

  it('put of a small file and of a 20 MiB file (multipart), ls, get byte-identical', async () => {
    const small = join(work, 'small.txt');
    await writeFile(small, 'small file for s3cmd');
    await s3cmd(['put', small, `s3://${bucket}/files/small.txt`]);
    const big = join(work, 'big.bin');
    const digest = await makeRandomFile(big, 20);
    await s3cmd(['put', big, `s3://${bucket}/files/big.bin`]);
    // s3cmd's default 15 MiB chunks: a 20 MiB file goes up in 2 parts, so a "-2" ETag.
    const s3 = sdkClient(node);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'files/big.bin' }));
    s3.destroy();
    assert.match(head.ETag ?? '', /^"[0-9a-f]{32}-2"$/, 'the 20 MiB put was not multipart');
    const ls = await s3cmd(['ls', `s3://${bucket}/files/`]);
    assert.match(ls.stdout, /s3:\/\/[^ ]+\/files\/small\.txt/);
    assert.match(ls.stdout, /20971520\s+s3:\/\/[^ ]+\/files\/big\.bin/);
    const back = join(work, 'big.back');
    await s3cmd(['get', `s3://${bucket}/files/big.bin`, back]);
    assert.equal(await sha256File(back), digest);
    const smallBack = join(work, 'small.back');
    await s3cmd(['get', `s3://${bucket}/files/small.txt`, smallBack]);
    assert.equal(await sha256File(smallBack), await sha256File(small));
    const info = await s3cmd(['info', `s3://${bucket}/files/small.txt`]);
    assert.match(info.stdout, /File size:\s+20/);
  });

  it('sync uploads a tree, a second sync uploads nothing, and sync down restores it', async () => {
    const tree = join(work, 'tree');
    await mkdir(join(tree, 'a', 'b'), { recursive: true });
    await writeFile(join(tree, 'root.txt'), 'root');
    await writeFile(join(tree, 'a', 'one.txt'), 'one');
    await writeFile(join(tree, 'a', 'b', 'two.txt'), 'two');
    await writeFile(join(tree, 'a', 'b', 'ü space.txt'), 'unicode and space');
    const up = await s3cmd(['sync', `${tree}/`, `s3://${bucket}/tree/`]);
    assert.equal((up.stdout.match(/^upload:/gm) ?? []).length, 4, up.stdout);
    const again = await s3cmd(['sync', `${tree}/`, `s3://${bucket}/tree/`]);
    assert.equal((again.stdout.match(/^upload:/gm) ?? []).length, 0, again.stdout);
    const down = join(work, 'tree-back');
    await s3cmd(['sync', `s3://${bucket}/tree/`, `${down}/`]);
    assert.deepEqual(await files(down), await files(tree));
  });

  it('del removes an object and rb refuses a non-empty bucket, then removes an empty one', async () => {
    await s3cmd(['del', `s3://${bucket}/files/small.txt`]);
    const ls = await s3cmd(['ls', `s3://${bucket}/files/`]);
    assert.doesNotMatch(ls.stdout, /small\.txt/);
    const rb = await runCommand(S3CMD, ['-c', cfg, 'rb', `s3://${bucket}`], { env, timeoutMs: 60_000 });
    assert.notEqual(rb.code, 0);
    assert.match(rb.stderr + rb.stdout, /BucketNotEmpty/);
    await s3cmd(['del', '--recursive', '--force', `s3://${bucket}`]);
    await s3cmd(['rb', `s3://${bucket}`]);
    const after = await s3cmd(['ls']);
    assert.doesNotMatch(after.stdout, new RegExp(`s3://${bucket}\\b`));
  });
});
