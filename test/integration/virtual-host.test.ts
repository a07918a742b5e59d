/**
 * Virtual-hosted-style addressing: with server.domain set, "bucket.domain" in the Host
 * header names the bucket and the whole path is the key; path style keeps working.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { signHeaders } from '../helpers/sigv4.js';

const DOMAIN = 's3.anode.test';
let node: AnodeNode;

before(async () => {
  node = await startNode({ env: { ANODE_SERVER_DOMAIN: DOMAIN } });
});
after(async () => node.cleanup());

function send(method: string, host: string, path: string, body = ''): Promise<{ status: number; body: string }> {
  const headers = signHeaders({
    method,
    path,
    headers: [
      ['host', host],
      ['content-length', String(Buffer.byteLength(body))],
    ],
    payloadHash: createHash('sha256').update(body).digest('hex'),
    creds: node,
  });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: node.s3Port, method, path, headers: Object.fromEntries(headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('bucket from the Host header, key from the path', async () => {
  const vhost = `vhost-bucket.${DOMAIN}:${node.s3Port}`;
  assert.equal((await send('PUT', vhost, '/')).status, 200);
  assert.equal((await send('PUT', vhost, '/dir/hello.txt', 'hello')).status, 200);
  const got = await send('GET', vhost, '/dir/hello.txt');
  assert.equal(got.status, 200);
  assert.equal(got.body, 'hello');
  // The same object through path style.
  const path = await send('GET', `127.0.0.1:${node.s3Port}`, '/vhost-bucket/dir/hello.txt');
  assert.equal(path.body, 'hello');
  const list = await send('GET', vhost, '/?list-type=2');
  assert.match(list.body, /<Key>dir\/hello\.txt<\/Key>/);
  // An invalid bucket name in the Host header is refused like one in the path.
  const bad = await send('GET', `Bad_Bucket.${DOMAIN}`, '/');
  assert.equal(bad.status, 400);
  assert.match(bad.body, /<Code>InvalidBucketName<\/Code>/);
});
