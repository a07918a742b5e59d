// anodectl audit checklist, the items added by hardening issue 12, against real things:
// - a private bucket holding a public object (object ACL public-read on a real node):
//   "public objects in private buckets" and "anonymous access" WARN, naming it — and an
//   unsigned GET really reads that object;
// - cluster mTLS judged by the live gRPC listener, not the config: nothing listening →
//   FAIL; a TLS listener that does not require a client certificate → FAIL; one that
//   requires it (issued by anodectl certs) → PASS; no [cluster] section → SKIP (N/A);
//   off the node's host (Kubernetes) the advertised address is probed instead.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type TlsOptions } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectAclCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { freePort, startNode, type AnodeNode } from '../helpers/anode-node.js';
import { sdkClient, uniqueBucket } from '../helpers/s3-client.js';
import { isolatedEnv, runCli } from './run-cli.js';

interface Item {
  id: string;
  status: string;
  reason: string;
}

describe('public objects in private buckets, anonymous access', () => {
  let node: AnodeNode;
  const bucket = uniqueBucket('quiet');
  before(async () => {
    node = await startNode();
    const s3 = sdkClient(node);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'private.txt', Body: 'mine' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'leak.txt', Body: 'anyone can read this' }));
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'leak.txt', ACL: 'public-read' }));
    s3.destroy();
  });
  after(async () => {
    await node?.cleanup();
  });

  test('the bucket looks private, the object is public: both items WARN and name it', async () => {
    // The finding is real: an unsigned request reads the object, not its neighbour.
    assert.equal((await fetch(`${node.s3Url}/${bucket}/leak.txt`)).status, 200);
    assert.equal((await fetch(`${node.s3Url}/${bucket}/private.txt`)).status, 403);
    const env = isolatedEnv({ ANODE_ACCESS_KEY: node.accessKey, ANODE_SECRET_KEY: node.secretKey });
    const r = await runCli(['--json', '--endpoint', node.adminUrl, 'audit', 'checklist'], { env });
    const items = (JSON.parse(r.stdout) as { items: Item[] }).items;
    const byId = (id: string) => items.find((i) => i.id === id)!;
    assert.equal(byId('authorization.public-buckets').status, 'PASS', 'the bucket itself is private');
    assert.equal(byId('authorization.public-objects').status, 'WARN');
    assert.equal(byId('authorization.public-objects').reason, `private buckets holding public objects: ${bucket}: 1 public (leak.txt)`);
    assert.equal(byId('authorization.anonymous-access').status, 'WARN');
    assert.match(byId('authorization.anonymous-access').reason, new RegExp(`${bucket} \\(1 object ACL\\(s\\)\\)`));
  });
});

describe('cluster mTLS: the live gRPC listener decides', () => {
  const work = mkdtempSync(join(tmpdir(), 'anode-mtls-check-'));
  let port = 0;
  let configFile = '';
  let pem: { key: string; cert: string; ca: string };
  before(async () => {
    const env = isolatedEnv();
    assert.equal((await runCli(['certs', 'init-ca', '--out', join(work, 'ca'), '--days', '5'], { env, cwd: work })).code, 0);
    const issued = await runCli(
      ['certs', 'issue', 'node1', '--ca', join(work, 'ca'), '--ip', '127.0.0.1', '--out', join(work, 'certs'), '--days', '5'],
      { env, cwd: work },
    );
    assert.equal(issued.code, 0, issued.stderr);
    pem = {
      key: readFileSync(join(work, 'certs', 'node1.key'), 'utf8'),
      cert: readFileSync(join(work, 'certs', 'node1.crt'), 'utf8'),
      ca: readFileSync(join(work, 'ca', 'ca.crt'), 'utf8'),
    };
    port = await freePort();
    configFile = join(work, 'config.toml');
    writeFileSync(
      configFile,
      `[cluster]\ngrpc_listen = "127.0.0.1:${port}"\nenable_tls = true\ntls_cert = "${join(work, 'certs', 'node1.crt')}"\ntls_key = "${join(work, 'certs', 'node1.key')}"\ntls_ca = "${join(work, 'ca', 'ca.crt')}"\n`,
    );
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const mtlsItem = async (config: string): Promise<Item> => {
    const r = await runCli(['--json', 'audit', 'checklist', '--config', config], { env: isolatedEnv() });
    return (JSON.parse(r.stdout) as { items: Item[] }).items.find((i) => i.id === 'network.cluster-mtls')!;
  };

  async function withListener(options: TlsOptions, fn: () => Promise<void>): Promise<void> {
    const server = createServer({ key: pem.key, cert: pem.cert, ca: [pem.ca], ...options }, (s) => {
      s.on('error', () => {});
    });
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.on('tlsClientError', () => {});
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    try {
      await fn();
    } finally {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    }
  }

  test('nothing listening on grpc_listen: FAIL, though the config and files are fine', async () => {
    const item = await mtlsItem(configFile);
    assert.equal(item.status, 'FAIL', item.reason);
    assert.match(item.reason, new RegExp(`cluster configured but nothing listening on 127\\.0\\.0\\.1:${port}`));
  });

  test('a TLS listener that does not require a client certificate: FAIL', async () => {
    await withListener({ requestCert: false }, async () => {
      const item = await mtlsItem(configFile);
      assert.equal(item.status, 'FAIL', item.reason);
      assert.match(item.reason, /no client certificate required/);
    });
  });

  test('a listener demanding a certificate from the Anode CA: PASS', async () => {
    await withListener({ requestCert: true, rejectUnauthorized: true }, async () => {
      const item = await mtlsItem(configFile);
      assert.equal(item.status, 'PASS', item.reason);
      assert.match(item.reason, /demands a client certificate/);
    });
  });

  // Kubernetes: the checklist runs off the node's host (another pod, an operator's machine),
  // grpc_listen is 0.0.0.0, and what it can reach is the advertised name the peers dial.
  const offHostConfig = (advertise: string): string => {
    const file = join(work, `offhost-${advertise.replace(/\W/g, '_')}.toml`);
    writeFileSync(
      file,
      `[server]\ndata_dir = "${join(work, 'not-this-host')}"\n[cluster]\nenabled = true\ngrpc_listen = "0.0.0.0:${port}"\nadvertise = "${advertise}"\n` +
        `tls_cert = "/etc/anode-node/tls.crt"\ntls_key = "/etc/anode-node/tls.key"\ntls_ca = "/etc/anode-node/ca.crt"\n`,
    );
    return file;
  };

  test('off the host, the advertised address is probed: a listener demanding a certificate PASSes', async () => {
    await withListener({ requestCert: true, rejectUnauthorized: true }, async () => {
      const item = await mtlsItem(offHostConfig(`localhost:${port}`));
      assert.equal(item.status, 'PASS', item.reason);
      assert.match(
        item.reason,
        new RegExp(`localhost:${port} refused a client without a certificate|localhost:${port} closed the session`),
      );
    });
  });

  test('off the host, an advertised listener that takes anyone FAILs', async () => {
    await withListener({ requestCert: false }, async () => {
      const item = await mtlsItem(offHostConfig(`localhost:${port}`));
      assert.equal(item.status, 'FAIL', item.reason);
      assert.match(item.reason, /no client certificate required/);
    });
  });

  test('off the host, an advertised name that does not resolve or answer from here: SKIP saying where to run it', async () => {
    for (const advertise of [`anode-0.anode-peers.default.svc:${port}`, `localhost:${port}`]) {
      const item = await mtlsItem(offHostConfig(advertise));
      assert.equal(item.status, 'SKIP', `${advertise}: ${item.reason}`);
      assert.match(item.reason, /not reachable from here.*kubectl exec anode-0/);
    }
  });

  test('no [cluster] section: SKIP (N/A)', async () => {
    const single = join(work, 'single.toml');
    writeFileSync(single, '[server]\nadmin_listen = "127.0.0.1:8081"\n');
    const item = await mtlsItem(single);
    assert.equal(item.status, 'SKIP');
    assert.match(item.reason, /N\/A/);
  });
});
