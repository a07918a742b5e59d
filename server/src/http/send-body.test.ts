import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendBody } from './send-body.js';

const PIECE = 64 * 1024;

/** A server whose only handler runs `handle`; resolves with its port and a closer. */
async function serve(handle: (res: ServerResponse) => Promise<void>) {
  const server = createServer((_req, res) => void handle(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    get: () =>
      new Promise<IncomingMessage>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/' }, resolve).on('error', reject).end();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('every piece arrives in order, and the queue on the socket stays bounded', async () => {
  let maxQueued = 0;
  const pieces = 256; // 16 MiB
  async function* body(res: ServerResponse): AsyncGenerator<Buffer> {
    for (let i = 0; i < pieces; i++) {
      maxQueued = Math.max(maxQueued, res.writableLength);
      yield Buffer.alloc(PIECE, i % 251);
    }
  }
  const done: Promise<void>[] = [];
  const srv = await serve(async (res) => {
    res.writeHead(200, { 'content-length': pieces * PIECE });
    const p = sendBody(body(res), res);
    done.push(p);
    await p;
  });
  try {
    const res = await srv.get();
    let i = 0;
    let at = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      // A slow reader, so the server sees backpressure.
      if (i % 16 === 0) await new Promise((r) => setTimeout(r, 1));
      for (const byte of chunk) {
        assert.equal(byte, Math.floor(at / PIECE) % 251);
        at++;
      }
      i++;
    }
    assert.equal(at, pieces * PIECE);
    await done[0];
    assert.ok(maxQueued <= (1 << 20) + PIECE, `at most a read buffer and a piece queued, saw ${maxQueued}`);
  } finally {
    await srv.close();
  }
});

test('a client that goes away mid-body rejects with a premature close and closes the source', async () => {
  let closed = false;
  let outcome: unknown = null;
  const settled: Promise<void>[] = [];
  async function* endless(): AsyncGenerator<Buffer> {
    try {
      for (;;) yield Buffer.alloc(PIECE);
    } finally {
      closed = true;
    }
  }
  const srv = await serve(async (res) => {
    res.writeHead(200, { 'content-length': 1 << 30 });
    const p = sendBody(endless(), res).then(
      () => {
        outcome = 'resolved';
      },
      (err: unknown) => {
        outcome = err;
      },
    );
    settled.push(p);
  });
  try {
    const res = await srv.get();
    await once(res, 'data');
    res.destroy();
    while (settled.length === 0) await new Promise((r) => setTimeout(r, 5));
    await settled[0];
    assert.equal((outcome as NodeJS.ErrnoException).code, 'ERR_STREAM_PREMATURE_CLOSE');
    assert.equal(closed, true, 'the source was closed');
  } finally {
    await srv.close();
  }
});

test('a source that fails mid-body cuts the response: the client never sees a whole body', async () => {
  let outcome: unknown = null;
  async function* failing(): AsyncGenerator<Buffer> {
    for (let i = 0; i < 4; i++) yield Buffer.alloc(PIECE);
    throw new Error('segment 4 failed authentication');
  }
  const srv = await serve(async (res) => {
    res.writeHead(200, { 'content-length': 8 * PIECE });
    await sendBody(failing(), res).catch((err: unknown) => (outcome = err));
  });
  try {
    let bytes = 0;
    // Cut before or after the head arrived: a hang-up, or an aborted response.
    const aborted = await srv.get().then(
      (res) =>
        new Promise<boolean>((resolve) => {
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => resolve(false));
          res.on('error', () => resolve(true));
          res.on('aborted', () => resolve(true));
        }),
      () => true,
    );
    assert.equal(aborted, true);
    assert.ok(bytes < 8 * PIECE);
    assert.match(String((outcome as Error).message), /failed authentication/);
  } finally {
    await srv.close();
  }
});
