// probeGrpcMtls against real listeners on loopback: nothing, plain TCP, TLS that does not
// ask for a client certificate, and TLS 1.2 / 1.3 servers that require one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { issueNodeCertificate } from '../pki/node-cert.js';
import { testCa } from '../pki/test-fixtures.js';
import { probeGrpcMtls } from './grpc-probe.js';

const ca = testCa();
const node = issueNodeCertificate({ ca, node: 'node1', dnsNames: ['node1.anode.test'], ipAddresses: ['127.0.0.1'], days: 2 });

async function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function withTls(options: TlsOptions, fn: (port: number) => Promise<void>): Promise<void> {
  const server = createTlsServer({ key: node.keyPem, cert: node.certPem, ca: [ca.certPem], ...options }, (s) => s.on('error', () => {}));
  server.on('tlsClientError', () => {});
  const port = await listening(server);
  try {
    await fn(port);
  } finally {
    server.close();
  }
}

test('nothing listening: refused', async () => {
  const server = createNetServer();
  const port = await listening(server);
  server.close();
  await once(server, 'close');
  const p = await probeGrpcMtls('127.0.0.1', port);
  assert.equal(p.kind, 'refused');
  assert.match(p.detail, /nothing listening/);
});

test('plain TCP (no TLS): not-tls', async () => {
  const server = createNetServer((s) => {
    s.on('error', () => {});
    s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  const port = await listening(server);
  try {
    assert.equal((await probeGrpcMtls('127.0.0.1', port)).kind, 'not-tls');
  } finally {
    server.close();
  }
});

test('TLS without requestCert: no-client-cert-required', async () => {
  await withTls({ requestCert: false }, async (port) => {
    const p = await probeGrpcMtls('127.0.0.1', port);
    assert.equal(p.kind, 'no-client-cert-required', p.detail);
  });
  // Asking for a certificate but not insisting on it is the same hole.
  await withTls({ requestCert: true, rejectUnauthorized: false }, async (port) => {
    assert.equal((await probeGrpcMtls('127.0.0.1', port)).kind, 'no-client-cert-required');
  });
});

for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  test(`TLS requiring a client certificate (${version}): client-cert-required`, async () => {
    await withTls({ requestCert: true, rejectUnauthorized: true, minVersion: version, maxVersion: version }, async (port) => {
      const p = await probeGrpcMtls('127.0.0.1', port);
      assert.equal(p.kind, 'client-cert-required', p.detail);
    });
  });
}
