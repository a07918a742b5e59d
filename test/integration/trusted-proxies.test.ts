// server.trusted_proxies decides whether X-Forwarded-For/-Proto are believed. Without it a
// client cannot claim another aws:SourceIp or aws:SecureTransport; with the proxy's address
// listed, the forwarded client address and scheme drive bucket policies and the access log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { signedFetch, signHeaders } from '../helpers/sigv4.js';

const BUCKET = 'proxied';
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'NoTenNet',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/open/*`,
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    },
    {
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/secure/*`,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

/** A signed GET as a proxy would forward it: the X-Forwarded-* headers are added after signing. */
async function proxiedGet(
  node: AnodeNode,
  key: string,
  forwarded: Array<[string, string]>,
): Promise<{ status: number; body: string; requestId: string }> {
  const host = new URL(node.s3Url).host;
  const path = `/${BUCKET}/${key}`;
  const signed = signHeaders({
    method: 'GET',
    path,
    headers: [['host', host]],
    payloadHash: createHash('sha256').update('').digest('hex'),
    creds: { accessKey: node.accessKey, secretKey: node.secretKey },
  }).filter(([k]) => k !== 'host');
  const res = await fetch(`${node.s3Url}${path}`, { headers: [...signed, ...forwarded] });
  return { status: res.status, body: await res.text(), requestId: res.headers.get('x-amz-request-id') ?? '' };
}

async function setUp(node: AnodeNode): Promise<void> {
  const creds = { accessKey: node.accessKey, secretKey: node.secretKey };
  for (const [path, body, query] of [
    [`/${BUCKET}`, undefined, undefined],
    [`/${BUCKET}/open/o.txt`, 'open data', undefined],
    [`/${BUCKET}/secure/s.txt`, 'secure data', undefined],
    [`/${BUCKET}`, POLICY, 'policy'],
  ] as const) {
    const res = await signedFetch(node.s3Url, {
      method: 'PUT',
      path,
      creds,
      ...(body !== undefined ? { body } : {}),
      ...(query !== undefined ? { query } : {}),
    });
    assert.ok(res.status === 200 || res.status === 204, `PUT ${path}${query ? `?${query}` : ''}: ${res.status} ${await res.text()}`);
  }
}

interface AccessLine {
  remote_addr: string;
  status: number;
  request_id: string;
}

/** Waits for the access-log line of the response with this request id (lines are written after the response). */
async function accessLine(node: AnodeNode, requestId: string): Promise<AccessLine> {
  assert.notEqual(requestId, '', 'the response carries x-amz-request-id');
  const deadline = Date.now() + 5000;
  for (;;) {
    const text = await readFile(node.accessLog, 'utf8').catch(() => '');
    const line = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AccessLine)
      .find((l) => l.request_id === requestId);
    if (line !== undefined) return line;
    if (Date.now() > deadline) assert.fail(`no access-log line for request ${requestId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('trusted_proxies empty (the default)', () => {
  let node: AnodeNode;
  before(async () => {
    node = await startNode({ env: { ANODE_SERVER_TRUSTED_PROXIES: '' } });
    await setUp(node);
  });
  after(() => node.cleanup());

  test('X-Forwarded-For is ignored: the 10.0.0.0/8 Deny does not apply and the log shows 127.0.0.1', async () => {
    const r = await proxiedGet(node, 'open/o.txt', [['x-forwarded-for', '10.1.2.3']]);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, 'open data');
    assert.equal((await accessLine(node, r.requestId)).remote_addr, '127.0.0.1');
  });

  test('X-Forwarded-Proto: https is ignored: aws:SecureTransport stays false and the TLS-only Deny applies', async () => {
    const r = await proxiedGet(node, 'secure/s.txt', [['x-forwarded-proto', 'https']]);
    assert.equal(r.status, 403);
    assert.match(r.body, /<Code>AccessDenied<\/Code>/);
  });
});

describe('trusted_proxies = ["127.0.0.1/32"]', () => {
  let node: AnodeNode;
  before(async () => {
    node = await startNode({ env: { ANODE_SERVER_TRUSTED_PROXIES: '127.0.0.1/32' } });
    await setUp(node);
  });
  after(() => node.cleanup());

  test('the forwarded address is believed: the 10.0.0.0/8 Deny applies and the log shows 10.1.2.3', async () => {
    const r = await proxiedGet(node, 'open/o.txt', [['x-forwarded-for', '10.1.2.3']]);
    assert.equal(r.status, 403, r.body);
    assert.match(r.body, /<Code>AccessDenied<\/Code>/);
    const line = await accessLine(node, r.requestId);
    assert.deepEqual([line.remote_addr, line.status], ['10.1.2.3', 403]);
  });

  test('without the header the proxy itself (127.0.0.1) is the client and is allowed', async () => {
    const r = await proxiedGet(node, 'open/o.txt', []);
    assert.equal(r.status, 200, r.body);
  });

  test('the client is the right-most untrusted hop of a chain', async () => {
    // "client, proxy": the trusted 127.0.0.1 hop is skipped, 10.1.2.3 is the client.
    assert.equal((await proxiedGet(node, 'open/o.txt', [['x-forwarded-for', '10.1.2.3, 127.0.0.1']])).status, 403);
    // A client-supplied 10.x in front of an untrusted hop is not believed: 192.0.2.1 is the client.
    const r = await proxiedGet(node, 'open/o.txt', [['x-forwarded-for', '10.1.2.3, 192.0.2.1']]);
    assert.equal(r.status, 200, r.body);
    assert.equal((await accessLine(node, r.requestId)).remote_addr, '192.0.2.1');
  });

  test('X-Forwarded-Proto: https makes aws:SecureTransport true, so the TLS-only Deny stops denying', async () => {
    const secure = await proxiedGet(node, 'secure/s.txt', [['x-forwarded-proto', 'https']]);
    assert.equal(secure.status, 200, secure.body);
    assert.equal(secure.body, 'secure data');
    assert.equal((await proxiedGet(node, 'secure/s.txt', [['x-forwarded-proto', 'http']])).status, 403);
    assert.equal((await proxiedGet(node, 'secure/s.txt', [])).status, 403);
  });
});
