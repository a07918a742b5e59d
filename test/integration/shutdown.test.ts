/**
 * Graceful shutdown: SIGTERM stops new connections but lets an upload in flight finish and
 * commit; after a restart the object is there, whole.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient } from '../helpers/s3-client.js';
import { signHeaders } from '../helpers/sigv4.js';
import { sha256 } from '../helpers/random-files.js';

let node: AnodeNode;

before(async () => {
  node = await startNode();
  await sdkClient(node).send(new CreateBucketCommand({ Bucket: 'shutdown' }));
});
after(async () => node.cleanup());

test('SIGTERM lets an upload in flight finish, and the object survives the restart', async () => {
  const body = randomBytes(8 * 1024 * 1024);
  const host = `127.0.0.1:${node.s3Port}`;
  const headers = signHeaders({
    method: 'PUT',
    path: '/shutdown/inflight.bin',
    headers: [
      ['host', host],
      ['content-length', String(body.length)],
    ],
    payloadHash: 'UNSIGNED-PAYLOAD',
    creds: node,
  });
  const req = request({
    host: '127.0.0.1',
    port: node.s3Port,
    method: 'PUT',
    path: '/shutdown/inflight.bin',
    headers: Object.fromEntries(headers),
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
  // Half the body, then SIGTERM, then the rest.
  req.write(body.subarray(0, body.length / 2));
  await new Promise((r) => setTimeout(r, 200));
  const stopped = node.stop();
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(node.running(), 'the node must wait for the upload in flight');
  // New connections are refused while it drains.
  await assert.rejects(fetch(`${node.s3Url}/`), 'no new connections after SIGTERM');
  req.end(body.subarray(body.length / 2));
  const res = await response;
  assert.equal(res.status, 200, res.text);
  await stopped;
  assert.ok(!node.running());

  await node.restart();
  const got = await sdkClient(node).send(new GetObjectCommand({ Bucket: 'shutdown', Key: 'inflight.bin' }));
  const bytes = Buffer.from(await got.Body!.transformToByteArray());
  assert.equal(sha256(bytes), sha256(body));
});
