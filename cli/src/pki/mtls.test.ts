// A real mutual-TLS handshake with issued certificates: the server demands a client
// certificate and both ends verify the other against the Anode CA (as cluster gRPC will).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { issueNodeCertificate } from './node-cert.js';
import type { PemPair } from './ca.js';
import { testCa } from './test-fixtures.js';

function issue(ca: PemPair, node: string): PemPair {
  return issueNodeCertificate({ ca, node, dnsNames: [`${node}.anode.test`], ipAddresses: ['127.0.0.1'], days: 2 });
}

interface Outcome {
  clientError?: string;
  serverSawPeer?: string;
  reply?: string;
}

async function handshake(
  serverCa: PemPair,
  server: PemPair,
  clientCa: PemPair,
  client: PemPair,
  servername = 'server.anode.test',
): Promise<Outcome> {
  const outcome: Outcome = {};
  const srv = createServer(
    {
      key: server.keyPem,
      cert: server.certPem,
      ca: [serverCa.certPem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (socket: TLSSocket) => {
      const peer = socket.getPeerCertificate();
      outcome.serverSawPeer = typeof peer.subject?.CN === 'string' ? peer.subject.CN : '';
      socket.end('hello');
    },
  );
  srv.on('tlsClientError', () => {});
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  try {
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, key: client.keyPem, cert: client.certPem, ca: [clientCa.certPem], servername });
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('end', () => {
        outcome.reply = data;
        resolve();
      });
      socket.on('error', (err) => {
        outcome.clientError = err.message;
        resolve();
      });
      socket.on('close', () => resolve());
      socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    });
  } finally {
    srv.close();
  }
  return outcome;
}

test('mutual TLS succeeds between two nodes holding certificates from the same CA', async () => {
  const ca = testCa();
  const outcome = await handshake(ca, issue(ca, 'server'), ca, issue(ca, 'client'));
  assert.equal(outcome.clientError, undefined);
  assert.equal(outcome.reply, 'hello');
  assert.equal(outcome.serverSawPeer, 'client');
});

test('the server refuses a client certificate from another CA', async () => {
  const ca = testCa();
  const rogue = testCa('Rogue CA');
  const outcome = await handshake(ca, issue(ca, 'server'), ca, issue(rogue, 'intruder'));
  assert.notEqual(outcome.reply, 'hello');
  assert.equal(outcome.serverSawPeer, undefined);
});

test('the client refuses a server certificate from another CA', async () => {
  const ca = testCa();
  const rogue = testCa('Rogue CA');
  const outcome = await handshake(rogue, issue(rogue, 'server'), ca, issue(ca, 'client'));
  assert.match(outcome.clientError ?? '', /self[- ]signed|unable to (get|verify)|certificate/i);
  assert.equal(outcome.serverSawPeer, undefined);
});

test('the client refuses a server whose certificate does not name the host it dialled', async () => {
  const ca = testCa();
  const outcome = await handshake(ca, issue(ca, 'server'), ca, issue(ca, 'client'), 'elsewhere.anode.test');
  assert.match(outcome.clientError ?? '', /altnames|Hostname|does not match/i);
  assert.notEqual(outcome.reply, 'hello');
});
