/**
 * Crash safety: SIGKILL the server in the middle of writes, restart it on the same data
 * dir, and check that every object is either exactly the old version or exactly the new
 * one, never torn, and that nothing half-written shows up in listings.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { MiB } from '../helpers/random-files.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { signHeaders } from '../helpers/sigv4.js';

let node: AnodeNode;
let s3: S3Client;
let bucket: string;

before(async () => {
  node = await startNode();
  s3 = sdkClient(node);
  bucket = uniqueBucket('crash');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
after(async () => {
  s3?.destroy();
  await node?.cleanup();
});

function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // a temp file renamed or removed under us
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else
      total += await stat(p).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

async function getSha(key: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return sha(await (out.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
  } catch (e) {
    if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw e;
  }
}

async function listKeys(): Promise<Array<{ key: string; size: number }>> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((c) => ({ key: c.Key ?? '', size: c.Size ?? -1 }));
}

/** A fresh client after a restart: the old one's keep-alive sockets died with the server. */
function reconnect(): void {
  s3.destroy();
  s3 = sdkClient(node);
}

/**
 * Starts a PUT that announces `announced` bytes, sends random data until the data dir has
 * grown by `growth` bytes (the server is really writing it) or `maxWaitMs` passes, then
 * SIGKILLs the server. The body is never finished, so the upload can never complete.
 */
async function killDuringPut(key: string, announced: number, growth: number, maxWaitMs: number): Promise<{ sent: number; grew: number }> {
  const host = `127.0.0.1:${node.s3Port}`;
  const path = `/${bucket}/${encodeURIComponent(key)}`;
  const headers = signHeaders({
    method: 'PUT',
    path,
    headers: [
      ['host', host],
      ['content-length', String(announced)],
    ],
    payloadHash: 'UNSIGNED-PAYLOAD',
    creds: node,
  });
  const before = await dirSize(node.dataDir);
  const req = request({ host: '127.0.0.1', port: node.s3Port, method: 'PUT', path, headers: Object.fromEntries(headers) });
  const failed = new Promise<void>((resolve) => {
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
  });
  let sent = 0;
  let grew = 0;
  const deadline = Date.now() + maxWaitMs;
  const block = randomBytes(MiB);
  // Keep the body flowing (never all of it) until the server has clearly written some.
  while (Date.now() < deadline && sent < announced - MiB) {
    if (!req.write(block)) await new Promise<void>((r) => req.once('drain', r));
    sent += block.length;
    if (sent % (8 * MiB) === 0) {
      grew = (await dirSize(node.dataDir)) - before;
      if (grew >= growth) break;
    }
  }
  await node.kill9();
  req.destroy();
  await failed;
  return { sent, grew };
}

describe('crash safety', { timeout: 300_000 }, () => {
  const oldBody = randomBytes(8 * MiB);

  it('an overwrite killed mid-body leaves exactly the old object', async (t) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'K', Body: oldBody }));
    const oldHead = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'K' }));
    const { sent, grew } = await killDuringPut('K', 256 * MiB, 48 * MiB, 30_000);
    t.diagnostic(`killed after ${sent / MiB} MiB sent; data dir grew ${(grew / MiB).toFixed(1)} MiB`);
    assert.ok(sent >= 16 * MiB, `only ${sent} bytes were sent before the kill`);
    // The point of the test: the server had started persisting the new body when it died.
    assert.ok(grew >= 8 * MiB, `the data dir grew only ${grew} bytes: the kill did not land mid-write`);
    await node.restart();
    reconnect();
    assert.equal(await getSha('K'), sha(oldBody), `K changed after a kill at ${sent} bytes sent (data dir grew ${grew})`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'K' }));
    assert.equal(head.ContentLength, oldBody.length);
    assert.equal(head.ETag, oldHead.ETag);
    assert.deepEqual(await listKeys(), [{ key: 'K', size: oldBody.length }]);
  });

  it('a new key killed mid-body never becomes visible', async () => {
    await killDuringPut('fresh', 256 * MiB, 32 * MiB, 30_000);
    await node.restart();
    reconnect();
    assert.equal(await getSha('fresh'), undefined);
    assert.ok(!(await listKeys()).some((k) => k.key === 'fresh'), 'the half-written key is listed');
  });

  it('the node still takes writes after crashes, and K can be overwritten normally', async () => {
    const newBody = randomBytes(3 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'K', Body: newBody }));
    assert.equal(await getSha('K'), sha(newBody));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'K', Body: oldBody }));
    assert.equal(await getSha('K'), sha(oldBody));
  });

  it('an UploadPart killed mid-body leaves the upload usable and the torn part absent', async () => {
    const part1 = randomBytes(5 * MiB);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'P' }));
    assert.ok(UploadId);
    const e1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'P', UploadId, PartNumber: 1, Body: part1 }));
    // Part 2 is announced at 64 MiB but cut off by the kill.
    const host = `127.0.0.1:${node.s3Port}`;
    const path = `/${bucket}/P`;
    const query = `partNumber=2&uploadId=${encodeURIComponent(UploadId)}`;
    const headers = signHeaders({
      method: 'PUT',
      path,
      query,
      headers: [
        ['host', host],
        ['content-length', String(64 * MiB)],
      ],
      payloadHash: 'UNSIGNED-PAYLOAD',
      creds: node,
    });
    const req = request({
      host: '127.0.0.1',
      port: node.s3Port,
      method: 'PUT',
      path: `${path}?${query}`,
      headers: Object.fromEntries(headers),
    });
    const ended = new Promise<void>((resolve) => {
      req.on('error', () => resolve());
      req.on('response', (res) => {
        res.resume();
        resolve();
      });
    });
    const block = randomBytes(MiB);
    for (let i = 0; i < 24; i++) if (!req.write(block)) await new Promise<void>((r) => req.once('drain', r));
    await new Promise((r) => setTimeout(r, 200));
    await node.kill9();
    req.destroy();
    await ended;
    await node.restart();
    reconnect();
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'P', UploadId }));
    const numbers = (listed.Parts ?? []).map((p) => [p.PartNumber, p.Size]);
    assert.deepEqual(numbers, [[1, part1.length]], 'a torn part 2 is listed');
    const part2 = randomBytes(MiB);
    const e2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'P', UploadId, PartNumber: 2, Body: part2 }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'P',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: e1.ETag ?? '' },
            { PartNumber: 2, ETag: e2.ETag ?? '' },
          ],
        },
      }),
    );
    assert.equal(await getSha('P'), sha(Buffer.concat([part1, part2])));
  });

  it('CompleteMultipartUpload killed in flight gives the old object or the whole new one', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(MiB)];
    const whole = sha(Buffer.concat(parts));
    // Kill at a few points: as the request leaves, and a little later.
    for (const delayMs of [0, 3, 15, 60]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'M', Body: oldBody }));
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'M' }));
      assert.ok(UploadId);
      const etags: string[] = [];
      for (const [i, body] of parts.entries()) {
        const out = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'M', UploadId, PartNumber: i + 1, Body: body }));
        etags.push(out.ETag ?? '');
      }
      const completing = s3
        .send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: 'M',
            UploadId,
            MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          }),
        )
        .then(
          () => 'completed',
          () => 'failed',
        );
      await new Promise((r) => setTimeout(r, delayMs));
      await node.kill9();
      const outcome = await completing;
      await node.restart();
      reconnect();
      const now = await getSha('M');
      if (outcome === 'completed') assert.equal(now, whole, `Complete answered 200 but M is not the new object (delay ${delayMs} ms)`);
      else assert.ok(now === sha(oldBody) || now === whole, `M is torn after a kill ${delayMs} ms into Complete`);
      const listed = (await listKeys()).find((k) => k.key === 'M');
      assert.ok(listed && (listed.size === oldBody.length || listed.size === 11 * MiB), `M listed with size ${listed?.size}`);
    }
  });

  it('small PUTs (kept inline in the metadata row) acknowledged before a kill -9 are all there after it, byte for byte', async (t) => {
    const bodies = new Map<string, Buffer>();
    const acked: string[] = [];
    let stop = false;
    // 16 writers of bodies from 1 byte to 16 KiB (the inline threshold), killed mid-stream.
    const writers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const key = `small/${w}/${i}`;
        const body = randomBytes(1 + ((w * 977 + i * 4099) % (16 * 1024)));
        bodies.set(key, body);
        try {
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        } catch {
          return;
        }
        acked.push(key);
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    await node.kill9();
    stop = true;
    await Promise.all(writers);
    await node.restart();
    reconnect();
    t.diagnostic(`${acked.length} small PUTs acknowledged before the kill`);
    assert.ok(acked.length >= 16, `only ${acked.length} small PUTs were acknowledged before the kill`);
    for (const key of acked) assert.equal(await getSha(key), sha(bodies.get(key)!), `${key} acknowledged but not intact after kill -9`);
  });
});
