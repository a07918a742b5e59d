/**
 * Hardening issue §2 and §4 on a real node, over raw sockets: `Expect: 100-continue` answers
 * a refused request instead of inviting its body; a stalled body gets 400 RequestTimeout
 * XML; trickled headers get 408; a request that trickles past the whole-request deadline is
 * cut with 408; the per-client connection cap refuses with 503 and Retry-After; and the
 * access log records what really happened to a request the client abandoned.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startNode, type AnodeNode } from '../helpers/anode-node.js';
import { signHeaders } from '../helpers/sigv4.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A socket that collects everything the server sends. */
class RawConn {
  readonly sock: Socket;
  received = '';
  closed = false;
  constructor(port: number) {
    this.sock = connect({ host: '127.0.0.1', port });
    this.sock.setEncoding('latin1');
    this.sock.on('data', (d: string) => (this.received += d));
    this.sock.on('close', () => (this.closed = true));
    this.sock.on('error', () => undefined);
  }
  write(data: string | Buffer): void {
    this.sock.write(data);
  }
  /** Waits until `test` holds on what was received, or the time runs out. */
  async until(test: (text: string) => boolean, ms: number, what: string): Promise<string> {
    const deadline = Date.now() + ms;
    while (!test(this.received)) {
      if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms; got ${JSON.stringify(this.received.slice(0, 400))}`);
      await sleep(20);
    }
    return this.received;
  }
  close(): void {
    this.sock.destroy();
  }
}

function signedPutHead(node: AnodeNode, path: string, extra: Array<[string, string]>): string {
  const host = `127.0.0.1:${node.s3Port}`;
  const headers = signHeaders({ method: 'PUT', path, headers: [['host', host], ...extra], payloadHash: 'UNSIGNED-PAYLOAD', creds: node });
  return `PUT ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

let node: AnodeNode;
const bucket = `limits-${Date.now().toString(36)}`;
before(async () => {
  node = await startNode({
    env: {
      ANODE_SERVER_REQUEST_TIMEOUT_SECONDS: '2',
      ANODE_SERVER_REQUEST_DEADLINE_SECONDS: '4',
      ANODE_SERVER_MAX_CONNECTIONS_PER_CLIENT: '6',
    },
  });
  const c = new RawConn(node.s3Port);
  c.write(signedPutHead(node, `/${bucket}`, [['content-length', '0']]));
  await c.until((t) => t.startsWith('HTTP/1.1 200'), 5000, 'CreateBucket');
  c.close();
});
after(async () => {
  await node?.cleanup();
});

describe('Expect: 100-continue', () => {
  it('a refused request gets its final answer instead of 100 Continue, even for a 6 GiB body', async () => {
    const c = new RawConn(node.s3Port);
    // Anonymous: the bucket is private.
    c.write(
      `PUT /${bucket}/huge HTTP/1.1\r\nHost: 127.0.0.1:${node.s3Port}\r\nContent-Length: ${6 * 1024 ** 3}\r\nExpect: 100-continue\r\n\r\n`,
    );
    const text = await c.until((t) => t.includes('</Error>'), 5000, 'the refusal');
    assert.match(text, /^HTTP\/1\.1 403 /);
    assert.doesNotMatch(text, /100 Continue/);
    assert.match(text, /<Code>AccessDenied<\/Code>/);
    await c.until(() => c.closed, 5000, 'the connection to close');
  });

  it('an accepted request gets 100 Continue, then its answer once the body is sent', async () => {
    const c = new RawConn(node.s3Port);
    c.write(
      signedPutHead(node, `/${bucket}/small`, [
        ['content-length', '5'],
        ['expect', '100-continue'],
      ]),
    );
    await c.until((t) => t.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), 5000, '100 Continue');
    c.write('hello');
    await c.until((t) => /HTTP\/1\.1 200 /.test(t.slice(20)), 5000, 'the 200');
    c.close();
  });
});

describe('timeouts', () => {
  it('a body that stalls gets 400 RequestTimeout (S3 XML), then the connection closes', async () => {
    const c = new RawConn(node.s3Port);
    const started = Date.now();
    c.write(signedPutHead(node, `/${bucket}/stalled`, [['content-length', '1000']]));
    c.write('only ten b');
    const text = await c.until((t) => t.includes('</Error>'), 8000, 'RequestTimeout');
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /<Code>RequestTimeout<\/Code>/);
    assert.match(text, /<RequestId>[0-9A-F]{16}<\/RequestId>/);
    assert.ok(Date.now() - started >= 1500, 'not before the idle timeout');
    await c.until(() => c.closed, 5000, 'the connection to close');
  });

  it('headers trickled past the timeout get 408 and a close', async () => {
    const c = new RawConn(node.s3Port);
    c.write(`GET /${bucket} HTTP/1.1\r\n`);
    const trickle = setInterval(() => c.write('x'), 300);
    try {
      const text = await c.until((t) => t.length > 0, 8000, 'the 408');
      assert.match(text, /^HTTP\/1\.1 408 /);
      await c.until(() => c.closed, 5000, 'the connection to close');
    } finally {
      clearInterval(trickle);
      c.close();
    }
  });

  it('a body trickled so it never idles is cut at the whole-request deadline with 408', async () => {
    const c = new RawConn(node.s3Port);
    const started = Date.now();
    c.write(signedPutHead(node, `/${bucket}/trickle`, [['content-length', '100000']]));
    const trickle = setInterval(() => c.write('y'), 500);
    try {
      const text = await c.until((t) => t.length > 0, 12_000, 'the deadline answer');
      assert.match(text, /^HTTP\/1\.1 408 /);
      assert.ok(Date.now() - started >= 3500, `not before the deadline (${Date.now() - started} ms)`);
    } finally {
      clearInterval(trickle);
      c.close();
    }
  });
});

describe('connection caps', () => {
  it('past the per-client cap a new connection gets 503 with Retry-After; closing one makes room', async () => {
    const held = Array.from({ length: 6 }, () => new RawConn(node.s3Port));
    await sleep(300);
    const extra = new RawConn(node.s3Port);
    try {
      const text = await extra.until((t) => t.includes('\r\n\r\n'), 5000, 'the refusal');
      assert.match(text, /^HTTP\/1\.1 503 /);
      assert.match(text, /Retry-After: 1/i);
      await extra.until(() => extra.closed, 5000, 'the refused connection to close');
      held.pop()!.close();
      await sleep(300);
      const again = new RawConn(node.s3Port);
      again.write(`GET /health HTTP/1.1\r\nHost: x\r\n\r\n`);
      const answer = await again.until((t) => t.includes('\r\n\r\n'), 5000, 'an answer after room was made');
      assert.doesNotMatch(answer, /^HTTP\/1\.1 503/);
      again.close();
    } finally {
      for (const h of held) h.close();
      extra.close();
    }
  });
});

describe('access log', () => {
  it('a request whose client vanished before any answer is logged 499 with aborted: true, never 200', async () => {
    const inFlight = async () =>
      Number(/anode_requests_in_flight\{api="s3"\} (\d+)/.exec(await (await fetch(`${node.adminUrl}/metrics`)).text())?.[1] ?? 0);
    const before = await inFlight();
    const c = new RawConn(node.s3Port);
    c.write(signedPutHead(node, `/${bucket}/abandoned`, [['content-length', '1000']]));
    c.write('a few bytes');
    // Only once the node is handling it: an RST before then would discard the unread bytes.
    for (let i = 0; i < 200 && (await inFlight()) <= before; i++) await sleep(50);
    c.sock.resetAndDestroy(); // gone at once (RST): no answer can reach it
    let line: Record<string, unknown> | undefined;
    const deadline = Date.now() + 15_000;
    while (line === undefined && Date.now() < deadline) {
      await sleep(100);
      const lines = (await readFile(node.accessLog, 'utf8')).trim().split('\n');
      line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['key'] === 'abandoned');
    }
    assert.ok(line, 'the abandoned request was logged');
    assert.equal(line['status'], 499);
    assert.equal(line['aborted'], true);
  });
});

describe('exact answers', () => {
  it('two Host headers are 400 InvalidRequest, not a signature failure', async () => {
    const c = new RawConn(node.s3Port);
    const head = signedPutHead(node, `/${bucket}/dup`, [['content-length', '0']]).replace('\r\n\r\n', '\r\nHost: evil.example\r\n\r\n');
    c.write(head);
    const text = await c.until((t) => t.includes('</Error>'), 5000, 'the answer');
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /<Code>InvalidRequest<\/Code>/);
    c.close();
  });

  it('a body shorter than Content-Length, then a half-close, gets 400 IncompleteBody XML', async () => {
    const c = new RawConn(node.s3Port);
    c.write(signedPutHead(node, `/${bucket}/short`, [['content-length', '100']]));
    c.write('only twenty bytes...');
    c.sock.end();
    const text = await c.until((t) => t.includes('</Error>'), 5000, 'IncompleteBody');
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /<Code>IncompleteBody<\/Code>/);
  });
});

describe('pipelining', () => {
  it('a client that pipelines three requests and half-closes gets all three answers', async () => {
    const c = new RawConn(node.s3Port);
    const host = `127.0.0.1:${node.s3Port}`;
    const one = (path: string) => {
      const headers = signHeaders({ method: 'GET', path, headers: [['host', host]], payloadHash: 'UNSIGNED-PAYLOAD', creds: node });
      return `GET ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
    };
    c.write(one(`/${bucket}`) + one(`/${bucket}/missing`) + one(`/${bucket}`));
    c.sock.end();
    const text = await c.until(() => c.closed, 5000, 'all answers and the close');
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '404', '200']);
  });
});
