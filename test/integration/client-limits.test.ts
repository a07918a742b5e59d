/**
 * Hardening issue §2 on a real node: per-client-address limits on failed authentication and
 * on anonymous requests (503 SlowDown with Retry-After, counted in metrics, other addresses
 * unaffected), and no body read or XML parse for an anonymous DeleteObjects on a private
 * bucket.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { signHeaders } from '../helpers/sigv4.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(node: AnodeNode, path: string, opts: { localAddress?: string; badSecret?: boolean; signed?: boolean } = {}): Promise<Reply> {
  const host = `127.0.0.1:${node.s3Port}`;
  const creds = { accessKey: node.accessKey, secretKey: opts.badSecret ? 'x'.repeat(40) : node.secretKey };
  const headers =
    opts.signed === false
      ? [['host', host] as [string, string]]
      : signHeaders({ method: 'GET', path, headers: [['host', host]], payloadHash: 'UNSIGNED-PAYLOAD', creds });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: node.s3Port,
        path,
        headers: Object.fromEntries(headers),
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const code = (r: Reply) => /<Code>([^<]*)<\/Code>/.exec(r.body)?.[1];

let node: AnodeNode;
const bucket = `lim-${Date.now().toString(36)}`;
before(async () => {
  node = await startNode({
    env: {
      ANODE_LIMITS_AUTH_FAILURES_PER_SECOND: '1',
      ANODE_LIMITS_AUTH_FAILURE_BURST: '3',
      ANODE_LIMITS_ANONYMOUS_PER_SECOND: '1',
      ANODE_LIMITS_ANONYMOUS_BURST: '5',
    },
  });
  const host = `127.0.0.1:${node.s3Port}`;
  const headers = signHeaders({
    method: 'PUT',
    path: `/${bucket}`,
    headers: [['host', host]],
    payloadHash: 'UNSIGNED-PAYLOAD',
    creds: node,
  });
  await new Promise<void>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: node.s3Port, method: 'PUT', path: `/${bucket}`, headers: Object.fromEntries(headers) },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`CreateBucket ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end();
  });
});
after(async () => {
  await node?.cleanup();
});

describe('per-client limits', () => {
  it('failed authentications: the burst is answered normally, then 503 SlowDown with Retry-After, for every request from that address only', async () => {
    const from = '127.0.0.11';
    for (let i = 0; i < 3; i++) {
      const r = await get(node, `/${bucket}`, { localAddress: from, badSecret: true });
      assert.equal(`${r.status} ${code(r)}`, '403 SignatureDoesNotMatch', `attempt ${i + 1}`);
    }
    const limited = await get(node, `/${bucket}`, { localAddress: from, badSecret: true });
    assert.equal(`${limited.status} ${code(limited)}`, '503 SlowDown');
    assert.match(String(limited.headers['retry-after']), /^[1-9]\d*$/);
    // Even a correct signature from that address waits: the guess budget is per address.
    const correct = await get(node, `/${bucket}`, { localAddress: from });
    assert.equal(correct.status, 503);
    // Another address is not slowed.
    const other = await get(node, `/${bucket}`, { localAddress: '127.0.0.12' });
    assert.equal(other.status, 200);
    // The budget refills.
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await get(node, `/${bucket}`, { localAddress: from })).status, 200);
    const metrics = await (await fetch(`${node.adminUrl}/metrics`)).text();
    assert.match(metrics, /anode_rate_limited_total\{reason="auth-failures"\} [1-9]/);
  });

  it('anonymous requests: past the burst 503 SlowDown; signed requests from the same address still served', async () => {
    const from = '127.0.0.13';
    for (let i = 0; i < 5; i++) {
      const r = await get(node, `/${bucket}/k`, { localAddress: from, signed: false });
      assert.equal(`${r.status} ${code(r)}`, '403 AccessDenied', `anonymous ${i + 1}`);
    }
    const limited = await get(node, `/${bucket}/k`, { localAddress: from, signed: false });
    assert.equal(`${limited.status} ${code(limited)}`, '503 SlowDown');
    assert.equal((await get(node, `/${bucket}`, { localAddress: from })).status, 200);
  });
});

describe('no work for the unauthenticated', () => {
  it('an anonymous DeleteObjects on a private bucket is refused before its 1.7 MB body is sent', async () => {
    const sock = connect({ host: '127.0.0.1', port: node.s3Port, localAddress: '127.0.0.14' });
    let received = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (received += d));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.write(
      `POST /${bucket}?delete HTTP/1.1\r\nHost: 127.0.0.1:${node.s3Port}\r\nContent-Length: ${1_700_000}\r\nContent-MD5: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n`,
    );
    sock.write('<Delete>'); // a few bytes of the body; the rest never comes
    const started = Date.now();
    await closed;
    assert.ok(Date.now() - started < 3000, 'answered without waiting for the body');
    assert.match(received, /^HTTP\/1\.1 403 /);
    assert.match(received, /<Code>AccessDenied<\/Code>/);
  });
});
