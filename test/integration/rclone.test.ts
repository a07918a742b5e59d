/**
 * rclone (Debian package rclone) against a real node, with the remote configured
 * purely through RCLONE_CONFIG_ANODE_* variables: copy, sync, check, lsf, delete, purge.
 * Small upload cutoff and chunk size so a 12 MiB file goes up as multipart.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { makeRandomFile, sha256File } from '../helpers/random-files.js';
import { isolatedClientEnv, requireTool, runCommand, runOk, type CommandResult } from '../helpers/run-command.js';
import { uniqueBucket } from '../helpers/s3-client.js';

const RCLONE = '/usr/bin/rclone';

let node: AnodeNode;
let env: Record<string, string>;
let work: string;
let bucket: string;
let tree: string;

before(async () => {
  requireTool(RCLONE, 'rclone');
  node = await startNode();
  const base = await isolatedClientEnv(node);
  const rcloneConf = join(base['HOME'] ?? tmpdir(), 'rclone.conf');
  await writeFile(rcloneConf, '');
  env = {
    ...base,
    RCLONE_CONFIG: rcloneConf,
    RCLONE_CONFIG_ANODE_TYPE: 's3',
    RCLONE_CONFIG_ANODE_PROVIDER: 'Other',
    RCLONE_CONFIG_ANODE_ENV_AUTH: 'false',
    RCLONE_CONFIG_ANODE_ACCESS_KEY_ID: node.accessKey,
    RCLONE_CONFIG_ANODE_SECRET_ACCESS_KEY: node.secretKey,
    RCLONE_CONFIG_ANODE_REGION: 'us-east-1',
    RCLONE_CONFIG_ANODE_ENDPOINT: node.s3Url,
    RCLONE_CONFIG_ANODE_FORCE_PATH_STYLE: 'true',
  };
  work = await mkdtemp(join(tmpdir(), 'anode-rclone-'));
  bucket = uniqueBucket('rclone');
  tree = join(work, 'tree');
  await mkdir(join(tree, 'docs', 'deep'), { recursive: true });
  await writeFile(join(tree, 'readme.txt'), 'rclone readme');
  await writeFile(join(tree, 'docs', 'a.md'), '# a');
  await writeFile(join(tree, 'docs', 'deep', 'ü b.txt'), 'unicode name, space');
  await writeFile(join(tree, 'empty.txt'), '');
  await makeRandomFile(join(tree, 'docs', 'big.bin'), 12);
});
after(async () => {
  await node?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  if (env?.['HOME']) await rm(env['HOME'], { recursive: true, force: true });
});

const COMMON = ['--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '--retries', '1', '--low-level-retries', '1'];

function rclone(args: string[]): Promise<CommandResult> {
  return runOk(RCLONE, [...args, ...COMMON], { env, timeoutMs: 300_000 });
}

async function lsf(path: string): Promise<string[]> {
  const r = await rclone(['lsf', '-R', '--files-only', `anode:${path}`]);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

async function digests(dir: string): Promise<Map<string, string>> {
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

const EXPECTED = ['docs/a.md', 'docs/big.bin', 'docs/deep/ü b.txt', 'empty.txt', 'readme.txt'];

describe('rclone', { timeout: 600_000 }, () => {
  it('mkdir creates the bucket', async () => {
    await rclone(['mkdir', `anode:${bucket}`]);
    const r = await rclone(['lsd', 'anode:']);
    assert.match(r.stdout, new RegExp(`\\b${bucket}\\b`));
  });

  it('copy uploads a tree (with a multipart file) and lsf lists it', async () => {
    await rclone(['copy', tree, `anode:${bucket}/copy`]);
    assert.deepEqual(await lsf(`${bucket}/copy`), EXPECTED);
  });

  it('sync mirrors a tree and check reports 0 differences', async () => {
    await rclone(['sync', tree, `anode:${bucket}/sync`]);
    const check = await rclone(['check', tree, `anode:${bucket}/sync`]);
    assert.match(check.stderr, /0 differences found/, check.stderr);
    // Downloaded again, every byte matches.
    const back = join(work, 'back');
    await rclone(['copy', `anode:${bucket}/sync`, back]);
    assert.deepEqual(await digests(back), await digests(tree));
  });

  it('check notices a difference after a local change, and sync fixes it', async () => {
    await writeFile(join(tree, 'readme.txt'), 'rclone readme, changed');
    const check = await runCommand(RCLONE, ['check', tree, `anode:${bucket}/sync`, ...COMMON], { env, timeoutMs: 120_000 });
    assert.notEqual(check.code, 0);
    assert.match(check.stderr, /1 differences found/, check.stderr);
    await rclone(['sync', tree, `anode:${bucket}/sync`]);
    const again = await rclone(['check', tree, `anode:${bucket}/sync`]);
    assert.match(again.stderr, /0 differences found/);
  });

  it('delete removes the files under a path', async () => {
    await rclone(['delete', `anode:${bucket}/copy`]);
    assert.deepEqual(await lsf(`${bucket}/copy`), []);
    assert.deepEqual(await lsf(`${bucket}/sync`), EXPECTED);
  });

  it('purge removes the bucket and everything in it', async () => {
    await rclone(['purge', `anode:${bucket}`]);
    const r = await rclone(['lsd', 'anode:']);
    assert.doesNotMatch(r.stdout, new RegExp(`\\b${bucket}\\b`));
  });
});
