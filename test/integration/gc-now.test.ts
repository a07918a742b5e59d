/**
 * GC on demand frees deleted data at once (hardening issue 12): after `aws s3 rb --force`,
 * `anodectl gc run --wait` removes the objects' chunk files right away (no five-minute
 * wait), and says nothing is pending. A chunk a GET in flight is still streaming is the
 * exception: that run leaves it, reports it as pending and why, the GET completes with the
 * right bytes, and the next run frees it. A scheduled-style delay is kept only by the
 * schedule.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { AdminClient } from '../../shared/src/admin-api/index.js';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { isolatedClientEnv, requireTool, runCommand } from '../helpers/run-command.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { signHeaders } from '../helpers/sigv4.js';
import { isolatedEnv, runCli } from '../cli/run-cli.js';

const AWS = '/usr/bin/aws';

async function chunkFiles(node: AnodeNode): Promise<number> {
  const root = join(node.dataDir, 'chunks');
  let n = 0;
  for (const shard of await readdir(root).catch(() => [])) {
    if (shard.startsWith('.')) continue;
    n += (await readdir(join(root, shard))).length;
  }
  return n;
}

describe('gc run frees deleted data at once', () => {
  let node: AnodeNode;
  let work = '';
  let cliEnv: Record<string, string>;
  before(async () => {
    requireTool(AWS, 'awscli');
    // Chunks of 1 MiB so a few MiB make several chunk files; the default delays (trash
    // 300 s, orphan grace 3600 s) stay as shipped.
    node = await startNode({ env: { ANODE_STORAGE_CHUNK_SIZE_MIB: '1' } });
    work = await mkdtemp(join(tmpdir(), 'anode-gc-now-'));
    cliEnv = isolatedEnv({ ANODE_KEYRING: 'file' });
    const login = await runCli(['--endpoint', node.adminUrl, 'login', '--access-key', node.accessKey, '--secret-stdin'], {
      env: cliEnv,
      input: node.secretKey,
    });
    assert.equal(login.code, 0, login.stderr);
  });
  after(async () => {
    await node?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('aws s3 rb --force, then anodectl gc run --wait: every chunk file is gone, nothing pending', async () => {
    const bucket = uniqueBucket('rbforce');
    const env = await isolatedClientEnv({ accessKey: node.accessKey, secretKey: node.secretKey });
    const aws = (args: string[]) => runCommand(AWS, ['--endpoint-url', node.s3Url, ...args], { env, timeoutMs: 120_000 });
    assert.equal((await aws(['s3', 'mb', `s3://${bucket}`])).code, 0);
    for (let i = 0; i < 3; i++) {
      const file = join(work, `f${i}`);
      await writeFile(file, randomBytes(2.5 * 1024 * 1024));
      const cp = await aws(['s3', 'cp', file, `s3://${bucket}/f${i}`]);
      assert.equal(cp.code, 0, cp.stderr);
    }
    const before = await chunkFiles(node);
    assert.ok(before >= 9, `3 objects of 2.5 MiB in 1 MiB chunks: ${before} files`);
    const rb = await aws(['s3', 'rb', '--force', `s3://${bucket}`]);
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(await chunkFiles(node), before, 'nothing is removed before GC runs');

    const run = await runCli(['gc', 'run', '--wait'], { env: cliEnv });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await chunkFiles(node), 0, 'the deleted objects’ chunks are freed at once');
    assert.match(run.stdout, new RegExp(`Chunks removed:\\s+${before}\\b`));
    assert.match(run.stdout, /Pending: nothing/);
  });

  it('a chunk a GET is still streaming is left, reported as pending (in use); the GET completes; the next run frees it', async () => {
    const s3 = sdkClient(node);
    const bucket = uniqueBucket('inuse');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // Far more than socket buffers hold, so the node is still mid-body when the reader pauses.
    const body = randomBytes(24 * 1024 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big', Body: body }));
    const chunks = await chunkFiles(node);
    assert.equal(chunks, 24);

    // A GET whose reader pauses after the first bytes: the node is mid-body.
    const path = `/${bucket}/big`;
    const headers = signHeaders({
      method: 'GET',
      path,
      headers: [['host', `127.0.0.1:${node.s3Port}`]],
      payloadHash: 'UNSIGNED-PAYLOAD',
      creds: { accessKey: node.accessKey, secretKey: node.secretKey },
    });
    let resume!: () => void;
    const got = new Promise<Buffer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: node.s3Port, method: 'GET', path, headers: Object.fromEntries(headers) }, (res) => {
        const parts: Buffer[] = [];
        res.once('data', (d: Buffer) => {
          parts.push(d);
          res.pause();
          resume = () => res.resume();
          res.on('data', (more: Buffer) => parts.push(more));
        });
        res.on('end', () => resolve(Buffer.concat(parts)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    while (resume === undefined) await new Promise((r) => setTimeout(r, 10));

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'big' }));
    const admin = new AdminClient({
      endpoint: node.adminUrl,
      credentials: { accessKeyId: node.accessKey, secretAccessKey: node.secretKey },
    });
    const first = await admin.runGc(true);
    assert.equal(first.stats?.pending?.trash_in_use, 24, JSON.stringify(first.stats));
    assert.equal(await chunkFiles(node), 24, 'nothing the GET needs is removed');
    const status = await runCli(['gc', 'status'], { env: cliEnv });
    assert.match(status.stdout, /24 deleted data's chunk\(s\): still used by a write, copy or read in flight/);

    resume();
    const read = await got;
    assert.equal(createHash('sha256').update(read).digest('hex'), createHash('sha256').update(body).digest('hex'));
    await new Promise((r) => setTimeout(r, 50));
    const second = await admin.runGc(true);
    assert.equal(second.stats?.pending?.trash_in_use, 0);
    assert.equal(second.stats?.chunks_removed, 24);
    assert.equal(await chunkFiles(node), 0);
    s3.destroy();
  });
});
