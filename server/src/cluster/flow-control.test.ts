import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { once } from 'node:events';
import { ServerCredentials } from '@grpc/grpc-js';
import { ChunkServiceServer } from './chunk-service.js';
import { CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES } from './flow-control.js';
import type { LocalReplica } from './local-replica.js';

test("the gRPC server grants a peer more than Node's 64 KiB HTTP/2 windows (stream and connection)", async () => {
  const server = new ChunkServiceServer({
    nodeId: 'n1',
    version: 'test',
    dataDir: '.',
    local: {} as LocalReplica,
    authority: { check: async () => null },
  });
  const port = await server.listen('127.0.0.1', 0, ServerCredentials.createInsecure());
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    await once(session, 'remoteSettings');
    // The window bump follows the first SETTINGS: wait for it (bounded).
    for (
      let i = 0;
      i < 100 &&
      (session.remoteSettings.initialWindowSize !== STREAM_WINDOW_BYTES || session.state.remoteWindowSize! < CONNECTION_WINDOW_BYTES);
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(session.remoteSettings.initialWindowSize, STREAM_WINDOW_BYTES);
    assert.ok(session.state.remoteWindowSize! >= CONNECTION_WINDOW_BYTES, `connection window ${session.state.remoteWindowSize}`);
    assert.equal(server.windowsRaised, true);
  } finally {
    session.destroy();
    await server.close(1000);
  }
});
